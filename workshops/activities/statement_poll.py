"""A statement the room votes on, shown as live bars (or "hands up")."""

from __future__ import annotations

from typing import Any

from .. import queries
from ..models import LiveSession, Note, StepRef
from . import register
from .base import Activity, choices


@register
class StatementPoll(Activity):
    kind = "statement_poll"

    def vote_options(self, ref: StepRef, item: str) -> list[str] | None:
        return [c.key for c in ref.step.choices] if item == "" else None

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        step = ref.step
        view: dict[str, Any] = {
            "statement": step.statement,
            "choices": choices(step.choices),
            # "Hands up": the room sees one side of the statement at a time.
            "item": min(session.current_item, len(step.choices) - 1),
        }
        if facilitator:
            view["instructions"] = list(step.instructions)
            view["facilitator_points"] = list(step.facilitator_points)
        return view

    def item_count(self, session: LiveSession, ref: StepRef) -> int | None:
        return len(ref.step.choices) if session.hands_up else None

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        counts = queries.vote_counts(session, ref.id)
        return {
            "counts": [
                {"key": c.key, "label": c.label, "count": counts.get(c.key, 0)}
                for c in ref.step.choices
            ],
            "total": sum(counts.values()),
        }

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        counts = queries.vote_counts(session, ref.id)
        return {
            "statement": ref.step.statement,
            "results": [
                {"label": c.label, "count": counts.get(c.key, 0)} for c in ref.step.choices
            ],
        }
