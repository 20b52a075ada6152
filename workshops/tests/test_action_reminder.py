"""The reminder of a personal action, some days after the session, to those who left an
address (issue 4). With the register of actions installed the register sends it instead
(`test_register_hooks`); these tests run the workshop's own reminder without it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks import default_task_backend

from workshops import services
from workshops.models import PersonalAction
from workshops.tasks import ACTION_REMINDER_DAYS, send_action_reminder

from .conftest import go, key

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _without_the_register(monkeypatch):
    from workshops import register

    monkeypatch.setattr(register, "installed", lambda: False)


def _write(live, participant, facilitator_user, capture, email="ann@example.test", text=None):
    if live.current is None or live.current.kind != "personal_action":
        go(live, "personal_action", actor=facilitator_user)
    with capture(execute=True):
        result = services.submit_action(
            live,
            participant=participant,
            text=text or "Ik lees één boek per kwartaal",
            email=email,
            key=key(),
        )
    return result.value


def test_the_reminder_is_queued_days_later_with_the_action(
    live, join, facilitator_user, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = DUMMY
    participant, _t, _c = join("Ann")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        action = _write(live, participant, facilitator_user, django_capture_on_commit_callbacks)
    results = default_task_backend.results  # type: ignore[attr-defined]
    assert len(results) == 1
    queued = results[0]
    assert queued.task.name == send_action_reminder.name
    assert queued.task.run_after == now + timedelta(days=ACTION_REMINDER_DAYS)
    assert queued.args == [str(action.public_id), queued.task.run_after.isoformat()]


def test_the_number_of_days_is_a_setting(
    live, join, facilitator_user, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = DUMMY
    settings.WORKSHOP_ACTION_REMINDER_DAYS = 14
    participant, _t, _c = join()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _write(live, participant, facilitator_user, django_capture_on_commit_callbacks)
    (queued,) = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.task.run_after == now + timedelta(days=14)


def test_no_address_no_reminder(
    live, join, facilitator_user, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = DUMMY
    participant, _t, _c = join()
    _write(live, participant, facilitator_user, django_capture_on_commit_callbacks, email="")
    assert default_task_backend.results == []  # type: ignore[attr-defined]


def test_immediate_backend_sends_nothing_before_the_day_then_the_reminder(
    live, join, facilitator_user, django_capture_on_commit_callbacks
):
    participant, _t, _c = join("Ann")
    action = _write(live, participant, facilitator_user, django_capture_on_commit_callbacks)
    assert mail.outbox == []  # queued at once by the immediate backend, not due: nothing sent
    due = timezone.now() + timedelta(days=7)
    with time_machine.travel(due - timedelta(minutes=1)):
        assert send_action_reminder.call(str(action.public_id), due.isoformat()) == "not_due"
    assert mail.outbox == []
    services.end_session(live, actor=facilitator_user)
    with time_machine.travel(due + timedelta(minutes=1)):
        assert send_action_reminder.call(str(action.public_id), due.isoformat()) == "sent"
    (message,) = mail.outbox
    assert message.to == ["ann@example.test"]
    assert "Ik lees één boek per kwartaal" in message.body
    assert f"/s/{live.public_id}/" in message.body
    html = message.alternatives[0][0] if message.alternatives else ""
    assert "Ik lees één boek per kwartaal" in str(html)


def test_markup_in_the_action_is_escaped_in_the_html_mail(
    live, join, facilitator_user, django_capture_on_commit_callbacks
):
    participant, _t, _c = join()
    action = _write(
        live,
        participant,
        facilitator_user,
        django_capture_on_commit_callbacks,
        text="<script>alert(1)</script>",
    )
    due = timezone.now()
    assert send_action_reminder.call(str(action.public_id), due.isoformat()) == "sent"
    html = str(mail.outbox[0].alternatives[0][0])
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_skipped_when_the_session_was_deleted(
    live, join, facilitator_user, django_capture_on_commit_callbacks
):
    participant, _t, _c = join()
    action = _write(live, participant, facilitator_user, django_capture_on_commit_callbacks)
    live.delete()
    assert not PersonalAction.objects.exists()
    result = send_action_reminder.call(str(action.public_id), timezone.now().isoformat())
    assert result == "gone"
    assert mail.outbox == []


def test_skipped_when_the_action_was_replaced(
    live, join, facilitator_user, django_capture_on_commit_callbacks
):
    participant, _t, _c = join()
    first = _write(live, participant, facilitator_user, django_capture_on_commit_callbacks)
    _write(live, participant, facilitator_user, django_capture_on_commit_callbacks, email="")
    result = send_action_reminder.call(str(first.public_id), timezone.now().isoformat())
    assert result == "replaced"
    assert mail.outbox == []
