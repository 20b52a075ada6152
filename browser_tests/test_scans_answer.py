"""Answering the learning-culture scan on a 360-pixel phone: accessible, progress shown,
answers kept on the device until sent, sent once."""

from __future__ import annotations

import pytest

from orgs.models import Organisation, Team
from scans import services
from scans.models import CampaignNode, Questionnaire, Response

pytestmark = pytest.mark.browser


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.fixture
def team_code(transactional_db):
    from django.core.management import call_command

    if not Questionnaire.objects.filter(slug="leercultuur").exists():
        # transactional tests flush the data migration's rows
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", verbosity=0)  # all apps: later migrations depend on scans
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    team = Team.objects.create(organisation=org, name="Bakkerij")
    campaign = services.create_campaign(
        org,
        questionnaire=Questionnaire.objects.get(slug="leercultuur"),
        name="Meting",
        teams=[team],
        actor=None,
    )
    services.open_campaign(campaign, actor=None)
    return CampaignNode.objects.get(campaign=campaign, team=team).code


def test_answering_on_a_phone(page, assert_accessible, team_code):
    page.goto(f"/s/{team_code}/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Benieuwd naar de leercultuur in je organisatie?"
    )
    assert_accessible(page)
    assert fits_the_phone(page)
    progress = page.locator("#scan-progress-text")
    assert progress.inner_text().startswith("0 ")

    page.get_by_role("group", name="1. Heeft elke").get_by_label("Ja").check()
    page.get_by_role("group", name="2. Kan elke").get_by_label("Nee").check()
    page.get_by_role("group", name="6. Waar ontmoeten").get_by_label("Bij de koffie").check()
    page.locator("input[name=other-ontmoeten]").fill("In de gang")
    assert progress.inner_text().startswith("3 ")

    # Kept on the device: a reload (or a lost connection) keeps what was filled in.
    page.reload()
    assert page.get_by_role("group", name="1. Heeft elke").get_by_label("Ja").is_checked()
    assert page.locator("input[name=other-ontmoeten]").input_value() == "In de gang"
    assert progress.inner_text().startswith("3 ")

    # The browser itself asks for the required questions before sending.
    page.locator("button.scan-send").click()
    assert Response.objects.count() == 0
    for number, answer in [("3. Wordt", "Ja"), ("4. Is er", "Ja"), ("5. Werken", "Nee")]:
        page.get_by_role("group", name=number).get_by_label(answer).check()
    assert progress.inner_text().startswith("6 ")
    page.keyboard.press("Tab")
    page.locator("button.scan-send").click()
    page.wait_for_selector("[data-scan-done]")
    assert_accessible(page)
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert sorted(stored.answers.filter(question="ontmoeten").values_list("option", flat=True)) == [
        "andere",
        "koffie",
    ]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('lerend-scan'))") == []

    # Back to the form: nothing restored, and a fresh answer is a new response.
    page.go_back()
    page.reload()
    assert not page.get_by_role("group", name="1. Heeft elke").get_by_label("Ja").is_checked()
