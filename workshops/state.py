"""What each screen shows of a session, as plain data (the API's JSON and the pages' context).

`participant_state` is what one participant needs now (never another participant's name
next to a note); `screen_state` is the facilitator console and presenter screen: the
current step with its live results. Facilitator-only texts (notes for the facilitator,
the points to add after a poll) are only in `screen_state`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count

from .models import (
    ActionPoint,
    Group,
    GroupMembership,
    GroupSummary,
    LiveSession,
    Note,
    Participant,
    PersonalAction,
    PhaseTiming,
    Photo,
    RotationSchedule,
    StepRef,
    Vote,
)
from .services import group_questions, participant_group, vote_counts


def timer_view(session: LiveSession) -> dict[str, Any]:
    return {
        "deadline": session.timer_deadline.isoformat() if session.timer_deadline else None,
        "remaining": session.timer_remaining,
        "running": session.timer_deadline is not None,
    }


def _choices(choices: Any) -> list[dict[str, str]]:
    return [{"key": c.key, "label": c.label} for c in choices]


def step_view(session: LiveSession, ref: StepRef, *, facilitator: bool = False) -> dict[str, Any]:
    step = ref.step
    view: dict[str, Any] = {
        "id": ref.id,
        "index": ref.index,
        "kind": ref.kind,
        "title": step.title or "",
        "text": step.text,
        "phase": {"index": ref.phase_index, "title": ref.phase.title},
        "duration": str(step.duration) if step.duration else None,
    }
    kind = ref.kind
    if kind == "statement_poll":
        view.update(
            statement=step.statement,
            choices=_choices(step.choices),
            instructions=list(step.instructions),
        )
    elif kind == "board":
        view.update(
            questions=list(step.questions), notes_per_participant=step.notes_per_participant
        )
    elif kind == "groups":
        view.update(
            questions=group_questions(session, ref),
            summary=step.summary,
            summary_prompt=step.summary_prompt,
            per_question=step.per_question,
            count=step.count,
        )
    elif kind == "rotation":
        view.update(
            questions=list(step.questions),
            minutes_per_round=step.minutes_per_round,
            moves=step.moves,
            summary_in_last_round=step.summary_in_last_round,
            round=session.current_item,
        )
    elif kind == "discussion":
        items = [
            {
                "title": item.title,
                "prompts": list(item.prompts),
                "minutes": str(item.minutes) if item.minutes else None,
                "is_scenario": item.is_scenario,
                **({"notes": item.notes} if facilitator else {}),
            }
            for item in step.items
        ]
        view.update(items=items, item=min(session.current_item, len(items) - 1))
    elif kind == "experiment":
        view.update(
            poll=list(step.poll),
            choices=_choices(step.choices),
            reflection_questions=list(step.reflection_questions),
        )
        if facilitator:
            view["groups"] = [{"name": g.name, "instructions": g.instructions} for g in step.groups]
    elif kind == "personal_action":
        view.update(prompt=step.prompt, examples=list(step.examples))
    elif kind == "action_points":
        view.update(prompts=list(step.prompts), fields=list(step.fields))
    elif kind == "questionnaire":
        view.update(questionnaire=step.questionnaire)
    elif kind == "checklist":
        view.update(
            options=_choices(step.options),
            sections=[
                {
                    "title": s.title or "",
                    "text": s.text,
                    "items": [{"key": i.key, "text": i.text} for i in s.items],
                }
                for s in step.sections
            ],
        )
    elif kind == "card":
        view.update(
            entries=[
                {
                    "label": e.label,
                    "question": e.question or "",
                    "explanation": e.explanation,
                    "example": e.example,
                }
                for e in step.entries
            ]
        )
    if facilitator:
        view["facilitator_notes"] = step.facilitator_notes
        if kind == "statement_poll":
            view["facilitator_points"] = list(step.facilitator_points)
    return view


def _notes(
    session: LiveSession, step_id: str, viewer: Participant | None = None, **filters: Any
) -> list[dict[str, Any]]:
    notes = Note.objects.filter(session=session, step_id=step_id, hidden=False, **filters)
    return [
        {
            "id": str(n.public_id),
            "question": n.question,
            "text": n.text,
            "mine": viewer is not None and n.participant_id == viewer.pk,
        }
        for n in notes.only("public_id", "question", "text", "participant_id")
    ]


def _group_view(session: LiveSession, ref: StepRef, group: Group) -> dict[str, Any]:
    members = list(
        Participant.objects.filter(
            pk__in=GroupMembership.objects.filter(group=group).values("participant_id")
        )
    )
    latest = GroupSummary.objects.filter(group=group).order_by("-created_at", "-id").first()
    view: dict[str, Any] = {
        "id": str(group.public_id),
        "number": group.number,
        "members": [p.display_name for p in members],
        "summary": latest.text if latest else "",
        "question": None,
        "question_index": group.question,
    }
    if ref.kind == "groups" and group.question is not None:
        questions = group_questions(session, ref)
        if group.question < len(questions):
            view["question"] = questions[group.question]
    elif ref.kind == "rotation":
        rotation = RotationSchedule.objects.filter(session=session, step_id=ref.id).first()
        if rotation:
            rnd = min(session.current_item, len(rotation.schedule) - 1)
            index = rotation.schedule[rnd][group.number - 1]
            view["question_index"] = index
            view["question"] = ref.step.questions[index]
    elif ref.kind == "experiment" and group.question is not None:
        spec = ref.step.groups[group.question]
        view["name"] = spec.name
        view["instructions"] = spec.instructions
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
    me["notes"] = list(_notes(session, ref.id, participant, participant=participant))
    me["votes"] = dict(
        Vote.objects.filter(participant=participant, step_id=ref.id, is_current=True).values_list(
            "item", "choice"
        )
    )
    group = (
        participant_group(session, ref, participant)
        if ref.kind in ("groups", "rotation", "experiment")
        else None
    )
    me["group"] = _group_view(session, ref, group) if group else None
    if ref.kind == "board":
        state["notes"] = _notes(session, ref.id, participant)
    elif ref.kind == "groups" and group is not None:
        source = session.step_by_key(ref.step.questions_from) if ref.step.questions_from else None
        if source is not None and group.question is not None:
            state["notes"] = _notes(session, source.id, participant, question=group.question)
        else:
            state["notes"] = _notes(session, ref.id, participant, group=group)
    elif ref.kind == "rotation" and me["group"] is not None:
        state["notes"] = _notes(
            session, ref.id, participant, question=me["group"]["question_index"]
        )
        rotation = RotationSchedule.objects.filter(session=session, step_id=ref.id).first()
        state["last_round"] = bool(rotation and session.current_item == len(rotation.schedule) - 1)
    elif ref.kind == "personal_action":
        action = PersonalAction.objects.filter(
            participant=participant, step_id=ref.id, is_current=True
        ).first()
        me["action"] = (
            {"text": action.text, "email": action.email, "show_name": action.show_name}
            if action
            else None
        )
    elif ref.kind == "discussion":
        state["notes"] = _notes(session, ref.id, None, question=session.current_item)
    return state


def results(session: LiveSession, ref: StepRef) -> dict[str, Any]:
    """The live results of a step, for the console and the presenter screen."""
    kind = ref.kind
    out: dict[str, Any] = {}
    if kind == "statement_poll":
        counts = vote_counts(session, ref.id)
        out["counts"] = [
            {"key": c.key, "label": c.label, "count": counts.get(c.key, 0)}
            for c in ref.step.choices
        ]
        out["total"] = sum(counts.values())
    elif kind in ("board", "rotation", "discussion", "groups", "experiment"):
        by_question: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for note in Note.objects.filter(session=session, step_id=ref.id).select_related("group"):
            by_question[note.question].append(
                {
                    "id": str(note.public_id),
                    "text": note.text,
                    "hidden": note.hidden,
                    "group": note.group.number if note.group else None,
                }
            )
        out["notes"] = dict(by_question)
    if kind in ("groups", "rotation", "experiment"):
        groups = Group.objects.filter(session=session, step_id=ref.id).order_by("number")
        out["groups"] = [_group_view(session, ref, g) for g in groups]
        out["grouped"] = set(
            GroupMembership.objects.filter(group__session=session, step_id=ref.id).values_list(
                "participant_id", flat=True
            )
        )
    if kind == "rotation":
        rotation = RotationSchedule.objects.filter(session=session, step_id=ref.id).first()
        out["schedule"] = rotation.schedule if rotation else None
    if kind == "experiment":
        out["per_group"] = experiment_results(session, ref)
    if kind == "checklist":
        out["checklist"] = checklist_results(session, ref)
    if kind == "personal_action":
        actions = PersonalAction.objects.filter(session=session, step_id=ref.id, is_current=True)
        out["actions"] = [
            {
                "id": str(a.public_id),
                "text": a.text,
                "name": a.participant.display_name if a.show_name and a.participant else None,
            }
            for a in actions.select_related("participant")
        ]
    if kind == "action_points":
        out["action_points"] = list(ActionPoint.objects.filter(session=session))
    if kind == "photo":
        out["photos"] = list(Photo.objects.filter(session=session))
    return out


def experiment_results(session: LiveSession, ref: StepRef) -> list[dict[str, Any]]:
    """Poll answers per experiment group: [{group, statements: [{statement, counts}]}]."""
    member_group = dict(
        GroupMembership.objects.filter(group__session=session, step_id=ref.id).values_list(
            "participant_id", "group__number"
        )
    )
    tallies: dict[tuple[int | None, str], Counter[str]] = defaultdict(Counter)
    for participant_id, item, choice in Vote.objects.filter(
        session=session, step_id=ref.id, is_current=True
    ).values_list("participant_id", "item", "choice"):
        tallies[(member_group.get(participant_id), item)][choice] += 1
    numbers = sorted({g for g, _i in tallies} | set(member_group.values()), key=lambda n: n or 0)
    return [
        {
            "group": number,
            "statements": [
                {
                    "statement": statement,
                    "counts": [
                        {"label": c.label, "count": tallies[(number, str(i))][c.key]}
                        for c in ref.step.choices
                    ],
                }
                for i, statement in enumerate(ref.step.poll)
            ],
        }
        for number in numbers
    ]


def checklist_results(session: LiveSession, ref: StepRef) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for item, choice, n in (
        Vote.objects.filter(session=session, step_id=ref.id, is_current=True)
        .values_list("item", "choice")
        .annotate(n=Count("id"))
    ):
        counts[item][choice] = n
    return [
        {
            "text": item.text,
            "counts": [
                {"label": o.label, "count": counts[item.key][o.key]} for o in ref.step.options
            ],
        }
        for item in ref.step.items
    ]


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
        "seq": session.last_event_seq,
    }


def scan_view(session: LiveSession) -> dict[str, Any] | None:
    """The linked scan's organisation-level figures, suppressed exactly as in its report."""
    campaign = session.scan_campaign
    if campaign is None:
        return None
    from scans.reports import presenter_results, too_few

    report = presenter_results(campaign)
    return {
        "name": campaign.name,
        "focus": report.focus,
        "questions": [
            {"number": q.number, "text": q.text, "column": q.columns[0]} for q in report.questions
        ],
        "too_few": too_few(),
    }
