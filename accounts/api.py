from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from orgs.models import Membership

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


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict:
    user = request.user
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    return {
        "email": user.email,
        "name": user.name,
        "language": user.language,
        "organisations": [
            {"organisation": m.organisation.slug, "name": m.organisation.name, "role": m.role}
            for m in memberships
        ],
    }
