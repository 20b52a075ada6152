"""A checklist: every participant scores each item on the step's options."""

from __future__ import annotations

from typing import Any

from .. import queries
from ..models import LiveSession, Note, StepRef
from . import register
from .base import Activity, choices


@register
class Checklist(Activity):
    kind = "checklist"

    def vote_options(self, ref: StepRef, item: str) -> list[str] | None:
        if item in {i.key for i in ref.step.items}:
            return [o.key for o in ref.step.options]
        return None

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        step = ref.step
        return {
            "options": choices(step.options),
            "sections": [
                {
                    "title": s.title or "",
                    "text": s.text,
                    "items": [{"key": i.key, "text": i.text} for i in s.items],
                }
                for s in step.sections
            ],
        }

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {"checklist": queries.checklist_results(session, ref)}

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        return {"checklist": queries.checklist_results(session, ref)}
