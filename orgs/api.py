"""Organisations, teams and members over the JSON API (/api/v1/organisations/...).

Access goes through orgs.access like the web views: 404 for an organisation the caller is
not in (or an object of another organisation), 403 for a role that is too low. Changes go
through orgs.services, so the API and the web share one path for each change.
Objects are addressed by slug (organisations) and UUID (teams, members), never by pk.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, cast
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import ValidationError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ConfigDict, StringConstraints

from accounts.models import User
from core.api_errors import error_responses
from core.pagination import LimitOffsetPagination
from core.text import name_type

from . import services
from .access import get_membership, get_team
from .models import ANONYMITY_FLOOR, Membership, Organisation, Role, Team

router = Router(tags=["organisations"])


# --- Input types ------------------------------------------------------------------------


# core.text's rule: no control characters, lone surrogates or direction overrides, not
# empty or invisible (zero-width characters only), at most 150 characters.
if TYPE_CHECKING:
    Name = str
else:
    Name = name_type(services.NAME_MAX_LENGTH)
Slug = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        min_length=1,
        max_length=services.SLUG_MAX_LENGTH,
        pattern=r"^[-a-zA-Z0-9_]+$",
    ),
]
Language = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # type: ignore[valid-type]
AnonymityMinimum = Annotated[
    int, Field(strict=True, ge=ANONYMITY_FLOOR, le=services.ANONYMITY_MAXIMUM)
]


class Input(Schema):
    """A request body: a JSON object; unknown fields are refused rather than ignored."""

    model_config = ConfigDict(extra="forbid")


class PartialUpdate(Input):
    """A PATCH body: a field left out, or sent as null, stays as it is; for the fields in
    NULLABLE, null is a value of its own (a team's parent: none)."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    def changes(self) -> dict[str, Any]:
        """The fields to change, with their new values."""
        return {
            field: value
            for field, value in self.model_dump(exclude_unset=True).items()
            if value is not None or field in self.NULLABLE
        }


# --- Organisations ---------------------------------------------------------------------


class OrganisationOut(Schema):
    slug: str
    name: str
    language: str
    anonymity_minimum: int = Field(
        description="Results of a group with fewer respondents are never shown."
    )
    role: str = Field(description="The caller's role: admin, facilitator or member.")


UNCHANGED = "Leave out or null: unchanged."


class OrganisationPatch(PartialUpdate):
    name: Name | None = Field(None, description=UNCHANGED)
    slug: Slug | None = Field(None, description=UNCHANGED)
    language: Language | None = Field(None, description=UNCHANGED)  # type: ignore[valid-type]
    anonymity_minimum: AnonymityMinimum | None = Field(None, description=UNCHANGED)


def caller(request: HttpRequest) -> User:
    """The authenticated person (the API refuses anonymous requests before this)."""
    return cast(User, request.user)


def organisation_out(organisation: Organisation, role: str) -> dict[str, Any]:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "language": organisation.language,
        "anonymity_minimum": organisation.anonymity_minimum,
        "role": role,
    }


@router.get(
    "", response={200: list[OrganisationOut], **error_responses()}, summary="Your organisations"
)
def list_organisations(request: HttpRequest) -> list[dict[str, Any]]:
    memberships = (
        Membership.objects.filter(user=caller(request), user__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "organisation__slug")
    )
    return [organisation_out(m.organisation, m.role) for m in memberships]


@router.get(
    "/{slug}", response={200: OrganisationOut, **error_responses(404)}, summary="One organisation"
)
def get_organisation(request: HttpRequest, slug: str) -> dict[str, Any]:
    membership = get_membership(caller(request), slug)
    return organisation_out(membership.organisation, membership.role)


@router.patch(
    "/{slug}",
    response={200: OrganisationOut, **error_responses(400, 403, 404, 409, 422)},
    summary="Change an organisation (admin)",
)
def update_organisation(
    request: HttpRequest, slug: str, payload: OrganisationPatch
) -> dict[str, Any]:
    membership = get_membership(caller(request), slug, role=Role.ADMIN)
    organisation = membership.organisation
    changes = payload.changes()
    organisation = services.update_organisation(
        organisation,
        actor=caller(request),
        name=changes.get("name", organisation.name),
        slug=changes.get("slug", organisation.slug),
        language=changes.get("language", organisation.language),
        anonymity_minimum=changes.get("anonymity_minimum", organisation.anonymity_minimum),
    )
    return organisation_out(organisation, membership.role)


# --- Teams -----------------------------------------------------------------------------


class TeamOut(Schema):
    id: UUID
    name: str
    parent: UUID | None = Field(description="The id of the team this one is part of.")
    headcount: int | None = Field(
        None, description="How many people the team has (set by an admin); null when unknown."
    )
    effective_headcount: int | None = Field(
        None,
        description="The most responses a scan accepts for the team: the headcount, never "
        "below its members and open invitations; null when unknown.",
    )


HEADCOUNT_DESCRIPTION = (
    "How many people the team has: a scan never accepts more responses for it. At least its "
    "members and open invitations (else 400 headcount_below_known); null clears it."
)


class TeamIn(Input):
    name: Name
    parent: UUID | None = Field(None, description="Leave out or null for a top-level team.")
    headcount: int | None = Field(
        None, ge=1, le=100_000, strict=True, description=HEADCOUNT_DESCRIPTION
    )


class TeamPatch(PartialUpdate):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"parent", "headcount"})

    name: Name | None = Field(None, description=UNCHANGED)
    parent: UUID | None = Field(
        None, description="null moves the team to the top level; leave out: unchanged."
    )
    headcount: int | None = Field(
        None, ge=1, le=100_000, strict=True, description=HEADCOUNT_DESCRIPTION
    )


def team_out(team: Team) -> dict[str, Any]:
    return {
        "id": team.public_id,
        "name": team.name,
        "parent": team.parent.public_id if team.parent else None,
        "headcount": team.headcount,
        "effective_headcount": services.effective_headcount(team),
    }


def find_parent(membership: Membership, public_id: UUID | None) -> Team | None:
    """The parent named in a request body; an id outside the organisation is a field error
    (as if it did not exist), never a hint that it exists elsewhere."""
    if public_id is None:
        return None
    parent = Team.objects.filter(organisation=membership.organisation, public_id=public_id).first()
    if parent is None:
        raise ValidationError(
            [
                {
                    "type": "unknown_team",
                    "loc": ["body", "payload", "parent"],
                    "msg": _("There is no team with this id in this organisation."),
                }
            ]
        )
    return parent


@router.get(
    "/{slug}/teams",
    response={200: list[TeamOut], **error_responses(404)},
    summary="Teams, as a flat list",
    description="Each team names its parent; teams without a parent are at the top level.",
)
def list_teams(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    membership = get_membership(caller(request), slug)
    teams = Team.objects.filter(organisation=membership.organisation).select_related("parent")
    return [team_out(team) for team in teams]


@router.post(
    "/{slug}/teams",
    response={201: TeamOut, **error_responses(400, 403, 404, 409, 422)},
    summary="Add a team (admin)",
)
def create_team(request: HttpRequest, slug: str, payload: TeamIn) -> Status:
    membership = get_membership(caller(request), slug, role=Role.ADMIN)
    with transaction.atomic():
        team = services.create_team(
            membership.organisation,
            name=payload.name,
            parent=find_parent(membership, payload.parent),
            actor=caller(request),
        )
        if payload.headcount is not None:
            team = services.set_team_headcount(
                team, headcount=payload.headcount, actor=caller(request)
            )
    return Status(201, team_out(team))


@router.patch(
    "/{slug}/teams/{team_id}",
    response={200: TeamOut, **error_responses(400, 403, 404, 409, 422)},
    summary="Rename or move a team (admin)",
)
def update_team(request: HttpRequest, slug: str, team_id: UUID, payload: TeamPatch) -> dict:
    membership = get_membership(caller(request), slug, role=Role.ADMIN)
    team = get_team(membership, team_id)
    changes = payload.changes()
    with transaction.atomic():
        team = services.update_team(
            team,
            actor=caller(request),
            name=changes.get("name", team.name),
            parent=find_parent(membership, changes["parent"])
            if "parent" in changes
            else team.parent,
        )
        if "headcount" in changes:
            team = services.set_team_headcount(
                team, headcount=changes["headcount"], actor=caller(request)
            )
    return team_out(team)


@router.delete(
    "/{slug}/teams/{team_id}",
    response={204: None, **error_responses(403, 404, 409)},
    summary="Delete a team (admin)",
)
def delete_team(request: HttpRequest, slug: str, team_id: UUID) -> Status:
    membership = get_membership(caller(request), slug, role=Role.ADMIN)
    services.delete_team(get_team(membership, team_id), actor=caller(request))
    return Status(204, None)


# --- Members ---------------------------------------------------------------------------


class MemberOut(Schema):
    id: UUID
    email: str
    name: str
    role: str
    active: bool = Field(description="False for a deactivated account.")
    teams: list[UUID] = Field(description="Ids of the member's teams.")
    joined: datetime

    @staticmethod
    def resolve_id(membership: Membership) -> UUID:
        return membership.public_id

    @staticmethod
    def resolve_email(membership: Membership) -> str:
        return membership.user.email

    @staticmethod
    def resolve_name(membership: Membership) -> str:
        return membership.user.name

    @staticmethod
    def resolve_active(membership: Membership) -> bool:
        return membership.user.is_active

    @staticmethod
    def resolve_teams(membership: Membership) -> list[UUID]:
        return [team.public_id for team in membership.teams.all()]

    @staticmethod
    def resolve_joined(membership: Membership) -> datetime:
        return membership.created_at


@router.get(
    "/{slug}/members",
    response={200: list[MemberOut], **error_responses(403, 404)},
    summary="Members (admin)",
)
@paginate(LimitOffsetPagination, max_limit=500)
def list_members(request: HttpRequest, slug: str) -> Any:
    membership = get_membership(caller(request), slug, role=Role.ADMIN)
    return (
        Membership.objects.filter(organisation=membership.organisation)
        .select_related("user")
        .prefetch_related("teams")
        .order_by("user__email")
    )
