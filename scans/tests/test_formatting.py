"""Figures and dates in the reader's language, the CSV for a Dutch-language Excel, the
module's one name and typeset section titles."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import translation

from scans import exports, formatting
from scans.models import Campaign

from .conftest import respond


@pytest.mark.parametrize(
    ("language", "expected_percent", "expected_day"),
    [("nl", "81,8\u00a0%", "1 december 2026"), ("en", "81.8%", "Dec. 1, 2026")],
)
def test_figures_and_days_in_the_active_language(language, expected_percent, expected_day):
    with translation.override(language):
        assert formatting.percent(81.818) == expected_percent
        assert formatting.day(dt.date(2026, 12, 1)) == expected_day
        assert formatting.day("2026-12-01") == expected_day
        assert formatting.percent(None) == "" and formatting.number(None) == ""


def test_section_titles_are_typeset_and_the_wording_kept():
    t = formatting.typeset_title
    assert t("JA/NEE -vragen") == "Ja/nee-vragen"
    assert t("Multiple Choice (meerdere antwoorden mogelijk)") == (
        "Multiple choice (meerdere antwoorden mogelijk)"
    )
    assert t("Levenslang leren") == "Levenslang leren"
    assert t("HR en ICT") == "HR en ICT"
    assert t("") == "" and t(None) == ""


def _report_html(client, campaign: Campaign, language: str) -> str:
    slug = campaign.organisation.slug
    response = client.get(
        f"/o/{slug}/scans/{campaign.public_id}/report/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_report_page_in_dutch_and_english(client, campaign, admin_user):
    respond(campaign, "Bakkerij", 9, **{"toegang-informatie": "ja"})
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    client.force_login(admin_user)
    dutch = _report_html(client, campaign, "nl")
    assert "81,8\u00a0%" in dutch and "18,2\u00a0%" in dutch
    assert ">81,8<" in dutch  # the table beside the chart
    assert "81.8" not in dutch.replace('width="', "")  # only SVG geometry keeps the point
    assert "Ja/nee-vragen" in dutch and "JA/NEE -vragen" not in dutch
    # The chart's geometry is not localised: a comma would break the SVG.
    assert 'width="212.7"' in dutch
    english = _report_html(client, campaign, "en")
    assert "81.8%" in english and ">81.8<" in english and "81,8" not in english


def test_the_module_has_one_name(client, campaign, admin_user):
    client.force_login(admin_user)
    slug = campaign.organisation.slug
    for url in [f"/o/{slug}/scans/", f"/o/{slug}/scans/{campaign.public_id}/"]:
        dutch = client.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
        assert "Leercultuurscan" in dutch and "Metingen" not in dutch
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Learning-culture scan" in english and ">Scans<" not in english


def _rows(content: bytes, delimiter: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_for_a_dutch_excel(client, campaign, admin_user):
    respond(campaign, "Bakkerij", 9, **{"toegang-informatie": "ja"})
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    # A team name that a spreadsheet would run as a formula.
    campaign.nodes.filter(name="Bakkerij").update(name="=HYPERLINK(1)")
    client.force_login(admin_user)
    slug = campaign.organisation.slug
    response = client.get(
        f"/o/{slug}/scans/{campaign.public_id}/report-excel.csv", HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('results-excel.csv"')
    content = response.content
    first_line = content.split(b"\r\n", 1)[0].decode("utf-8-sig")
    assert first_line == (
        "Team;Onderdeel van;Respondenten;Vraagnummer;Vraag;Antwoord;Aantal;Percentage"
    )
    rows = _rows(content, ";")
    ja = next(r for r in rows if r[0] == "'=HYPERLINK(1)" and r[3] == "1" and r[5] == "Ja")
    assert ja[6:] == ["9", "81,8"]
    assert b"81.8" not in content
    assert not any(cell.startswith("=") for row in rows for cell in row)

    plain = client.get(f"/o/{slug}/scans/{campaign.public_id}/report.csv").content
    rows = _rows(plain, ",")
    ja = next(r for r in rows if r[0] == "'=HYPERLINK(1)" and r[3] == "1" and r[5] == "Ja")
    assert ja[6:] == ["9", "81.8"]
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_raw_responses_for_a_dutch_excel_are_for_admins(
    client, campaign, admin_user, facilitator_user
):
    respond(campaign, "Bakkerij", 5)
    slug = campaign.organisation.slug
    url = f"/o/{slug}/scans/{campaign.public_id}/responses-excel.csv"
    client.force_login(facilitator_user)
    assert client.get(url).status_code in (403, 404)
    client.force_login(admin_user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
    rows = _rows(response.content, ";")
    assert rows[0][0] == "Team" and len(rows) == 6


def test_csv_text_neutralises_and_uses_the_flavour():
    text = exports.csv_text(["-a", "b"], [["@x", 12.5], ["+1", None]], exports.EXCEL_NL)
    assert text == "\ufeff'-a;b\r\n'@x;12,5\r\n'+1;\r\n"
    text = exports.csv_text(["-a", "b"], [["@x", 12.5]], exports.PLAIN)
    assert text == "\ufeff'-a,b\r\n'@x,12.5\r\n"


def test_the_presenter_screen_shows_scan_figures_in_dutch(client, org, campaign, facilitator_user):
    from formats.models import Format
    from workshops import services as workshop_services

    respond(campaign, "Bakkerij", 9, **{"toegang-informatie": "ja"})
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    fmt = Format.objects.visible_to(org).exclude(current_version=None).first()
    session = workshop_services.start_session(
        organisation=org, fmt=fmt, actor=facilitator_user, scan_campaign=campaign
    )
    client.force_login(facilitator_user)
    base = f"/o/{org.slug}/workshops/{session.public_id}/"
    client.post(base + "control/", {"action": "scan", "on": "1"})
    shown = client.get(base + "present/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '81,8\u00a0%</span> <span class="scan-count">(9)' in shown
    assert '18,2\u00a0%</span> <span class="scan-count">(2)' in shown
    # An attribute's number stays a number the browser reads.
    assert 'value="81.8"' in shown and 'value="81,8"' not in shown
