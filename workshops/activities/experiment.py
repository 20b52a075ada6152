"""An experiment: groups with their own instructions, a poll per group and a reflection."""

from __future__ import annotations

from typing import Any

from .. import queries
from ..models import Group, LiveSession, Note, StepRef
from . import register
from .base import GroupActivity, choices


@register
class Experiment(GroupActivity):
    kind = "experiment"
    takes_notes = True

    def questions(self, session: LiveSession, ref: StepRef) -> list[str]:
        return list(ref.step.reflection_questions)

    def vote_options(self, ref: StepRef, item: str) -> list[str] | None:
        if item.isdigit() and int(item) < len(ref.step.poll):
            return [c.key for c in ref.step.choices]
        return None

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        step = ref.step
        view: dict[str, Any] = {
            "poll": list(step.poll),
            "choices": choices(step.choices),
            "reflection_questions": list(step.reflection_questions),
        }
        if facilitator:
            view["groups"] = [{"name": g.name, "instructions": g.instructions} for g in step.groups]
        return view

    def group_plan(
        self, session: LiveSession, ref: StepRef, count: int | None
    ) -> tuple[int | None, list[int | None]]:
        specs = ref.step.groups
        count = count or len(specs)
        return count, [i % len(specs) for i in range(count)]

    def group_question(self, session: LiveSession, ref: StepRef, group: Group) -> dict[str, Any]:
        view: dict[str, Any] = {"question": None, "question_index": group.question}
        if group.question is not None:
            spec = ref.step.groups[group.question]
            view.update(name=spec.name, instructions=spec.instructions)
        return view

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        out = super().results(session, ref)
        out["per_group"] = queries.experiment_results(session, ref)
        return out

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        return {
            "per_group": queries.experiment_results(session, ref),
            **super().summary(session, ref, notes),
        }
