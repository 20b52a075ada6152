"""A board of questions everyone posts notes to (optionally a few notes each)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

from .. import queries
from ..models import Group, LiveSession, Note, Participant, StepRef
from . import register
from .base import Activity, notes_summary


@register
class Board(Activity):
    kind = "board"
    takes_notes = True

    def questions(self, session: LiveSession, ref: StepRef) -> list[str]:
        return list(ref.step.questions)

    def question_count(self, session: LiveSession, ref: StepRef) -> int:
        return len(ref.step.questions)

    def check_note(
        self, session: LiveSession, ref: StepRef, participant: Participant | None, question: int
    ) -> tuple[Group | None, int | None]:
        placed = super().check_note(session, ref, participant, question)
        limit = ref.step.notes_per_participant
        if participant is not None and limit:
            written = Note.objects.filter(
                session=session, participant=participant, step_id=ref.id, question=question
            ).count()
            if written >= limit:
                raise DomainError(
                    _("You have written the most notes this question takes."), status=409
                )
        return placed

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        return {
            "questions": list(ref.step.questions),
            "notes_per_participant": ref.step.notes_per_participant,
        }

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        state["notes"] = queries.visible_notes(session, ref.id, participant)

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {"notes": queries.notes_by_question(session, ref.id)}

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        return notes_summary(self.questions(session, ref), notes)
