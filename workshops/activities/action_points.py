"""The facilitator records the agreements of the session (action points)."""

from __future__ import annotations

from typing import Any

from ..models import ActionPoint, Group, LiveSession, Participant, StepRef
from . import register
from .base import Activity


@register
class ActionPoints(Activity):
    kind = "action_points"

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        return {"prompts": list(ref.step.prompts), "fields": list(ref.step.fields)}

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        # Participants see the agreements as they are made, read-only.
        state["action_points"] = list(ActionPoint.objects.filter(session=session))

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {"action_points": list(ActionPoint.objects.filter(session=session))}
