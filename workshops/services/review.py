"""The `action_review` step: open agreements of the register reviewed in a live session.

The facilitator picks which open agreements the step reviews (of a team, a theme or an
earlier session; nothing picked: all open agreements of the organisation), the presenter
screen shows them, and the facilitator changes their status or adds a note. Each change is
`actions.services.record_progress` with the session and step as its source, so it lands in
the register's history in the same transaction as the session's event.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from core.errors import DomainError

from ..events import emit
from ..models import LiveSession
from .common import atomic, find, locked, open_step

MAX_REVIEWED = 30
"""At most this many agreements in one review step."""


def _not_found(what: str) -> DomainError:
    return DomainError(what, code="not_found", status=404)


def candidates(
    session: LiveSession, *, team: Any = "", theme: Any = "", from_session: Any = ""
) -> Any:
    """The organisation's open agreements matching the pick (404 for another organisation's
    team or session, 400 for an unknown theme)."""
    from actions.models import Action, Theme
    from orgs.models import Team

    org = session.organisation
    rows = Action.objects.of(org).agreements().open()
    if team:
        picked_team = find(Team.objects.filter(organisation=org), team)
        if picked_team is None:
            raise _not_found(_("There is no such team."))
        rows = rows.filter(team=picked_team)
    if theme:
        if theme not in Theme.values:
            raise DomainError(_("Choose one of the themes."), code="theme_unknown")
        rows = rows.filter(theme=theme)
    if from_session:
        earlier = find(
            LiveSession.objects.filter(organisation=org).exclude(pk=session.pk), from_session
        )
        if earlier is None:
            raise _not_found(_("There is no such session."))
        rows = rows.filter(session=earlier)
    return rows.order_by(F("due_date").asc(nulls_last=True), "created_at", "id")


def pick_for_review(
    session: LiveSession,
    *,
    step_id: Any,
    team: Any = "",
    theme: Any = "",
    from_session: Any = "",
    actor: Any,
) -> list[Any]:
    """Replace the step's pick with the open agreements matching it (at most MAX_REVIEWED)."""
    from actions.models import Review

    with atomic():
        locked(session)
        ref = open_step(session, step_id, "action_review")
        picked = list(
            candidates(session, team=team, theme=theme, from_session=from_session)[:MAX_REVIEWED]
        )
        Review.objects.filter(session=session, step_id=ref.id).delete()
        Review.objects.bulk_create(
            Review(session=session, step_id=ref.id, action=a, position=n)
            for n, a in enumerate(picked)
        )
        emit(session, "review", {"step": ref.id, "count": len(picked)})
    return picked


def review_action(
    session: LiveSession,
    *,
    step_id: Any,
    action_id: Any,
    status: Any = None,
    note: Any = "",
    actor: Any,
) -> Any:
    """A status change and/or a note on a picked agreement, in the register's history with
    this session and step as its source."""
    from actions.models import Action, Review
    from actions.services import record_progress

    with atomic():
        locked(session)
        ref = open_step(session, step_id, "action_review")
        picked = Action.objects.filter(
            pk__in=Review.objects.filter(session=session, step_id=ref.id).values("action_id")
        )
        action = find(picked, action_id)
        if action is None:
            raise _not_found(_("There is no such action."))
        action = record_progress(
            action,
            actor=actor,
            status=str(status) if status else None,
            note="" if note is None else str(note),
            via="session",
            session=session,
            step_id=ref.id,
        )
        emit(
            session,
            "reviewed",
            {"step": ref.id, "id": str(action.public_id), "status": action.status},
        )
    return action
