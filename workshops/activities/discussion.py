"""A discussion in items; the facilitator or the named scribe takes the notes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import queries
from ..models import Group, LiveSession, Note, Participant, StepRef
from . import register
from .base import Activity, notes_summary


@register
class Discussion(Activity):
    kind = "discussion"
    takes_notes = True

    def questions(self, session: LiveSession, ref: StepRef) -> list[str]:
        return [item.title for item in ref.step.items]

    def question_count(self, session: LiveSession, ref: StepRef) -> int:
        return len(ref.step.items)

    def check_note(
        self, session: LiveSession, ref: StepRef, participant: Participant | None, question: int
    ) -> tuple[Group | None, int | None]:
        if participant is not None and session.scribe_id != participant.pk:
            raise DomainError(
                _("The facilitator or the scribe takes the notes of a discussion."), status=409
            )
        return super().check_note(session, ref, participant, question)

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        items = [
            {
                "title": item.title,
                "prompts": list(item.prompts),
                "minutes": str(item.minutes) if item.minutes else None,
                "is_scenario": item.is_scenario,
                **({"notes": item.notes} if facilitator else {}),
            }
            for item in ref.step.items
        ]
        return {"items": items, "item": min(session.current_item, len(items) - 1)}

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        state["notes"] = queries.visible_notes(session, ref.id, None, question=session.current_item)

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {"notes": queries.notes_by_question(session, ref.id)}

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        return notes_summary(self.questions(session, ref), notes)

    def item_count(self, session: LiveSession, ref: StepRef) -> int | None:
        return len(ref.step.items)

    def planned_seconds(self, session: LiveSession, ref: StepRef) -> int | None:
        items = ref.step.items
        item = items[min(session.current_item, len(items) - 1)]
        return item.minutes.high * 60 if item.minutes is not None else None
