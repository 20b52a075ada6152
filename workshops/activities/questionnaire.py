"""A questionnaire filled in on paper or elsewhere; the step shows which one."""

from __future__ import annotations

from typing import Any

from ..models import LiveSession, StepRef
from . import register
from .base import Activity


@register
class Questionnaire(Activity):
    kind = "questionnaire"

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        return {"questionnaire": ref.step.questionnaire}
