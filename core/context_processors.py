from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def lerend(request: HttpRequest) -> dict[str, Any]:
    memberships = []
    if request.user.is_authenticated:
        memberships = list(
            request.user.memberships.select_related("organisation").order_by("organisation__name")
        )
    return {
        "my_memberships": memberships,
        "current_organisation": getattr(request, "organisation", None),
        "LEREND_VERSION": settings.LEREND_VERSION,
    }
