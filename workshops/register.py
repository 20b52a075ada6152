"""The live engine's hooks into the register of actions (`actions`, issue 11).

Each hook runs inside the transaction that stores the live contribution, so a point, a
personal action or a checklist rating and its register entry are stored together or not at
all. Without the `actions` app installed the hooks do nothing.
"""

from __future__ import annotations

from django.apps import apps

from .models import ActionPoint, LiveSession, PersonalAction, StepRef

CHECKLIST_START = "willen-we-starten"
"""The 11-tips checklist's rating (seed 003) that proposes an action."""


def installed() -> bool:
    return apps.is_installed("actions")


def action_point(point: ActionPoint) -> None:
    """A live action point made or changed: its agreement in the register (once)."""
    if installed():
        from actions.services import record_action_point

        record_action_point(point)


def personal_action(stored: PersonalAction) -> None:
    """A participant's personal action: in the register when an address was left or the name
    shown, and kept up to date (also when a later version drops the address)."""
    if not installed():
        return
    from actions.models import Action, Kind
    from actions.services import record_personal_action

    known = stored.participant_id is not None and (
        Action.objects.filter(
            kind=Kind.PERSONAL,
            session_id=stored.session_id,
            step_id=stored.step_id,
            personal_action__participant_id=stored.participant_id,
        ).exists()
    )
    if stored.email or stored.show_name or known:
        record_personal_action(stored)


def checklist_item(session: LiveSession, ref: StepRef, item_key: str) -> None:
    """An 11-tips item rated "willen we starten": a proposed agreement (once per item)."""
    if not installed():
        return
    from actions.services import propose_from_checklist

    item = next((i for i in ref.step.items if i.key == item_key), None)
    if item is not None:
        propose_from_checklist(session, ref, {"key": item.key, "text": item.text})
