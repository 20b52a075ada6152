"""Ending a session asks for confirmation and can be undone for a minute (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import DomainError
from workshops import services
from workshops.models import PhaseTiming, SessionEvent, Status
from workshops.services.lifecycle import can_reopen, reopen_session

from .conftest import go


def _base(org, live) -> str:
    return f"/o/{org.slug}/workshops/{live.public_id}/"


def test_the_console_asks_before_ending(client, org, live, facilitator_user):
    go(live, "board", actor=facilitator_user)
    client.force_login(facilitator_user)
    page = client.get(_base(org, live)).content.decode()
    assert "data-end-confirm" in page
    assert "Yes, end the session" in page
    assert "data-key-next" in page and "data-key-back" in page
    live.refresh_from_db()
    assert live.status == Status.RUNNING


def test_the_last_step_offers_to_end(client, org, live, facilitator_user):
    last = live.steps()[-1]
    services.go_to_step(live, step_id=last.id, actor=facilitator_user)
    client.force_login(facilitator_user)
    page = client.get(_base(org, live)).content.decode()
    assert 'href="#end-session" data-key-next' in page
    assert 'value="next"' not in page


def test_ending_can_be_undone_within_a_minute(client, org, live, facilitator_user):
    ref = go(live, "board", actor=facilitator_user)
    client.force_login(facilitator_user)
    base = _base(org, live)
    assert client.post(base + "control/", {"action": "end"}).status_code == 302
    live.refresh_from_db()
    assert live.status == Status.ENDED
    summary = client.get(base + "summary/").content.decode()
    assert 'value="reopen"' in summary
    seq = live.last_event_seq
    assert client.post(base + "control/", {"action": "reopen"}).status_code == 302
    live.refresh_from_db()
    assert live.status == Status.RUNNING
    assert live.ended_at is None
    assert live.current.id == ref.id
    timing = PhaseTiming.objects.get(session=live, phase_index=ref.phase_index)
    assert timing.entered_at is not None
    event = SessionEvent.objects.filter(session=live, seq__gt=seq).get()
    assert event.event == "step"
    assert 'value="reopen"' not in client.get(base + "summary/").content.decode()


def test_a_session_cannot_be_reopened_after_a_minute(org, live, facilitator_user):
    go(live, "board", actor=facilitator_user)
    services.end_session(live, actor=facilitator_user)
    live.refresh_from_db()
    later = live.ended_at + timedelta(seconds=61)
    assert can_reopen(live, live.ended_at + timedelta(seconds=59))
    assert not can_reopen(live, later)
    live.ended_at = timezone.now() - timedelta(seconds=61)
    live.save(update_fields=["ended_at"])
    with pytest.raises(DomainError):
        reopen_session(live, actor=facilitator_user)
    live.refresh_from_db()
    assert live.status == Status.ENDED


def test_a_running_session_is_not_reopened(org, live, facilitator_user):
    go(live, "board", actor=facilitator_user)
    with pytest.raises(DomainError):
        reopen_session(live, actor=facilitator_user)


def test_reopen_is_not_for_members(client, org, live, member_user, facilitator_user):
    go(live, "board", actor=facilitator_user)
    services.end_session(live, actor=facilitator_user)
    client.force_login(member_user)
    response = client.post(_base(org, live) + "control/", {"action": "reopen"})
    assert response.status_code == 403
    live.refresh_from_db()
    assert live.status == Status.ENDED
