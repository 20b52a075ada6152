"""Reads of a session's rows that more than one module needs (no changes here).

The activity modules, the screens (`state`), the summary and the services all read through
these functions; nothing here imports them back, so the modules form no circle:
models <- queries <- activities <- services / state / summary <- api / views / tasks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count

from .models import (
    Group,
    GroupMembership,
    LiveSession,
    Note,
    Participant,
    RotationSchedule,
    StepRef,
    Vote,
)


def participant_group(session: LiveSession, ref: StepRef, participant: Participant) -> Group | None:
    membership = (
        GroupMembership.objects.select_related("group")
        .filter(participant=participant, step_id=ref.id, group__session=session)
        .first()
    )
    return membership.group if membership else None


def rotation(session: LiveSession, ref: StepRef) -> RotationSchedule | None:
    return RotationSchedule.objects.filter(session=session, step_id=ref.id).first()


def vote_counts(session: LiveSession, step_id: str, item: str = "") -> dict[str, int]:
    rows = (
        Vote.objects.filter(session=session, step_id=step_id, item=item, is_current=True)
        .values("choice")
        .annotate(n=Count("id"))
    )
    return {row["choice"]: row["n"] for row in rows}


def visible_notes(
    session: LiveSession, step_id: str, viewer: Participant | None = None, **filters: Any
) -> list[dict[str, Any]]:
    """The notes a screen shows (hidden ones left out); `mine` marks the viewer's own."""
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


def notes_by_question(session: LiveSession, step_id: str) -> dict[int, list[dict[str, Any]]]:
    """Every note of a step (hidden ones too, marked), per question: the console's view."""
    by_question: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for note in Note.objects.filter(session=session, step_id=step_id).select_related("group"):
        by_question[note.question].append(
            {
                "id": str(note.public_id),
                "text": note.text,
                "hidden": note.hidden,
                "group": note.group.number if note.group else None,
            }
        )
    return dict(by_question)


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


def groups_of(session: LiveSession, ref: StepRef) -> list[Group]:
    return list(Group.objects.filter(session=session, step_id=ref.id).order_by("number"))
