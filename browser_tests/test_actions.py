"""The owner of three agreements gets the digest, sees them in "mijn acties" on a phone and
marks one done; the facilitator plans a follow-up conversation whose invite carries an
iCalendar file."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from actions import services
from actions.models import Action, Conversation
from conftest import make_user
from orgs.models import Membership, Organisation, Role

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def setup(transactional_db):
    org = Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")
    owner = make_user("olivia@korenbloem.test", PASSWORD)
    facilitator = make_user("fien@korenbloem.test", PASSWORD)
    Membership.objects.create(user=owner, organisation=org, role=Role.MEMBER)
    Membership.objects.create(user=facilitator, organisation=org, role=Role.FACILITATOR)
    today = timezone.localdate()
    for i, text in enumerate(["Opleidingsbudget vragen", "Leerwensen bespreken", "Meter kiezen"]):
        services.create_action(
            org,
            {"text": text, "owner": owner, "due_date": today + timedelta(days=1 + 7 * i)},
            actor=facilitator,
        )
    return org, owner, facilitator


def login(page, email):
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def test_owner_marks_one_done_and_a_conversation_is_planned(page, assert_accessible, setup):
    _org, owner, facilitator = setup
    from actions.reminders import run_tick

    assert run_tick() == 1  # the owner's digest: "Opleidingsbudget vragen" is due tomorrow
    [digest] = [m for m in mail.outbox if owner.email in m.to]
    assert "Opleidingsbudget vragen" in digest.body and "List-Unsubscribe" in digest.extra_headers
    assert run_tick() == 0
    login(page, owner.email)
    page.goto("/o/korenbloem/acties/mijn/")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for text in ("Opleidingsbudget vragen", "Leerwensen bespreken", "Meter kiezen"):
        assert page.get_by_text(text).count() == 1
    page.get_by_role("link", name="Leerwensen bespreken").click()
    page.wait_for_url(re.compile(r"/acties/[0-9a-f-]{36}/$"))
    assert_accessible(page)
    page.locator("#id_status").select_option("done")
    page.locator("#id_note").fill("Besproken in het teamoverleg")
    page.locator("form.progress-form button[type=submit]").click()
    page.wait_for_load_state()
    action = Action.objects.get(text="Leerwensen bespreken")
    assert action.status == "done"
    assert action.events.filter(kind="status", note="Besproken in het teamoverleg").exists()
    assert page.locator("ol.history li").count() == 2
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, facilitator.email)
    page.goto(f"/o/korenbloem/acties/{action.public_id}/")
    page.locator("a[href*='gesprekken/nieuw']").click()
    page.wait_for_url(re.compile(r"/gesprekken/nieuw/"))
    assert_accessible(page)
    assert page.locator("#id_employee_email").input_value() == owner.email
    page.locator("form.conversation-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/gesprekken/[0-9a-f-]{36}/$"))
    assert_accessible(page)
    assert page.get_by_text("www.elanplus.be").count() >= 1
    conversation = Conversation.objects.get()
    assert conversation.action == action
    assert (timezone.localtime(conversation.starts_at).date() - timezone.localdate()).days == 28
    invites = [m for m in mail.outbox if owner.email in m.to]
    assert invites and any(a[0] == "invite.ics" for a in invites[-1].attachments)
    from icalendar import Calendar

    cal = Calendar.from_ical(invites[-1].attachments[0][1])
    assert cal["METHOD"] == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["UID"]) == conversation.uid
