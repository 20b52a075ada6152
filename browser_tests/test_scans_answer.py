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

    # The server (not the browser's bubble) explains the required questions, in Dutch, at
    # each field; what was filled in stays.
    page.locator("button.scan-send").click()
    page.wait_for_selector(".field-error")
    assert Response.objects.count() == 0
    assert page.locator(".field-error").count() == 3
    assert page.locator(".field-error").first.inner_text() == "Deze vraag moet beantwoord worden."
    assert page.get_by_role("group", name="1. Heeft elke").get_by_label("Ja").is_checked()
    assert_accessible(page)
    assert fits_the_phone(page)
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

    # Back to the form: nothing restored, and this device is offered to change its answers
    # (a replacement, not a second response).
    page.goto(f"/s/{team_code}/")
    assert not page.get_by_role("group", name="1. Heeft elke").get_by_label("Ja").is_checked()
    assert page.locator("#answered-before").is_visible()
    assert_accessible(page)


def test_long_question_text_wraps_inside_its_box_on_a_phone(
    page, assert_accessible, transactional_db
):
    from django.core.management import call_command

    if not Questionnaire.objects.filter(slug="leercultuur").exists():
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", verbosity=0)
    org = Organisation.objects.create(name="Garage Peeters", slug="peeters")
    team = Team.objects.create(organisation=org, name="Werkplaats")
    long_word = "Arbeidsorganisatieontwikkelingsbegeleidingsprogramma" * 2
    questionnaire = services.create_questionnaire(
        org,
        {
            "title": "Lang",
            "slug": "lang",
            "sections": [
                {
                    "questions": [
                        {
                            "kind": "yes_no",
                            "key": "lang",
                            "text": f"Vind je dat {long_word} en nog veel meer woorden " * 3,
                            "required": True,
                        }
                    ]
                }
            ],
        },
        actor=None,
    )
    campaign = services.create_campaign(
        org, questionnaire=questionnaire, name="M", teams=[team], actor=None
    )
    services.open_campaign(campaign, actor=None)
    code = CampaignNode.objects.get(campaign=campaign, team=team).code
    page.goto(f"/s/{code}/")
    assert fits_the_phone(page)
    box = page.locator("fieldset.scan-question").first.bounding_box()
    legend = page.locator("fieldset.scan-question legend").first.bounding_box()
    assert box is not None and legend is not None
    assert legend["x"] + legend["width"] <= box["x"] + box["width"] + 0.5
    page.locator("button.scan-send").click()
    page.wait_for_selector(".field-error")
    assert fits_the_phone(page)
    assert_accessible(page)
