"""Scan pages: answering without an account, the admin pages, reports and exports."""

from __future__ import annotations

import csv
import io
import secrets

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from orgs.tests.conftest import page_problems
from scans import services
from scans.models import Campaign, CampaignNode, Response, ScanInvitation

from .conftest import node, respond, seed_answers


def post_answers(client, url, client_key=None, **extra):
    data = {
        "client_key": client_key or secrets.token_urlsafe(16),
        "q-toegang-informatie": "ja",
        "q-deelnemen-overleg": "nee",
        "q-tijd-samenwerking": "ja",
        "q-aandacht-leren": "ja",
        "q-mentorschap": "nee",
        "q-ontmoeten": ["koffie", "andere"],
        "other-ontmoeten": "In de gang",
    }
    data.update(extra)
    return client.post(url, data)


# --- answering ----------------------------------------------------------------------------


def test_the_answer_page_needs_no_account_and_is_accessible(client, campaign):
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Benieuwd naar de leercultuur in je organisatie?" in html
    assert "Bakkerij" in html
    assert html.count('type="radio"') == 10 and html.count('type="checkbox"') == 41
    assert 'name="client_key"' in html and "answer.js" in html
    assert "Als we ons personeel opleiden" in html and "47 prioritaire acties" in html
    assert page_problems(response) == []
    assert response["Cache-Control"].startswith("max-age=0")


def test_answering_without_javascript_stores_one_response(client, campaign):
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    key = secrets.token_urlsafe(16)
    response = post_answers(client, url, key)
    assert response.status_code == 200
    assert "data-scan-done" in response.content.decode()
    again = post_answers(client, url, key)  # a reload of the thank-you page
    assert again.status_code == 200 and "data-scan-done" in again.content.decode()
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert sorted(stored.answers.filter(question="ontmoeten").values_list("option", flat=True)) == [
        "andere",
        "koffie",
    ]


def test_a_missing_answer_keeps_what_was_filled_in(client, campaign):
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    response = post_answers(client, url, **{"q-mentorschap": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and "5" in html
    assert 'value="koffie" checked' in html and 'value="In de gang"' in html
    assert not Response.objects.exists()


def test_markup_in_free_text_is_stored_as_text_and_shown_escaped(client, campaign, admin_user):
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    for _ in range(5):  # five people, five devices
        post_answers(Client(), url, **{"other-ontmoeten": "<script>alert(1)</script>"})
    client.force_login(admin_user)
    html = client.get(reverse("scan_report", args=["korenbloem", campaign.public_id])).content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unknown_link_is_404_and_closed_campaign_says_so(client, campaign, admin_user):
    assert client.get("/s/onbekend123/").status_code == 404
    services.close_campaign(campaign, actor=admin_user)
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    response = client.get(url)
    assert "closed" in response.content.decode() or "gesloten" in response.content.decode()
    assert post_answers(client, url).status_code == 409
    assert not Response.objects.exists()


def test_invitation_link_works_once(
    client, campaign, admin_user, django_capture_on_commit_callbacks
):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        services.invite_respondents(
            campaign, node(campaign, "Winkel"), ["a@x.test"], actor=admin_user
        )
    token = re.search(r"/s/i/([\w-]+)/", mail.outbox[0].body).group(1)
    url = f"/s/i/{token}/"
    assert client.get(url).status_code == 200
    assert post_answers(client, url).status_code == 200
    assert Response.objects.get().node.name == "Winkel"
    page = client.get(url)
    assert "already been used" in page.content.decode() or "al gebruikt" in page.content.decode()
    assert post_answers(client, url).status_code == 409
    assert Response.objects.count() == 1
    assert client.get("/s/i/onbekend/").status_code == 404


# --- access matrix ------------------------------------------------------------------------

ADMIN_GET = [
    "scans_home",
    "scan_campaign_new",
    "scan_campaign",
    "scan_report",
    "scan_export_csv",
    "scan_export_xlsx",
    "scan_export_responses",
]


def url_for(name, campaign):
    if name in ("scans_home", "scan_campaign_new"):
        return reverse(name, args=["korenbloem"])
    return reverse(name, args=["korenbloem", campaign.public_id])


EXPECTED = {
    # name: (admin, facilitator, member)
    "scans_home": (200, 200, 403),
    "scan_campaign_new": (200, 403, 403),
    "scan_campaign": (200, 403, 403),
    "scan_report": (200, 200, 403),
    "scan_export_csv": (200, 200, 403),
    "scan_export_xlsx": (200, 200, 403),
    "scan_export_responses": (200, 403, 403),
}


@pytest.mark.parametrize("name", ADMIN_GET)
def test_access_matrix(
    client, campaign, admin_user, facilitator_user, member_user, outsider_user, name
):
    url = url_for(name, campaign)
    for user, expected in zip(
        [admin_user, facilitator_user, member_user], EXPECTED[name], strict=True
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected, (user.email, url)
    client.force_login(outsider_user)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_organisations_campaign_is_404(client, campaign, outsider_user, other_org):
    client.force_login(outsider_user)
    assert (
        client.get(reverse("scan_report", args=["peeters", campaign.public_id])).status_code == 404
    )
    assert (
        client.post(
            reverse("scan_campaign_close", args=["peeters", campaign.public_id])
        ).status_code
        == 404
    )
    campaign.refresh_from_db()
    assert campaign.state == "open"


@pytest.mark.parametrize(
    "action",
    ["scan_campaign_open", "scan_campaign_close", "scan_campaign_remind", "scan_campaign_invite"],
)
def test_only_admins_change_campaigns(client, campaign, facilitator_user, action):
    client.force_login(facilitator_user)
    response = client.post(
        reverse(action, args=["korenbloem", campaign.public_id]), {"emails": "a@x.test"}
    )
    assert response.status_code == 403
    campaign.refresh_from_db()
    assert campaign.state == "open" and not ScanInvitation.objects.exists()


# --- admin pages --------------------------------------------------------------------------


def test_admin_creates_a_campaign_from_the_builtin_over_chosen_teams(
    client, org, admin_user, teams, builtin
):
    client.force_login(admin_user)
    page = client.get(reverse("scan_campaign_new", args=[org.slug]))
    assert page.status_code == 200 and page_problems(page) == []
    response = client.post(
        reverse("scan_campaign_new", args=[org.slug]),
        {
            "name": "Voorjaar",
            "questionnaire": str(builtin.public_id),
            "teams": [str(teams["bakkerij"].public_id), str(teams["winkel"].public_id)],
            "language": "nl",
            "anonymity_minimum": 5,
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and str(campaign.public_id) in response["Location"]
    assert sorted(
        CampaignNode.objects.filter(campaign=campaign, is_target=True).values_list(
            "name", flat=True
        )
    ) == ["Bakkerij", "Winkel"]
    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert html.count('src="data:image/svg+xml') == 2
    assert f"/s/{node(campaign, 'Bakkerij').code}/" in html
    assert page_problems(detail) == []
    opened = client.post(reverse("scan_campaign_open", args=[org.slug, campaign.public_id]))
    assert opened.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == "open"


def test_campaign_form_refuses_a_minimum_below_the_organisations(
    client, org, admin_user, teams, builtin
):
    client.force_login(admin_user)
    response = client.post(
        reverse("scan_campaign_new", args=[org.slug]),
        {
            "name": "V",
            "questionnaire": str(builtin.public_id),
            "teams": [str(teams["bakkerij"].public_id)],
            "language": "nl",
            "anonymity_minimum": 2,
        },
    )
    assert response.status_code == 400
    assert not Campaign.objects.exists()


def test_admin_sends_invitations_from_the_page(
    client, campaign, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    winkel = node(campaign, "Winkel")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("scan_campaign_invite", args=["korenbloem", campaign.public_id]),
            {"team": str(winkel.public_id), "emails": "a@x.test, b@x.test"},
        )
    assert response.status_code == 302
    assert ScanInvitation.objects.filter(node=winkel).count() == 2 and len(mail.outbox) == 2
    bad = client.post(
        reverse("scan_campaign_invite", args=["korenbloem", campaign.public_id]),
        {"team": str(winkel.public_id), "emails": "geen adres"},
    )
    assert bad.status_code == 400 and ScanInvitation.objects.count() == 2


def test_admin_copies_and_edits_a_questionnaire(client, org, admin_user, builtin):
    client.force_login(admin_user)
    response = client.post(reverse("scan_questionnaire_copy", args=[org.slug, builtin.public_id]))
    copy = org.scan_questionnaires.get()
    assert response.status_code == 302
    page = client.get(reverse("scan_questionnaire", args=[org.slug, copy.public_id]))
    assert page.status_code == 200 and page_problems(page) == []
    content = page.context["form"].initial["content"]
    edited = content.replace(
        "title: Benieuwd naar de leercultuur in je organisatie?", "title: Onze leercultuur", 1
    )
    ok = client.post(
        reverse("scan_questionnaire", args=[org.slug, copy.public_id]), {"content": edited}
    )
    assert ok.status_code == 302
    copy.refresh_from_db()
    assert copy.title == "Onze leercultuur"
    bad = client.post(
        reverse("scan_questionnaire", args=[org.slug, copy.public_id]), {"content": "sections: [}"}
    )
    assert bad.status_code == 400
    copy.refresh_from_db()
    assert copy.title == "Onze leercultuur"
    builtin_edit = client.post(
        reverse("scan_questionnaire", args=[org.slug, builtin.public_id]), {"content": edited}
    )
    assert builtin_edit.status_code == 403


# --- reports and exports ------------------------------------------------------------------


@pytest.fixture
def answered(campaign):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Levering", 5)
    respond(campaign, "Winkel", 2)
    return campaign


def test_report_page_shows_charts_tables_and_too_few(client, answered, facilitator_user):
    client.force_login(facilitator_user)
    url = reverse("scan_report", args=["korenbloem", answered.public_id])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') == 11
    assert "<table" in html and "too few responses" in html
    assert page_problems(response) == []
    winkel = node(answered, "Winkel")
    team = client.get(url, {"team": str(winkel.public_id)})
    assert team.status_code == 200
    thtml = team.content.decode()
    assert thtml.count('role="img"') == 22  # department and organisation, not Winkel
    bad = client.get(url, {"filter": "x:y"})
    assert bad.status_code == 400


def test_report_in_dutch_says_te_weinig_antwoorden(client, answered, admin_user):
    client.force_login(admin_user)
    client.cookies["lerend_language"] = "nl"
    html = client.get(reverse("scan_report", args=["korenbloem", answered.public_id])).content
    text = html.decode()
    assert "te weinig antwoorden" in text or "too few responses" in text


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export_obeys_the_rule_and_neutralises_formulas(client, answered, admin_user):
    code = node(answered, "Bakkerij").code
    services.submit_response(
        code=code,
        client_key=secrets.token_urlsafe(16),
        answers={
            "toegang-informatie": "ja",
            "deelnemen-overleg": "ja",
            "tijd-samenwerking": "ja",
            "aandacht-leren": "ja",
            "mentorschap": "ja",
        },
        other={"ontmoeten": "=HYPERLINK(1)"},
    )
    client.force_login(admin_user)
    rows = read_csv(client.get(reverse("scan_export_csv", args=["korenbloem", answered.public_id])))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Team", "Part of", "Respondents"]
    teams_with_figures = {r[0] for r in body if r[6] != ""}
    assert teams_with_figures == {"Bakkerij De Korenbloem", "Productie", "Bakkerij"}
    hidden = [r for r in body if r[0] in ("Winkel", "Levering", "Administratie", "Boekhouding")]
    assert all(r[6] == "" and r[7] == "" and r[2] == "" for r in hidden)
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


def test_raw_responses_for_admins_only_visible_groups_no_dates(client, answered, admin_user):
    client.force_login(admin_user)
    rows = read_csv(
        client.get(reverse("scan_export_responses", args=["korenbloem", answered.public_id]))
    )
    groups = [r[0] for r in rows[1:]]
    assert sorted(set(groups)) == ["Bakkerij", "Productie"]
    assert groups.count("Productie") == 7 and groups.count("Bakkerij") == 6
    assert not any(
        str(r.submitted_on) in ",".join(row) for r in Response.objects.all() for row in rows
    )


def test_xlsx_export(client, answered, admin_user):
    from openpyxl import load_workbook

    client.force_login(admin_user)
    response = client.get(reverse("scan_export_xlsx", args=["korenbloem", answered.public_id]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Team"
    figures = {row[0] for row in values[1:] if row[6] is not None}
    assert figures == {"Bakkerij De Korenbloem", "Productie", "Bakkerij"}


def test_pdf_export(client, answered, facilitator_user):
    client.force_login(facilitator_user)
    response = client.get(reverse("scan_export_pdf", args=["korenbloem", answered.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_scans_home_lists_campaigns_and_questionnaires(
    client, campaign, admin_user, facilitator_user
):
    client.force_login(admin_user)
    response = client.get(reverse("scans_home", args=["korenbloem"]))
    html = response.content.decode()
    assert "Meting 2026" in html and "Benieuwd naar de leercultuur" in html
    assert reverse("scan_campaign", args=["korenbloem", campaign.public_id]) in html
    assert page_problems(response) == []
    client.force_login(facilitator_user)
    html = client.get(reverse("scans_home", args=["korenbloem"])).content.decode()
    assert reverse("scan_report", args=["korenbloem", campaign.public_id]) in html
    assert f'href="{reverse("scan_campaign", args=["korenbloem", campaign.public_id])}"' not in html


@pytest.mark.parametrize("name", ['=HYPERLINK("x")', "+1", "-1", "@SUM(A1)", "\tx"])
def test_formulas_in_team_names_are_neutralised_in_every_export(
    client, org, builtin, admin_user, name
):
    from openpyxl import load_workbook

    from orgs.models import Team

    team = Team.objects.create(organisation=org, name=name)
    # A tab is a control character, which a campaign name may not hold (core.text).
    c = services.create_campaign(
        org, questionnaire=builtin, name=name.lstrip("\t"), teams=[team], actor=admin_user
    )
    services.open_campaign(c, actor=admin_user)
    respond(c, team.name, 5)
    client.force_login(admin_user)
    for view in ("scan_export_csv", "scan_export_responses"):
        rows = read_csv(client.get(reverse(view, args=["korenbloem", c.public_id])))
        cells = [cell for row in rows for cell in row]
        assert "'" + name in cells
        assert not any(cell.startswith(("=", "+", "-", "@", "\t")) for cell in cells)
    sheet = load_workbook(
        io.BytesIO(
            client.get(reverse("scan_export_xlsx", args=["korenbloem", c.public_id])).content
        )
    ).active
    values = [v for row in sheet.values for v in row if isinstance(v, str)]
    assert "'" + name in values
    assert not any(v.startswith(("=", "+", "-", "@", "\t")) for v in values)


def test_the_campaign_page_does_not_count_a_few_who_answered(
    client, campaign, admin_user, django_capture_on_commit_callbacks
):
    import re

    winkel = node(campaign, "Winkel")
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_respondents(
            campaign, winkel, [f"p{i}@x.test" for i in range(10)], actor=admin_user
        )
    tokens = [re.search(r"/s/i/([\w-]+)/", m.body).group(1) for m in mail.outbox]
    for token in tokens[:2]:
        services.submit_response(
            token=token, client_key=secrets.token_urlsafe(16), answers=seed_answers()
        )
    client.force_login(admin_user)
    url = reverse("scan_campaign", args=["korenbloem", campaign.public_id])
    html = client.get(url).content.decode()
    assert "8 invitations" not in html and "Some invitations have not been used yet" in html
    for token in tokens[2:5]:
        services.submit_response(
            token=token, client_key=secrets.token_urlsafe(16), answers=seed_answers()
        )
    page = client.get(url).content.decode()
    assert "5 invitations have not been used yet" in page
