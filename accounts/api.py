from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema

from core.api_errors import error_responses
from orgs.models import Membership

from .models import User

router = Router(tags=["account"])


class MembershipOut(Schema):
    organisation: str
    name: str
    role: str


class MeOut(Schema):
    email: str
    name: str
    language: str
    organisations: list[MembershipOut]


@router.get("/me", response={200: MeOut, **error_responses()}, summary="You and your organisations")
def me(request: HttpRequest) -> dict:
    user = cast(User, request.user)
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "organisation__slug")
    )
    return {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "organisations": [
            {"organisation": m.organisation.slug, "name": m.organisation.name, "role": m.role}
            for m in memberships
        ],
    }
