"""Moving through a session: steps, items and rounds, and the timer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import activities
from ..events import emit
from ..models import LiveSession, PhaseTiming, Status
from .common import atomic, locked, require_open, step_of, touch


def _enter_step(session: LiveSession, index: int, now: Any) -> None:
    steps = session.steps()
    before = session.current
    target = steps[index]
    if before is None or before.phase_index != target.phase_index:
        if before is not None:
            timing = PhaseTiming.objects.get(session=session, phase_index=before.phase_index)
            timing.seconds = timing.real_seconds(now)
            timing.entered_at = None
            timing.save(update_fields=["seconds", "entered_at"])
        PhaseTiming.objects.filter(session=session, phase_index=target.phase_index).update(
            entered_at=now
        )
    session.current_step = index
    session.current_item = 0
    session.step_started_at = now
    session.timer_deadline = None
    session.timer_remaining = None
    if session.status == Status.LOBBY:
        session.status = Status.RUNNING
        session.started_at = now
    touch(
        session,
        "current_step",
        "current_item",
        "step_started_at",
        "timer_deadline",
        "timer_remaining",
        "status",
        "started_at",
    )
    emit(session, "step", {"index": index, "step": target.id, "kind": target.kind})


def go_to_step(
    session: LiveSession, *, step_id: str | None = None, index: int | None = None, actor: Any
) -> LiveSession:
    with atomic():
        locked(session)
        require_open(session)
        steps = session.steps()
        if step_id is not None:
            index = step_of(session, step_id).index
        if index is None or not 0 <= index < len(steps):
            raise DomainError(_("There is no step there."), code="no_step", status=409)
        _enter_step(session, index, timezone.now())
    return session


def next_step(session: LiveSession, *, actor: Any) -> LiveSession:
    return go_to_step(session, index=session.current_step + 1, actor=actor)


def previous_step(session: LiveSession, *, actor: Any) -> LiveSession:
    return go_to_step(session, index=max(0, session.current_step - 1), actor=actor)


def set_item(session: LiveSession, *, index: int, actor: Any) -> LiveSession:
    """Show another discussion item or world-café round."""
    with atomic():
        locked(session)
        ref = session.current
        if session.status != Status.RUNNING or ref is None:
            raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
        count = activities.get(ref.kind).item_count(session, ref)
        if count is None:
            raise DomainError(_("This step has no items or rounds."), status=409)
        if not 0 <= index < count:
            raise DomainError(_("There is no item or round there."), status=409)
        session.current_item = index
        session.timer_deadline = None
        session.timer_remaining = None
        touch(session, "current_item", "timer_deadline", "timer_remaining")
        emit(session, "item", {"step": ref.id, "item": index})
    return session


def _timer_payload(session: LiveSession) -> dict[str, Any]:
    return {
        "deadline": session.timer_deadline.isoformat() if session.timer_deadline else None,
        "remaining": session.timer_remaining,
    }


def start_timer(session: LiveSession, *, seconds: int | None = None, actor: Any) -> LiveSession:
    """Start (or resume, without `seconds`) the timer of the current step."""
    with atomic():
        locked(session)
        if session.status != Status.RUNNING:
            raise DomainError(_("Start the session first."), status=409)
        if seconds is None:
            seconds = session.timer_remaining
        if seconds is None:
            seconds = planned_seconds(session)
        if not isinstance(seconds, int) or not 1 <= seconds <= 24 * 3600:
            raise DomainError(_("A timer runs between 1 second and 24 hours."))
        session.timer_deadline = timezone.now() + timedelta(seconds=seconds)
        session.timer_remaining = None
        touch(session, "timer_deadline", "timer_remaining")
        emit(session, "timer", _timer_payload(session))
    return session


def pause_timer(session: LiveSession, *, actor: Any) -> LiveSession:
    with atomic():
        locked(session)
        if session.timer_deadline is None:
            raise DomainError(_("The timer is not running."), status=409)
        session.timer_remaining = session.timer_seconds_left()
        session.timer_deadline = None
        touch(session, "timer_deadline", "timer_remaining")
        emit(session, "timer", _timer_payload(session))
    return session


def extend_timer(session: LiveSession, *, seconds: int = 60, actor: Any) -> LiveSession:
    with atomic():
        locked(session)
        if not isinstance(seconds, int) or not 1 <= seconds <= 3600:
            raise DomainError(_("Extend by 1 second to 1 hour."))
        if session.timer_deadline is not None:
            base = max(session.timer_deadline, timezone.now())
            session.timer_deadline = base + timedelta(seconds=seconds)
        elif session.timer_remaining is not None:
            session.timer_remaining += seconds
        else:
            raise DomainError(_("The timer is not running."), status=409)
        touch(session, "timer_deadline", "timer_remaining")
        emit(session, "timer", _timer_payload(session))
    return session


def planned_seconds(session: LiveSession) -> int:
    ref = session.current
    if ref is None:
        return 5 * 60
    seconds = activities.get(ref.kind).planned_seconds(session, ref)
    if seconds is not None:
        return seconds
    duration = ref.step.duration or ref.phase.duration
    return (duration.high if duration and duration.high else 5) * 60
