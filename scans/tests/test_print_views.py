"""The team poster (A4 PDF) and the questionnaire preview: admins only, nothing stored."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from orgs.tests.conftest import page_problems
from scans.models import FreeText, Response, SubmissionReceipt

from .conftest import node

A4_POINTS = (595.28, 841.89)


def _poster_url(campaign, name: str) -> str:
    n = node(campaign, name)
    base = f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}"
    return f"{base}/teams/{n.public_id}/poster.pdf"


def _pdf_text(pdf: bytes, tmp_path: Path) -> tuple[str, str]:
    text_tool, info_tool = shutil.which("pdftotext"), shutil.which("pdfinfo")
    if text_tool is None or info_tool is None:
        from .test_pdf import _needs_pdftoppm

        _needs_pdftoppm()
        pytest.skip("poppler-utils is not installed")
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 (a fixed tool on our own temporary file)
        [text_tool, str(source), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    info = subprocess.run(  # noqa: S603 (a fixed tool on our own temporary file)
        [info_tool, str(source)], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return text, info


def test_poster_has_team_qr_address_and_closing_date_on_one_a4(
    client, campaign, admin_user, settings, tmp_path
):
    settings.SITE_URL = "https://lerend.example.org"
    campaign.closes_at = timezone.make_aware(dt.datetime(2026, 12, 1, 17, 0))
    campaign.language = "nl"
    campaign.save()
    client.force_login(admin_user)
    response = client.get(_poster_url(campaign, "Bakkerij"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('-bakkerij-poster.pdf"')
    text, info = _pdf_text(response.content, tmp_path)
    fields = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in info.splitlines())}
    assert fields["Pages"] == "1"
    width, _x, height = fields["Page size"].split()[:3]
    assert (float(width), float(height)) == pytest.approx(A4_POINTS, abs=0.5)
    code = node(campaign, "Bakkerij").code
    flat = " ".join(text.split())
    assert "Bakkerij" in flat
    # The address may wrap: join the lines to find it.
    assert f"https://lerend.example.org/s/{code}/" in "".join(text.split())
    assert "1 december 2026" in flat  # in the campaign's language
    assert "Benieuwd naar de leercultuur in je organisatie?" in flat
    assert "Antwoord vóór 1 december 2026 17:00" in flat


def test_poster_for_admins_of_the_organisation_only(
    client, campaign, facilitator_user, outsider_user, admin_user
):
    url = _poster_url(campaign, "Bakkerij")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(facilitator_user)
    assert client.get(url).status_code == 403
    client.force_login(outsider_user)
    assert client.get(url).status_code == 404
    client.force_login(admin_user)
    # A department above the teams has no link, so no poster; nor a made-up id.
    production = node(campaign, "Productie")
    base = f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}/teams/"
    assert client.get(f"{base}{production.public_id}/poster.pdf").status_code == 404
    assert client.get(f"{base}00000000-0000-4000-8000-000000000000/poster.pdf").status_code == 404
    assert client.post(url).status_code == 405


def test_the_campaign_page_links_posters_and_the_preview(client, campaign, admin_user):
    client.force_login(admin_user)
    page = client.get(f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}/")
    html = page.content.decode()
    assert _poster_url(campaign, "Bakkerij") in html
    assert f"/scans/{campaign.public_id}/preview/" in html


def _preview(campaign) -> str:
    return f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}/preview/"


@pytest.mark.parametrize("draft", [True, False])
def test_preview_shows_every_question_read_only_and_stores_nothing(
    client, org, builtin, teams, admin_user, campaign, draft
):
    from scans import services

    target = campaign
    if draft:
        target = services.create_campaign(
            org, questionnaire=builtin, name="Later", teams=[teams["winkel"]], actor=admin_user
        )
    client.force_login(admin_user)
    response = client.get(_preview(target), HTTP_ACCEPT_LANGUAGE="nl")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Benieuwd naar de leercultuur in je organisatie?" in html
    assert "Ja/nee-vragen" in html
    assert html.count('type="radio"') == 10 and html.count('type="checkbox"') == 41
    assert "<form" not in html.split('class="scan-answer scan-preview"', 1)[1]
    assert html.count(" disabled") >= 7
    assert page_problems(response) == []
    assert client.post(_preview(target)).status_code == 405
    assert Response.objects.count() == 0
    assert FreeText.objects.count() == 0 and SubmissionReceipt.objects.count() == 0


def test_preview_is_for_admins_of_the_organisation_only(
    client, campaign, facilitator_user, member_user, outsider_user
):
    url = _preview(campaign)
    assert client.get(url).status_code == 302
    for user in (facilitator_user, member_user):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(outsider_user)
    assert client.get(url).status_code == 404
