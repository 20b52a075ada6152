"""One module per step kind; the registry maps a kind to its activity.

    from workshops import activities
    activity = activities.get(ref.kind)
    activity.questions(session, ref)

Adding a kind means adding its schema in `formats.schema` and one module here that
subclasses `base.Activity` and is listed in `MODULES`; the services, screens and summary ask
the registry and hold no `if kind == ...` of their own.
"""

from __future__ import annotations

from importlib import import_module

from .base import Activity

MODULES = (
    "info",
    "statement_poll",
    "board",
    "groups",
    "rotation",
    "discussion",
    "experiment",
    "checklist",
    "personal_action",
    "action_points",
    "photo",
    "card",
    "questionnaire",
    "action_review",
)

REGISTRY: dict[str, Activity] = {}


def register(cls: type[Activity]) -> type[Activity]:
    if not cls.kind or cls.kind in REGISTRY:
        raise ValueError(f"activity kind {cls.kind!r} is empty or registered twice")
    REGISTRY[cls.kind] = cls()
    return cls


def get(kind: str) -> Activity:
    """The activity of a step kind (KeyError for a kind without a module)."""
    return REGISTRY[kind]


for _name in MODULES:
    import_module(f"{__name__}.{_name}")

__all__ = ["MODULES", "REGISTRY", "Activity", "get", "register"]
