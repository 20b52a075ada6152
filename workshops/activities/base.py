"""What every activity (step kind) can define; the defaults are "this kind has none of it".

An activity module subclasses `Activity`, sets `kind` and overrides what its kind has:

- `questions(session, ref)`: the labels of the questions notes are posted to (index =
  `Note.question`); the one definition used by the note check, the screens and the summary.
- `check_note(...)`: may a note go to this question now; returns the group and round the
  note belongs to.
- `vote_options(ref, item)`: the choices of one statement/item, None if it has none.
- `view(...)`: the kind's part of the step as a screen shows it (`state.step_view`).
- `participant_view(...)`: what one participant's screen adds (notes, last round ...).
- `results(...)`: the live results on the console and presenter screen.
- `summary(...)`: the kind's part of the session summary.
- `item_count`, `planned_seconds`, `group_plan`, `group_question`: items or rounds, the
  timer's default, how groups are made and what each group works on.

Register the class with `@register` (see `workshops.activities`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import queries
from ..models import (
    Group,
    GroupMembership,
    GroupSummary,
    LiveSession,
    Note,
    Participant,
    StepRef,
)


def choices(items: Any) -> list[dict[str, str]]:
    return [{"key": c.key, "label": c.label} for c in items]


class Activity:
    kind: ClassVar[str] = ""
    takes_notes: ClassVar[bool] = False
    """Participants (or the scribe) post notes on this step."""
    has_groups: ClassVar[bool] = False
    """The facilitator splits the room into groups; late joiners are placed in one."""

    # --- Questions and contributions -------------------------------------------------------

    def questions(self, session: LiveSession, ref: StepRef) -> list[str]:
        return []

    def question_count(self, session: LiveSession, ref: StepRef) -> int:
        return max(1, len(self.questions(session, ref)))

    def check_note(
        self, session: LiveSession, ref: StepRef, participant: Participant | None, question: int
    ) -> tuple[Group | None, int | None]:
        """Refuse a note that may not go to `question` now; else its (group, round)."""
        if not 0 <= question < self.question_count(session, ref):
            raise DomainError(
                _("This step has no such question."), code="unknown_question", status=404
            )
        group = None
        if participant is not None and self.has_groups:
            group = queries.participant_group(session, ref, participant)
        return group, None

    def vote_options(self, ref: StepRef, item: str) -> list[str] | None:
        return None

    # --- Screens ---------------------------------------------------------------------------

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        return {}

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        """Add what this participant's screen shows of the step to `state` (and `state["me"]`)."""

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {}

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        return {}

    # --- Flow ------------------------------------------------------------------------------

    def item_count(self, session: LiveSession, ref: StepRef) -> int | None:
        """How many items or rounds the facilitator can go through (None: the kind has none)."""
        return None

    def planned_seconds(self, session: LiveSession, ref: StepRef) -> int | None:
        """The timer's default for this step, None for the step's or phase's duration."""
        return None

    # --- Groups ----------------------------------------------------------------------------

    def group_plan(
        self, session: LiveSession, ref: StepRef, count: int | None
    ) -> tuple[int | None, list[int | None]]:
        """The number of groups to make and each group's question index."""
        raise DomainError(_("The current step has no groups."), code="no_groups", status=409)

    def after_groups(self, session: LiveSession, ref: StepRef, count: int) -> None:
        """What the kind adds once its groups are made (the world café's schedule)."""

    def group_question(self, session: LiveSession, ref: StepRef, group: Group) -> dict[str, Any]:
        """What this group works on now: question (text), question_index, maybe more."""
        return {"question": None, "question_index": group.question}

    def current_question(self, session: LiveSession, ref: StepRef, group: Group) -> int | None:
        """The question index a group's summary written now is about."""
        return group.question


def notes_summary(questions: list[str], notes: list[Note]) -> dict[str, Any]:
    """The summary's notes per question (left out when there are none)."""
    entries = [
        {"question": q, "notes": [n.text for n in notes if n.question == i]}
        for i, q in enumerate(questions)
    ]
    return {"questions": entries} if any(e["notes"] for e in entries) else {}


def group_view(
    activity: Activity, session: LiveSession, ref: StepRef, group: Group
) -> dict[str, Any]:
    """One group as the screens show it: members, latest summary and what it works on."""
    members = list(
        Participant.objects.filter(
            pk__in=GroupMembership.objects.filter(group=group).values("participant_id")
        )
    )
    latest = GroupSummary.objects.filter(group=group).order_by("-created_at", "-id").first()
    return {
        "id": str(group.public_id),
        "number": group.number,
        "members": [p.display_name for p in members],
        "summary": latest.text if latest else "",
        **activity.group_question(session, ref, group),
    }


class GroupActivity(Activity):
    """Shared by the kinds that work in groups (groups, world café, experiment)."""

    has_groups = True

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        state["me"]["group"] = group_view(self, session, ref, group) if group else None

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        out: dict[str, Any] = {"notes": queries.notes_by_question(session, ref.id)}
        out["groups"] = [group_view(self, session, ref, g) for g in queries.groups_of(session, ref)]
        out["grouped"] = set(
            GroupMembership.objects.filter(group__session=session, step_id=ref.id).values_list(
                "participant_id", flat=True
            )
        )
        return out

    def summary_question(
        self, session: LiveSession, ref: StepRef, group: Group, writes: list[GroupSummary]
    ) -> str | None:
        return None

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        entry = notes_summary(self.questions(session, ref) or [""], notes)
        groups = []
        for group in queries.groups_of(session, ref):
            writes = list(GroupSummary.objects.filter(group=group).order_by("-created_at", "-id"))
            groups.append(
                {
                    "number": group.number,
                    "question": self.summary_question(session, ref, group, writes),
                    "size": group.memberships.count(),
                    "summary": writes[0].text if writes else "",
                    "history": len(writes),
                }
            )
        entry["groups"] = groups
        return entry
