"""An HR admin sets up the scan over a department on a phone: create, open, share links."""

from __future__ import annotations

import re

import pytest

from conftest import make_user
from orgs.models import Membership, Organisation, Role, Team
from scans.models import Campaign, CampaignNode, Questionnaire

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def organisation(transactional_db):
    from django.core.management import call_command

    if not Questionnaire.objects.filter(slug="leercultuur").exists():
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", verbosity=0)  # all apps: later migrations depend on scans
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    productie = Team.objects.create(organisation=org, name="Productie")
    for name in ("Bakkerij", "Winkel"):
        Team.objects.create(organisation=org, name=name, parent=productie)
    Team.objects.create(organisation=org, name="Administratie")
    admin = make_user("an@korenbloem.test", PASSWORD)
    Membership.objects.create(user=admin, organisation=org, role=Role.ADMIN)
    return org


def test_admin_creates_and_opens_a_campaign(page, assert_accessible, organisation):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("an@korenbloem.test")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()

    page.goto("/o/korenbloem/scans/")
    assert_accessible(page)
    page.locator("main a.button").click()
    page.wait_for_url("**/scans/new/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#id_name").fill("Leercultuur voorjaar")
    page.get_by_label(re.compile(r"Bakkerij$")).check()
    page.get_by_label(re.compile(r"Winkel$")).check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/scans/[0-9a-f-]{36}/$"))
    campaign = Campaign.objects.get()
    assert campaign.questionnaire.title == "Benieuwd naar de leercultuur in je organisatie?"
    assert campaign.anonymity_minimum == 5
    assert_accessible(page)
    assert page.locator("img.qr").count() == 2
    codes = CampaignNode.objects.filter(campaign=campaign, is_target=True).values_list(
        "code", flat=True
    )
    for code in codes:
        assert page.get_by_text(f"/s/{code}/").count() == 1

    page.locator("form[action$='/open/'] button").click()
    page.wait_for_load_state()
    campaign.refresh_from_db()
    assert campaign.state == "open"
    page.goto(f"/s/{codes[0]}/")
    assert page.get_by_role("heading", level=1).count() == 1
