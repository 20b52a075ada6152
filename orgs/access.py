"""The one way to reach an organisation and the objects in it.

Every organisation-scoped view and endpoint goes through these helpers. A person who is
not a member of the organisation gets 404 (we do not even confirm that it exists); a
member whose role is too low gets 403. Memberships are read from the database on every
request, so a revoked role takes effect on the next request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .models import Invitation, Membership, Role, Team


def get_membership(user: Any, slug: str, *, role: str = Role.MEMBER) -> Membership:
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(organisation__slug=slug, user=user, user__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    if not membership.has_role(role):
        raise PermissionDenied(_("Your role in this organisation does not allow this."))
    return membership


def get_team(membership: Membership, public_id: Any) -> Team:
    team = (
        Team.objects.select_related("parent")
        .filter(organisation=membership.organisation, public_id=public_id)
        .first()
    )
    if team is None:
        raise Http404
    return team


def get_member(membership: Membership, public_id: Any) -> Membership:
    other = (
        Membership.objects.select_related("user")
        .filter(organisation=membership.organisation, public_id=public_id)
        .first()
    )
    if other is None:
        raise Http404
    return other


def get_invitation(membership: Membership, public_id: Any) -> Invitation:
    invitation = Invitation.objects.filter(
        organisation=membership.organisation, public_id=public_id
    ).first()
    if invitation is None:
        raise Http404
    return invitation


def org_view(role: str = Role.MEMBER) -> Callable:
    """Decorate a view taking `slug`: sets request.membership and request.organisation."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = get_membership(request.user, slug, role=role)
            request.membership = membership  # type: ignore[attr-defined]
            request.organisation = membership.organisation  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
