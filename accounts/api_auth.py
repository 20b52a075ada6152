"""API authentication: a personal token (`Authorization: Bearer lrn_…`) or the session.

Session requests must carry the CSRF token (X-CSRFToken header); token requests need
none, as a browser never sends the token by itself. When a bearer token is present it alone
decides who acts: the session cookie is ignored (accounts.middleware.BearerTokenMiddleware).
A revoked token and a token of a deactivated user do not authenticate (401). A token of a
person removed from an organisation still authenticates, but reaches no further than that
person's remaining memberships (orgs.access answers 404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from core.api_errors import ApiError

from .middleware import BEARER_USER, token_user


class TokenAuth(HttpBearer):
    """A personal token. accounts.middleware.BearerTokenMiddleware has already looked it up
    (and made its owner `request.user`); outside that middleware it is looked up here."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        known = hasattr(request, BEARER_USER)
        user = getattr(request, BEARER_USER) if known else token_user(token)
        if user is None:
            return None
        request.user = user
        return user


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
