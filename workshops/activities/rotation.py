"""A world café: groups move from question to question in rounds."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError

from .. import grouping, queries
from ..models import Group, GroupSummary, LiveSession, Note, Participant, RotationSchedule, StepRef
from . import register
from .base import GroupActivity


@register
class Rotation(GroupActivity):
    kind = "rotation"
    takes_notes = True

    def questions(self, session: LiveSession, ref: StepRef) -> list[str]:
        return list(ref.step.questions)

    def question_count(self, session: LiveSession, ref: StepRef) -> int:
        return len(ref.step.questions)

    def check_note(
        self, session: LiveSession, ref: StepRef, participant: Participant | None, question: int
    ) -> tuple[Group | None, int | None]:
        group, _round = super().check_note(session, ref, participant, question)
        rnd = session.current_item
        if participant is not None:
            rotation = queries.rotation(session, ref)
            if group is None or rotation is None:
                raise DomainError(_("You are not in a group yet."), status=409)
            if rotation.schedule[rnd][group.number - 1] != question:
                raise DomainError(_("Your group is at another question in this round."), status=409)
        return group, rnd

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        step = ref.step
        return {
            "questions": list(step.questions),
            "minutes_per_round": step.minutes_per_round,
            "moves": step.moves,
            "summary_in_last_round": step.summary_in_last_round,
            "round": session.current_item,
        }

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        super().participant_view(session, ref, participant, state, group)
        mine = state["me"]["group"]
        if mine is None:
            return
        state["notes"] = queries.visible_notes(
            session, ref.id, participant, question=mine["question_index"]
        )
        rotation = queries.rotation(session, ref)
        state["last_round"] = bool(rotation and session.current_item == len(rotation.schedule) - 1)
        state["rounds"] = len(rotation.schedule) if rotation else 0

    def item_count(self, session: LiveSession, ref: StepRef) -> int | None:
        rotation = queries.rotation(session, ref)
        if rotation is None:
            raise DomainError(_("Make the world-café groups first."), status=409)
        return len(rotation.schedule)

    def planned_seconds(self, session: LiveSession, ref: StepRef) -> int | None:
        return int(ref.step.minutes_per_round) * 60

    def group_plan(
        self, session: LiveSession, ref: StepRef, count: int | None
    ) -> tuple[int | None, list[int | None]]:
        count = count or len(ref.step.questions)
        return count, list(range(count))

    def after_groups(self, session: LiveSession, ref: StepRef, count: int) -> None:
        """The rotation schedule of the groups just made."""
        step = ref.step
        n_groups, moves = grouping.feasible_rotation(count, len(step.questions), step.moves)
        if n_groups != count:
            raise DomainError(
                ngettext(
                    "A world café takes at most one group per question: here %(n)s group.",
                    "A world café takes at most one group per question: here %(n)s groups.",
                    len(step.questions),
                )
                % {"n": len(step.questions)},
                code="invalid_count",
            )
        RotationSchedule.objects.create(
            session=session,
            step_id=ref.id,
            groups=count,
            questions=len(step.questions),
            moves=moves,
            minutes_per_round=step.minutes_per_round,
            schedule=grouping.rotation_schedule(count, len(step.questions), moves),
        )

    def group_question(self, session: LiveSession, ref: StepRef, group: Group) -> dict[str, Any]:
        view: dict[str, Any] = {"question": None, "question_index": group.question}
        rotation = queries.rotation(session, ref)
        if rotation:
            rnd = min(session.current_item, len(rotation.schedule) - 1)
            index = rotation.schedule[rnd][group.number - 1]
            view.update(question_index=index, question=ref.step.questions[index])
        return view

    def current_question(self, session: LiveSession, ref: StepRef, group: Group) -> int | None:
        """The question a group's summary is about: the one it is at in this round."""
        rotation = RotationSchedule.objects.get(session=session, step_id=ref.id)
        return rotation.schedule[session.current_item][group.number - 1]

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        out = super().results(session, ref)
        rotation = queries.rotation(session, ref)
        out["schedule"] = rotation.schedule if rotation else None
        return out

    def summary_question(
        self, session: LiveSession, ref: StepRef, group: Group, writes: list[GroupSummary]
    ) -> str | None:
        if writes and writes[0].question is not None:
            return str(ref.step.questions[writes[0].question])
        return None

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        entry = super().summary(session, ref, notes)
        rotation = queries.rotation(session, ref)
        if rotation:
            entry["schedule"] = rotation.schedule
        return entry
