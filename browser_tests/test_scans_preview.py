"""An admin checks the questionnaire before opening, sets the reminder schedule and finds
each team's poster, on a phone, with a keyboard-usable, accessible page."""

from __future__ import annotations

import pytest

from conftest import make_user
from orgs.models import Membership, Organisation, Role, Team
from scans import services
from scans.models import Campaign, CampaignNode, Questionnaire, Response

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def campaign(transactional_db) -> Campaign:
    from django.core.management import call_command

    if not Questionnaire.objects.filter(slug="leercultuur").exists():
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", verbosity=0)  # all apps: later migrations depend on scans
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    team = Team.objects.create(organisation=org, name="Bakkerij")
    admin = make_user("an@korenbloem.test", PASSWORD)
    Membership.objects.create(user=admin, organisation=org, role=Role.ADMIN)
    return services.create_campaign(
        org,
        questionnaire=Questionnaire.objects.get(slug="leercultuur"),
        name="Leercultuur voorjaar",
        teams=[team],
        actor=admin,
    )


def test_preview_reminders_and_poster(page, assert_accessible, campaign):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("an@korenbloem.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()

    base = f"/o/korenbloem/scans/{campaign.public_id}/"
    page.goto(base)
    assert_accessible(page)
    node = CampaignNode.objects.get(campaign=campaign, is_target=True)
    assert page.locator(f"a[href$='/teams/{node.public_id}/poster.pdf']").count() == 1

    page.locator("#reminder-days").fill("3")
    page.locator("form.reminder-days button").click()
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.reminder_days == 3

    page.locator(f"a[href$='{base}preview/']").click()
    page.wait_for_url(f"**{base}preview/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator("input[type=radio]:disabled").count() == 10
    assert page.locator("main form").count() == 0
    assert Response.objects.count() == 0
