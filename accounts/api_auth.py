"""API authentication: a personal token (`Authorization: Bearer lrn_…`) or the session.

Session requests must carry the CSRF token (ninja's SessionAuth checks it). A token of a
deactivated user, a revoked token or a token of a person removed from an organisation
authenticates no further than that person's remaining memberships allow.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken, hash_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
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


api_auth = [TokenAuth(), SessionAuth()]
