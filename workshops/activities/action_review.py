"""The open agreements of the register, reviewed in the next workshop (issue 11).

The facilitator picks them (`services.pick_for_review`: of a team, a theme or an earlier
session), the presenter screen shows them, and the facilitator changes their status or
notes how they went (`services.review_action`, into the register's history with this
session and step as their source). Without the `actions` app the step shows nothing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.formats import date_format

from ..models import LiveSession, Note, StepRef
from . import register
from .base import Activity


def _reviewed(session: LiveSession, ref: StepRef) -> list[dict[str, Any]]:
    if not apps.is_installed("actions"):
        return []
    from actions.models import ActionEvent, Review

    reviews = list(
        Review.objects.filter(session=session, step_id=ref.id).select_related(
            "action__owner", "action__team"
        )
    )
    notes: dict[int, list[str]] = {}
    for event in ActionEvent.objects.filter(
        session=session, step_id=ref.id, action_id__in=[r.action_id for r in reviews]
    ).exclude(note=""):
        notes.setdefault(event.action_id, []).append(event.note)
    rows = []
    for review in reviews:
        action = review.action
        owner = action.owner.display_name if action.owner else action.owner_name
        rows.append(
            {
                "id": str(action.public_id),
                "text": action.text,
                "owner": owner,
                "team": action.team.name if action.team else "",
                "theme": str(action.get_theme_display()),
                "status": action.status,
                "status_label": str(action.get_status_display()),
                # In words, as everywhere in the summary: "1 april 2027".
                "due_date": date_format(action.due_date, "j F Y") if action.due_date else "",
                "overdue": action.is_overdue(),
                "notes": notes.get(action.pk, []),
            }
        )
    return rows


def _pick_choices(session: LiveSession) -> dict[str, Any]:
    """What the facilitator can pick from: teams, themes, earlier sessions with open
    agreements, and the statuses a reviewed agreement can get."""
    if not apps.is_installed("actions"):
        return {}
    from actions.models import Action, Status, Theme
    from orgs.models import Team

    org = session.organisation
    earlier = (
        LiveSession.objects.filter(
            organisation=org,
            pk__in=Action.objects.of(org).agreements().open().values("session_id"),
        )
        .exclude(pk=session.pk)
        .order_by("-created_at")[:20]
    )
    return {
        "teams": [(str(t.public_id), t.name) for t in Team.objects.filter(organisation=org)],
        "themes": [(value, str(label)) for value, label in Theme.choices],
        "sessions": [
            (
                str(s.public_id),
                f"{s.title} ({date_format(s.started_at or s.created_at, 'SHORT_DATE_FORMAT')})",
            )
            for s in earlier
        ],
        "statuses": [(value, str(label)) for value, label in Status.choices],
    }


@register
class ActionReview(Activity):
    kind = "action_review"

    def view(self, session: LiveSession, ref: StepRef, *, facilitator: bool) -> dict[str, Any]:
        # The phones get the prompt only; the list (owners, teams) is on the presenter screen
        # and the console (`results`).
        return {"prompt": ref.step.prompt}

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {"reviewed": _reviewed(session, ref), "pick": _pick_choices(session)}

    def summary(self, session: LiveSession, ref: StepRef, notes: list[Note]) -> dict[str, Any]:
        rows = _reviewed(session, ref)
        return {"reviewed": rows} if rows else {}
