"""Everyone writes a personal action, optionally with an address for a reminder."""

from __future__ import annotations

from typing import Any

from ..models import Group, LiveSession, Participant, PersonalAction, StepRef
from . import register
from .base import Activity


@register
class PersonalActionActivity(Activity):
    kind = "personal_action"

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        return {"prompt": ref.step.prompt, "examples": list(ref.step.examples)}

    def participant_view(
        self,
        session: LiveSession,
        ref: StepRef,
        participant: Participant,
        state: dict[str, Any],
        group: Group | None,
    ) -> None:
        action = PersonalAction.objects.filter(
            participant=participant, step_id=ref.id, is_current=True
        ).first()
        state["me"]["action"] = (
            {"text": action.text, "email": action.email, "show_name": action.show_name}
            if action
            else None
        )

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        actions = PersonalAction.objects.filter(session=session, step_id=ref.id, is_current=True)
        return {
            "actions": [
                {
                    "id": str(a.public_id),
                    "text": a.text,
                    "name": a.participant.display_name if a.show_name and a.participant else None,
                }
                for a in actions.select_related("participant")
            ]
        }
