from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from actions import reminders, services
from actions.models import Action, OwnerSettings, Reminder, Status

BRUSSELS = ZoneInfo("Europe/Brussels")


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BRUSSELS)


DAY = date(2027, 3, 10)


@pytest.fixture
def owned(org, owner_user, facilitator_user):
    def make(text, **fields):
        return services.create_action(
            org, {"text": text, "owner": owner_user, **fields}, actor=facilitator_user
        ).action

    with time_machine.travel(at(DAY - timedelta(days=20)), tick=False):
        return {
            "soon": make("Binnenkort", due_date=DAY + timedelta(days=2)),
            "late": make("Te laat", due_date=DAY - timedelta(days=1)),
            "later": make("Later", due_date=DAY + timedelta(days=10)),
            "evaluate": make("Evalueren", due_date=DAY - timedelta(days=30), evaluation_date=DAY),
        }


def recorded(live, **fields) -> Action:
    """A participant's personal action, written on their phone and put in the register."""
    from workshops import services as ws
    from workshops.models import PersonalAction

    from .conftest import key

    participant, _t = ws.join_session(code=live.code, name="")
    personal = PersonalAction.objects.create(
        session=live,
        participant=participant,
        key=key()[:32],
        step_id="s1",
        text="Ik schrijf me in voor een cursus",
        **fields,
    )
    action = services.record_personal_action(personal)
    assert action is not None
    return action


def digests_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_digest_lists_due_overdue_and_evaluation_once_a_day(owned, owner_user):
    Action.objects.filter(pk=owned["evaluate"].pk).update(status=Status.DONE)
    with time_machine.travel(at(DAY), tick=False):
        assert reminders.run_tick() == 1
        assert reminders.run_tick() == 0  # a second tick the same day sends nothing
    [message] = digests_to(owner_user.email)
    assert "Binnenkort" in message.body and "Te laat" in message.body
    assert "Evalueren" in message.body and "Later" not in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Reminder.objects.filter(kind="digest", user=owner_user, day=DAY).count() == 1
    with time_machine.travel(at(DAY + timedelta(days=1)), tick=False):
        assert reminders.run_tick() == 1
    second = digests_to(owner_user.email)[1]
    assert "Evalueren" not in second.body  # its evaluation date has passed and was listed


def test_missed_days_are_caught_up_once(owned, owner_user):
    with time_machine.travel(at(DAY + timedelta(days=5)), tick=False):
        assert reminders.run_tick() == 1
        assert reminders.run_tick() == 0
    assert len(digests_to(owner_user.email)) == 1
    assert "Evalueren" in digests_to(owner_user.email)[0].body  # missed, listed once


def test_restart_sends_nothing_twice(owned, owner_user):
    with time_machine.travel(at(DAY), tick=False):
        reminders.run_tick()
    with time_machine.travel(at(DAY, 15), tick=False):  # the server restarted at three
        out = io.StringIO()
        call_command("remind", stdout=out)
    assert out.getvalue().strip() == "0 reminder(s) queued."
    assert len(digests_to(owner_user.email)) == 1


def test_two_ticks_at_once_send_once(owned, owner_user, monkeypatch):
    """The second worker's tick runs completely between the first's reading and inserting."""
    original = Reminder.objects.bulk_create
    state = {"inner": False}

    def racing(objs, **kwargs):
        if not state["inner"]:
            state["inner"] = True
            inner_sent = reminders.run_tick()
            assert inner_sent == 1
        return original(objs, **kwargs)

    monkeypatch.setattr(Reminder.objects, "bulk_create", racing)
    with time_machine.travel(at(DAY), tick=False):
        outer_sent = reminders.run_tick()
    assert outer_sent == 0
    assert len(digests_to(owner_user.email)) == 1


def test_digest_off(owned, owner_user):
    services.set_digest(owner_user, False)
    with time_machine.travel(at(DAY), tick=False):
        assert reminders.run_tick() == 0
    assert mail.outbox == []


def test_one_click_unsubscribe(owned, owner_user):
    with time_machine.travel(at(DAY), tick=False):
        reminders.run_tick()
    link = digests_to(owner_user.email)[0].extra_headers["List-Unsubscribe"][1:-1]
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = Client(enforce_csrf_checks=True).post("/" + path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert OwnerSettings.objects.get(user=owner_user).digest is False
    with time_machine.travel(at(DAY + timedelta(days=1)), tick=False):
        assert reminders.run_tick() == 0
    assert Client().get("/acties/uitschrijven/forged/").status_code == 404


def test_personal_action_reminded_once_on_its_due_date(personal):
    action, raw = personal
    Action.objects.filter(pk=action.pk).update(due_date=DAY)
    with time_machine.travel(at(DAY - timedelta(days=1)), tick=False):
        assert reminders.run_tick() == 0
    with time_machine.travel(at(DAY + timedelta(days=2)), tick=False):  # two days missed
        assert reminders.run_tick() == 1
        assert reminders.run_tick() == 0
    with time_machine.travel(at(DAY + timedelta(days=3)), tick=False):
        assert reminders.run_tick() == 0
    [message] = mail.outbox
    assert message.to == ["deelnemer@example.test"]
    assert f"/a/{raw}/" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert Reminder.objects.filter(action=action, kind="due").count() == 1


def test_personal_reminder_unsubscribe(personal):
    action, _raw = personal
    Action.objects.filter(pk=action.pk).update(due_date=DAY)
    Action.objects.filter(pk=action.pk).update(reminders_off=True)
    with time_machine.travel(at(DAY), tick=False):
        assert reminders.run_tick() == 0


def test_digest_escapes_html(org, owner_user, facilitator_user):
    with time_machine.travel(at(DAY - timedelta(days=2)), tick=False):
        services.create_action(
            org,
            {"text": "<script>alert(1)</script>", "owner": owner_user, "due_date": DAY},
            actor=facilitator_user,
        )
    with time_machine.travel(at(DAY), tick=False):
        assert reminders.run_tick() == 1
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "<script>alert(1)</script>" in message.body  # plain text stays as typed


def test_no_digest_after_leaving_the_organisation(owned, owner_user):
    from orgs.models import Membership

    Membership.objects.filter(user=owner_user).delete()
    with time_machine.travel(at(DAY), tick=False):
        assert reminders.run_tick() == 0
    assert mail.outbox == []


def test_participant_who_left_an_address_is_reminded_through_the_link(live):
    import re

    action = recorded(live, email="sara@example.test")
    with time_machine.travel(at(action.due_date), tick=False):
        assert reminders.run_tick() == 1
    [message] = mail.outbox
    link = re.search(r"https?://\S+/a/(lma_[\w-]+)/", message.body).group(1)
    page = Client().get(f"/a/{link}/")
    assert page.status_code == 200 and "Ik schrijf me in" in page.content.decode()


def test_the_reminder_is_in_the_language_the_phone_was_in(live):
    """A participant whose phone was in English gets the due-date reminder in English;
    without a recorded language it is the organisation's Dutch."""
    subjects = {}
    for language, address in (("en", "ann@example.test"), ("", "bob@example.test")):
        action = recorded(live, email=address, language=language)
        with time_machine.travel(at(action.due_date), tick=False):
            assert reminders.run_tick() == 1
        subjects.update({m.to[0]: m.subject for m in mail.outbox})
    assert subjects["ann@example.test"] == "Today is the day for your action"
    assert subjects["bob@example.test"] == "Vandaag is de dag voor je actie"
