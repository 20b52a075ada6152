"""Who sees and changes which action (the one place these rules live).

- Agreements: facilitators and admins of the organisation see all of them; a member sees
  the ones they own. Facilitators, admins and the owner record progress; facilitators and
  admins change the fields.
- Personal actions: the facilitator of their session sees them once the participant shared
  them (left an address or showed their name); the person who claimed one into their
  portfolio sees it too. Nobody else does, admins included. They are changed only through
  their private link (or by the person who claimed them).

Anything else answers 404, so another organisation's ids reveal nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q
from django.http import Http404

from orgs.models import Membership, Role

from .models import Action, Conversation, Kind


def visible_actions(membership: Membership) -> Any:
    user = membership.user
    base = Action.objects.filter(organisation=membership.organisation)
    personal = Q(kind=Kind.PERSONAL) & (
        Q(shared=True, session__facilitator=user) | Q(claimed_by=user)
    )
    if membership.has_role(Role.FACILITATOR):
        return base.filter(Q(kind=Kind.AGREEMENT) | personal)
    return base.filter((Q(kind=Kind.AGREEMENT) & Q(owner=user)) | personal)


def _uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def get_action(membership: Membership, public_id: Any) -> Action:
    public_id = _uuid(public_id)
    action = (
        visible_actions(membership)
        .select_related("owner", "team", "session", "campaign", "created_by")
        .filter(public_id=public_id)
        .first()
    )
    if action is None:
        raise Http404
    return action


def can_edit(membership: Membership, action: Action) -> bool:
    return action.kind == Kind.AGREEMENT and membership.has_role(Role.FACILITATOR)


def can_progress(user: Any, action: Action, membership: Membership | None = None) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if action.kind == Kind.PERSONAL:
        return action.claimed_by_id == user.pk
    if action.owner_id == user.pk:
        return True
    if membership is None:
        membership = Membership.objects.filter(
            organisation_id=action.organisation_id, user=user, user__is_active=True
        ).first()
    return (
        membership is not None
        and membership.organisation_id == action.organisation_id
        and membership.has_role(Role.FACILITATOR)
    )


def visible_conversations(user: Any, organisation: Any) -> Any:
    """Only the person who holds a conversation sees it among the organisation's pages."""
    return Conversation.objects.filter(organisation=organisation, held_by=user)


def get_conversation(membership: Membership, public_id: Any) -> Conversation:
    public_id = _uuid(public_id)
    conversation = (
        visible_conversations(membership.user, membership.organisation)
        .select_related("action", "employee")
        .filter(public_id=public_id)
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation
