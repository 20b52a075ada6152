"""What each screen shows of a session, as plain data (the API's JSON and the pages' context).

`participant_state` is what one participant needs now (never another participant's name
next to a note); `screen_state` is the facilitator console and presenter screen: the
current step with its live results. Facilitator-only texts (notes for the facilitator,
the points to add after a poll) are only in `screen_state`.
"""

from __future__ import annotations

from typing import Any

from . import activities, queries
from .models import LiveSession, Participant, PhaseTiming, StepRef, Vote


def timer_view(session: LiveSession) -> dict[str, Any]:
    return {
        "deadline": session.timer_deadline.isoformat() if session.timer_deadline else None,
        "remaining": session.timer_remaining,
        "running": session.timer_deadline is not None,
    }


def step_view(session: LiveSession, ref: StepRef, *, facilitator: bool = False) -> dict[str, Any]:
    step = ref.step
    view: dict[str, Any] = {
        "id": ref.id,
        "index": ref.index,
        "kind": ref.kind,
        "title": step.title or "",
        "participant_text": step.participant_text,
        "phase": {"index": ref.phase_index, "title": ref.phase.title},
        "duration": str(step.duration) if step.duration else None,
    }
    view.update(activities.get(ref.kind).view(session, ref, facilitator=facilitator))
    if facilitator:
        view["text"] = step.text
        view["facilitator_notes"] = step.facilitator_notes
    return view


def participant_state(session: LiveSession, participant: Participant) -> dict[str, Any]:
    ref = session.current
    me: dict[str, Any] = {
        "id": participant.public_id,
        "name": participant.display_name,
        "scribe": session.scribe_id == participant.pk,
    }
    state: dict[str, Any] = {
        "session": {"code": session.code, "status": session.status, "title": session.title},
        "step": step_view(session, ref) if ref else None,
        "timer": timer_view(session),
        "me": me,
        "seq": session.last_event_seq,
    }
    if ref is None:
        return state
    me["notes"] = list(queries.visible_notes(session, ref.id, participant, participant=participant))
    me["votes"] = dict(
        Vote.objects.filter(participant=participant, step_id=ref.id, is_current=True).values_list(
            "item", "choice"
        )
    )
    activity = activities.get(ref.kind)
    group = queries.participant_group(session, ref, participant) if activity.has_groups else None
    me["group"] = None
    activity.participant_view(session, ref, participant, state, group)
    return state


def results(session: LiveSession, ref: StepRef) -> dict[str, Any]:
    """The live results of a step, for the console and the presenter screen."""
    return activities.get(ref.kind).results(session, ref)


def phase_overview(session: LiveSession) -> list[dict[str, Any]]:
    timings = {t.phase_index: t for t in PhaseTiming.objects.filter(session=session)}
    current = session.current
    phases = []
    for index, phase in enumerate(session.format_content.phases):
        timing = timings.get(index)
        phases.append(
            {
                "index": index,
                "title": phase.title,
                "planned": str(phase.duration) if phase.duration else "",
                "elapsed_minutes": round(timing.real_seconds() / 60) if timing else 0,
                "current": current is not None and current.phase_index == index,
                "steps": [
                    {
                        "id": ref.id,
                        "index": ref.index,
                        "kind": ref.kind,
                        "title": ref.step.title or "",
                        "current": ref.index == session.current_step,
                    }
                    for ref in session.steps()
                    if ref.phase_index == index
                ],
            }
        )
    return phases


def screen_state(session: LiveSession) -> dict[str, Any]:
    ref = session.current
    return {
        "session": session,
        "step": step_view(session, ref, facilitator=True) if ref else None,
        "ref": ref,
        "timer": timer_view(session),
        "results": results(session, ref) if ref else {},
        "participants": list(Participant.objects.filter(session=session)),
        "phases": phase_overview(session),
        "shown_action": session.shown_action.text if session.shown_action else None,
        "scan": scan_view(session) if session.show_scan else None,
        "next_step": next_step_view(session),
        "seq": session.last_event_seq,
    }


def _room_text(step: Any) -> str:
    """What the room reads of a step, in Markdown: its participant text, else the
    statement, prompt or questions it puts to the participants."""
    if step.participant_text:
        return str(step.participant_text)
    for name in ("statement", "prompt"):
        value = getattr(step, name, None)
        if isinstance(value, str) and value:
            return value
    questions = getattr(step, "questions", None)
    if questions and all(isinstance(q, str) for q in questions):
        return "\n".join(f"- {q}" for q in questions)
    return ""


def next_step_view(session: LiveSession) -> dict[str, Any] | None:
    """The step after the current one, for the console's preview (None after the last:
    what follows is ending the session)."""
    steps = session.steps()
    index = session.current_step + 1
    if not 0 <= index < len(steps):
        return None
    ref = steps[index]
    step = ref.step
    return {
        "id": ref.id,
        "index": ref.index,
        "kind": ref.kind,
        "title": step.title or "",
        "phase": ref.phase.title,
        "new_phase": session.current is None or session.current.phase_index != ref.phase_index,
        "duration": str(step.duration) if step.duration else None,
        "room_text": _room_text(step),
    }


def scan_view(session: LiveSession) -> dict[str, Any] | None:
    """The linked scan's question that the presenter shows, for the organisation and its
    groups, suppressed exactly as in its report (`scans.presenter`)."""
    campaign = session.scan_campaign
    if campaign is None:
        return None
    from scans.presenter import presenter_results
    from scans.reports import too_few

    shown = presenter_results(campaign)
    count = len(shown.questions)
    index = min(session.scan_question, count - 1) if count else 0
    question = shown.questions[index] if count else None
    rows = []
    if question is not None and question.columns[0].visible:
        for i, option in enumerate(question.columns[0].options or []):
            cells = [(c.options or [])[i] for c in question.columns]
            rows.append({"label": option.label, "cells": cells})
    return {
        "name": shown.name,
        "organisation": shown.organisation,
        "groups": shown.groups,
        "more_groups": shown.more_groups,
        "question": question,
        "rows": rows,
        "index": index,
        "count": count,
        "too_few": too_few(),
    }
