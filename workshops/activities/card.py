"""A card of terms with their question, explanation and example."""

from __future__ import annotations

from typing import Any

from ..models import LiveSession, StepRef
from . import register
from .base import Activity


@register
class Card(Activity):
    kind = "card"

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        return {
            "entries": [
                {
                    "label": e.label,
                    "question": e.question or "",
                    "explanation": e.explanation,
                    "example": e.example,
                }
                for e in ref.step.entries
            ]
        }
