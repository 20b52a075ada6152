from __future__ import annotations

import datetime as dt

import time_machine
from django.core.management import call_command

from workshops import services
from workshops.models import LiveSession, Note, Participant, SessionEvent, Status
from workshops.summary import build_summary

from .conftest import go, key


def test_idle_sessions_end_and_contributions_expire(live, join, facilitator_user):
    participant, _t, _c = join()
    board = go(live, "board", actor=facilitator_user)
    services.add_note(live, participant=participant, step_id=board.id, text="bewaard", key=key())
    now = dt.datetime.now(dt.UTC)
    with time_machine.travel(now + dt.timedelta(hours=23), tick=False):
        call_command("workshops_cleanup", stdout=open("/dev/null", "w"))  # noqa: SIM115
        live.refresh_from_db()
        assert live.status != Status.ENDED
    with time_machine.travel(now + dt.timedelta(hours=25), tick=False):
        call_command("workshops_cleanup", stdout=open("/dev/null", "w"))  # noqa: SIM115
        live.refresh_from_db()
        assert live.status == Status.ENDED
        assert Note.objects.filter(session=live).count() == 1
    with time_machine.travel(now + dt.timedelta(days=367), tick=False):
        call_command("workshops_cleanup", stdout=open("/dev/null", "w"))  # noqa: SIM115
    live = LiveSession.objects.get(pk=live.pk)
    assert live.purged_at is not None
    assert Note.objects.filter(session=live).count() == 0
    assert Participant.objects.filter(session=live).count() == 0
    assert SessionEvent.objects.filter(session=live).count() == 0
    summary = build_summary(live)
    board_summary = next(s for s in summary["steps"] if s["kind"] == "board")
    assert board_summary["questions"][0]["notes"] == ["bewaard"]
    assert summary["participants"] == 1


def test_an_idle_session_takes_no_joins(live):
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=25), tick=False):
        try:
            services.join_session(code=live.code)
        except services.DomainError as error:
            assert error.status == 404
        else:
            raise AssertionError("joined an idle session")
    assert live.participants.count() == 0
