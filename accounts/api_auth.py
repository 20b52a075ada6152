"""API authentication: a personal token (`Authorization: Bearer lrn_…`) or the session.

Session requests must carry the CSRF token (X-CSRFToken header); token requests need
none, as a browser never sends the token by itself. A revoked token and a token of a
deactivated user do not authenticate (401). A token of a person removed from an
organisation still authenticates, but reaches no further than that person's remaining
memberships (orgs.access answers 404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from core.api_errors import ApiError

from .models import TOKEN_PREFIX, ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(TOKEN_PREFIX):
            return None  # not a personal token (a participant's, say): no query
        record = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if record is None:
            return None
        # Only touch the row once a minute: a token used in a loop should not write on
        # every request.
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


class SessionAuth(NinjaSessionAuth):
    """ninja's SessionAuth, with a translated error when the CSRF token is missing.

    The CSRF check only runs for a logged-in session, so a request without any valid
    credentials gets 401 rather than a CSRF error.
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403,
                _("CSRF check failed: send the CSRF token in the X-CSRFToken header."),
                code="csrf_failed",
            )
        return request.user


api_auth = [TokenAuth(), SessionAuth()]
