"""The scan report on a phone and a desktop: charts with tables, small groups hidden."""

from __future__ import annotations

import secrets

import pytest

from conftest import make_user
from orgs.models import Membership, Organisation, Role, Team
from scans import services
from scans.models import CampaignNode, Questionnaire

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
TOO_FEW = ("too few responses", "te weinig antwoorden")


def answers(yes: bool) -> dict:
    return {
        "toegang-informatie": "ja" if yes else "nee",
        "deelnemen-overleg": "ja",
        "tijd-samenwerking": "ja",
        "aandacht-leren": "nee",
        "mentorschap": "ja",
        "ontmoeten": ["koffie"],
    }


@pytest.fixture
def campaign(transactional_db):
    from django.core.management import call_command

    if not Questionnaire.objects.filter(slug="leercultuur").exists():
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", verbosity=0)  # all apps: later migrations depend on scans
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    productie = Team.objects.create(organisation=org, name="Productie")
    teams = [
        Team.objects.create(organisation=org, name=name, parent=productie)
        for name in ("Bakkerij", "Winkel", "Levering")
    ]
    user = make_user("fien@korenbloem.test", PASSWORD)
    Membership.objects.create(user=user, organisation=org, role=Role.FACILITATOR)
    c = services.create_campaign(
        org,
        questionnaire=Questionnaire.objects.get(slug="leercultuur"),
        name="Meting 2026",
        teams=teams,
        actor=None,
    )
    services.open_campaign(c, actor=None)
    used: list[int] = []
    for team, count in zip(teams, [7, 5, 2], strict=True):
        code = CampaignNode.objects.get(campaign=c, team=team).code
        for i in range(count):
            services.submit_response(
                code=code,
                client_key=secrets.token_urlsafe(16),
                answers=answers(i % 2 == 0),
                other={"ontmoeten": f"plek {len(used)}"},
            )
            used.append(i)
    return c


def log_in(page) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("fien@korenbloem.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def row_text(page, name: str) -> str:
    return (
        page.locator("table.report-teams tr")
        .filter(has=page.get_by_role("rowheader", name=name, exact=True))
        .inner_text()
    )


@pytest.mark.parametrize("viewport", ["page", "desktop_page"])
def test_the_report_page(request, viewport, assert_accessible, campaign):
    page = request.getfixturevalue(viewport)
    log_in(page)
    page.goto(f"/o/korenbloem/scans/{campaign.public_id}/report/")
    assert_accessible(page)
    if viewport == "page":
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert "14" in row_text(page, "Bakkerij De Korenbloem")
    assert "7" in row_text(page, "Bakkerij")
    assert any(t in row_text(page, "Winkel") for t in TOO_FEW)  # 2 < 5
    assert any(t in row_text(page, "Levering") for t in TOO_FEW)  # would give Winkel away
    assert page.locator("svg[role=img]").count() == 11
    chart = page.locator("svg[role=img]").first
    assert "Ja" in chart.locator("desc").text_content()

    # The Winkel report: nothing of Winkel, its department and the organisation beside it.
    page.locator("#report-team").select_option(label="\u2013 \u2013 Winkel")
    page.locator("form.report-tools button").click()
    page.wait_for_url("**team=**")
    assert_accessible(page)
    first = page.locator("section.report-question").first
    groups = first.locator(".report-group")
    assert groups.count() == 3
    assert any(t in groups.nth(0).inner_text() for t in TOO_FEW)
    assert groups.nth(0).locator("svg, table, .free-texts").count() == 0
    assert groups.nth(1).locator("svg[role=img]").count() == 1
    # The department's written answers: all 14 of its respondents', in a shuffled order.
    section6 = page.locator("section.report-question").nth(5)
    department = section6.locator(".report-group").nth(1)
    department.locator("summary").click()
    texts = department.locator(".free-texts li").all_inner_texts()
    assert len(texts) == 14
    assert texts != sorted(texts, key=lambda t: int(t.split()[-1]))
