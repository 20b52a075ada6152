"""Scheduled invitation reminders: after N days, once per invitation per round, by the
periodic tick."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from core import periodic
from orgs.models import AuditEvent
from scans import reminders, services
from scans.models import ScanInvitation

from .conftest import node, seed_answers

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def tokens_in(outbox) -> dict[str, str]:
    found = {m.to[0]: re.search(r"/s/i/([\w-]+)/", m.body) for m in outbox}
    assert all(found.values())
    return {to: match.group(1) for to, match in found.items() if match}


@pytest.fixture
def invited(campaign, admin_user, run_on_commit):
    """Three invitations sent at START; a@ answers straight away."""
    with time_machine.travel(START, tick=False):
        run_on_commit(
            services.invite_respondents,
            campaign,
            node(campaign, "Winkel"),
            ["a@x.test", "b@x.test", "c@x.test"],
            actor=admin_user,
        )
        services.submit_response(
            token=tokens_in(mail.outbox)["a@x.test"],
            client_key=secrets.token_urlsafe(16),
            answers=seed_answers(),
        )
    first = tokens_in(mail.outbox)
    mail.outbox.clear()
    return first


def test_no_reminder_before_n_days(campaign, invited, run_on_commit):
    with time_machine.travel(START + timedelta(days=6, hours=23), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 0
    assert mail.outbox == []


def test_after_n_days_the_unanswered_get_one_reminder_per_round(campaign, invited, run_on_commit):
    with time_machine.travel(START + timedelta(days=7), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 2
        assert run_on_commit(reminders.send_due_reminders) == 0  # run twice: nothing new
    assert sorted(m.to[0] for m in mail.outbox) == ["b@x.test", "c@x.test"]
    new = tokens_in(mail.outbox)
    assert new["b@x.test"] != invited["b@x.test"]  # a new personal link each time
    rows = {i.email: i for i in ScanInvitation.objects.filter(campaign=campaign)}
    assert rows["a@x.test"].reminders_sent == 0
    assert rows["b@x.test"].reminders_sent == 1
    assert rows["b@x.test"].last_sent_at == START + timedelta(days=7)
    event = AuditEvent.objects.filter(action="scan.reminders_sent").get()
    assert event.actor is None and event.data == {"count": 2, "scheduled": True}

    # The old link no longer works, the new one does; the next round skips b@.
    services.submit_response(
        token=new["b@x.test"], client_key=secrets.token_urlsafe(16), answers=seed_answers()
    )
    mail.outbox.clear()
    with time_machine.travel(START + timedelta(days=14), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 1
    assert [m.to[0] for m in mail.outbox] == ["c@x.test"]
    # At most MAX_REMINDERS in all: c@ gets no third.
    mail.outbox.clear()
    with time_machine.travel(START + timedelta(days=60), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 0
    assert mail.outbox == []
    assert ScanInvitation.objects.get(email="c@x.test").reminders_sent == reminders.MAX_REMINDERS


def test_a_round_is_recorded_before_the_mail_is_queued(campaign, invited, monkeypatch):
    """The mail is queued on commit, after the invitation moved to its next round: a
    second run before the worker sends it finds nothing to do."""
    from types import SimpleNamespace

    from scans import tasks

    queued: list[tuple] = []
    fake = SimpleNamespace(enqueue=lambda *args: queued.append(args))
    monkeypatch.setattr(tasks, "send_scan_invitation", fake)
    with time_machine.travel(START + timedelta(days=7), tick=False):
        reminders.send_due_reminders()
        # Not committed yet (the test's transaction): nothing queued, rounds recorded.
        assert queued == []
        assert set(
            ScanInvitation.objects.filter(reminders_sent=1).values_list("email", flat=True)
        ) == {"b@x.test", "c@x.test"}
        assert reminders.send_due_reminders() == 0


def test_a_manual_reminder_resets_the_clock(campaign, invited, admin_user, run_on_commit):
    with time_machine.travel(START + timedelta(days=5), tick=False):
        run_on_commit(services.send_reminders, campaign, actor=admin_user)
    mail.outbox.clear()
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 0
    with time_machine.travel(START + timedelta(days=12), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 2


def test_no_reminders_when_switched_off_or_closed(campaign, invited, admin_user, run_on_commit):
    reminders.set_reminder_days(campaign, 0, actor=admin_user)
    with time_machine.travel(START + timedelta(days=30), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 0
    reminders.set_reminder_days(campaign, 3, actor=admin_user)
    services.close_campaign(campaign, actor=admin_user)
    with time_machine.travel(START + timedelta(days=30), tick=False):
        assert run_on_commit(reminders.send_due_reminders) == 0
    assert mail.outbox == []


def test_the_tick_sends_them_once(campaign, invited, run_on_commit, monkeypatch):
    monkeypatch.setattr(periodic, "_registry", {})
    periodic.register(reminders.JOB_NAME, reminders.JOB_EVERY, reminders.send_due_reminders)
    with time_machine.travel(START + timedelta(days=7), tick=False):
        assert run_on_commit(periodic.tick) == [reminders.JOB_NAME]
        assert run_on_commit(periodic.tick) == []
    assert sorted(m.to[0] for m in mail.outbox) == ["b@x.test", "c@x.test"]


@pytest.mark.parametrize("bad", ["-1", "61", "seven", "", "7.5", "7\x00", "9" * 40])
def test_the_setting_refuses_bad_numbers(client, campaign, admin_user, bad):
    client.force_login(admin_user)
    url = f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}/reminders/"
    response = client.post(url, {"reminder_days": bad}, follow=True)
    assert response.status_code == 200
    assert "from 0 (no reminders) to 60" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.reminder_days == 7


def test_the_setting_is_saved_by_admins_only(
    client, campaign, admin_user, facilitator_user, outsider_user
):
    url = f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}/reminders/"
    for user, status in [(facilitator_user, 403), (outsider_user, 404)]:
        client.force_login(user)
        assert client.post(url, {"reminder_days": "3"}).status_code == status
    campaign.refresh_from_db()
    assert campaign.reminder_days == 7
    client.force_login(admin_user)
    page = client.get(f"/o/{campaign.organisation.slug}/scans/{campaign.public_id}/")
    assert 'name="reminder_days"' in page.content.decode()
    response = client.post(url, {"reminder_days": "3"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.reminder_days == 3
    assert AuditEvent.objects.filter(action="scan.reminder_days_set", data={"days": 3}).exists()
