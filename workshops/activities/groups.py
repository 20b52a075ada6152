"""Groups, each on a question of its own or the board's (`questions_from`), with a summary."""

from __future__ import annotations

from typing import Any

from .. import queries
from ..models import Group, GroupSummary, LiveSession, Participant, StepRef
from . import register
from .base import GroupActivity


@register
class Groups(GroupActivity):
    kind = "groups"
    takes_notes = True

    def source(self, session: LiveSession, ref: StepRef) -> StepRef | None:
        """The board whose questions (and notes) the groups take, if any."""
        key = ref.step.questions_from
        return session.step_by_key(key) if key else None

    def questions(self, session: LiveSession, ref: StepRef) -> list[str]:
        if ref.step.questions_from:
            board = self.source(session, ref)
            return list(board.step.questions) if board else []
        return list(ref.step.questions)

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        step = ref.step
        view = {
            "questions": self.questions(session, ref),
            "summary": step.summary,
            "per_question": step.per_question,
            "count": step.count,
        }
        if facilitator:
            view["summary_prompt"] = step.summary_prompt
        return view

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        super().participant_view(session, ref, participant, state, group)
        if group is None:
            return
        source = self.source(session, ref)
        if source is not None and group.question is not None:
            state["notes"] = queries.visible_notes(
                session, source.id, participant, question=group.question
            )
            state.update(notes_step=source.id, notes_question=group.question)
        else:
            state["notes"] = queries.visible_notes(session, ref.id, participant, group=group)
            state.update(notes_step=ref.id, notes_question=0, notes_group=group.number)

    def group_plan(
        self, session: LiveSession, ref: StepRef, count: int | None
    ) -> tuple[int | None, list[int | None]]:
        n_questions = len(self.questions(session, ref))
        if ref.step.per_question:
            count = n_questions
        return count, [i % n_questions if n_questions else None for i in range(count or 0)]

    def _question(self, session: LiveSession, ref: StepRef, group: Group) -> str | None:
        questions = self.questions(session, ref)
        if group.question is not None and group.question < len(questions):
            return questions[group.question]
        return None

    def group_question(self, session: LiveSession, ref: StepRef, group: Group) -> dict[str, Any]:
        return {"question": self._question(session, ref, group), "question_index": group.question}

    def summary_question(
        self, session: LiveSession, ref: StepRef, group: Group, writes: list[GroupSummary]
    ) -> str | None:
        return self._question(session, ref, group)
