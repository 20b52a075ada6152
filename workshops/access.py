"""Who may run, watch or take part in a live session.

Facilitators and admins of the session's organisation run it; members of the
organisation may not (403); anybody else gets 404, like every organisation-scoped object.
Participants are identified by their token (Bearer header, `?token=` or the cookie of the
session; `participants.participant_for_token`) and reach only their own session: a token of
another session answers 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from orgs.access import get_membership
from orgs.models import Membership, Role

from .models import LiveSession, normalise_code


def can_facilitate(user: Any, session: LiveSession) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    membership = Membership.objects.filter(
        organisation_id=session.organisation_id, user=user
    ).first()
    return membership is not None and membership.has_role(Role.FACILITATOR)


def facilitated_session(user: Any, slug: str, public_id: Any) -> tuple[Membership, LiveSession]:
    """The session of this organisation, for a facilitator (404 / 403 otherwise)."""
    membership = get_membership(user, slug, role=Role.FACILITATOR)
    session = LiveSession.objects.filter(
        organisation=membership.organisation, public_id=public_id
    ).first()
    if session is None:
        raise Http404
    return membership, session


def session_for_user(user: Any, code: str) -> LiveSession:
    """The open (or else the latest) session with this code, for a facilitator of its org."""
    session = session_by_code(code, open_only=False)
    if session is None:
        raise Http404
    get_membership(user, session.organisation.slug, role=Role.FACILITATOR)
    return session


def session_by_code(code: str, *, open_only: bool = True) -> LiveSession | None:
    sessions = LiveSession.objects.select_related("organisation").filter(code=normalise_code(code))
    open_session = sessions.open().first()
    if open_session is not None or open_only:
        return open_session
    return sessions.order_by("-created_at").first()
