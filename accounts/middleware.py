"""Organisation admins must use a second factor (TOTP) before they can act as admins."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from orgs.models import Membership, Role

from .models import TOKEN_PREFIX, ApiToken, hash_token

# Pages an admin without a second factor may still open: account pages (to set it up and
# to log out), language switch, static files and health checks.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/jsi18n/", "/healthz", "/media/")
API_PREFIX = "/api/"


def needs_second_factor(user) -> bool:
    if not settings.LEREND_ADMIN_MFA_REQUIRED or user is None or not user.is_authenticated:
        return False
    if not Membership.objects.filter(user=user, role=Role.ADMIN).exists():
        return False
    return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


BEARER_USER = "_lerend_bearer_user"
"""The request attribute holding the token's owner (None: not a valid personal token)."""


def bearer_token(request: HttpRequest) -> str | None:
    """The credentials of an `Authorization: Bearer ...` header ('' when empty), or None."""
    scheme, _sep, raw = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return raw.strip()


def token_user(raw: str):
    """The active owner of a personal token, or None. Touches `last_used_at` at most once a
    minute, so a token used in a loop does not write on every request."""
    # Every personal token starts with TOKEN_PREFIX; other bearer tokens (a live session's
    # participants) can never match one, so they cost no query.
    if not raw.startswith(TOKEN_PREFIX):
        return None
    record = (
        ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(raw)).first()
    )
    if record is None:
        return None
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


def _empty_session():
    return import_module(settings.SESSION_ENGINE).SessionStore()


class BearerTokenMiddleware:
    """One authentication answer per API request.

    When an API request carries a bearer token, that token alone decides who acts: the
    session cookie (and every other cookie, a participant's included) is set aside, so
    neither the second-factor rule below nor the CSRF check can be answered for one person
    while the API acts as another. A personal token sets `request.user` to its owner; any
    other bearer token (a participant's, an invalid one) leaves the request anonymous, and
    the API's own authentication answers it (401 for an invalid one).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_PREFIX):
            raw = bearer_token(request)
            if raw is not None:
                request.COOKIES = {}
                request.session = _empty_session()
                user = token_user(raw) if raw else None
                setattr(request, BEARER_USER, user)
                request.user = user or AnonymousUser()
                # No browser sends this header by itself: a forged cross-site request
                # cannot carry it, so the CSRF check has nothing to protect here.
                request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)


def activation_url(request: HttpRequest) -> str:
    """The TOTP activation page, with the page asked for as `next` when it is a safe,
    local path that can be opened again (a GET)."""
    url = reverse("mfa_activate_totp")
    next_url = request.get_full_path()
    if request.method == "GET" and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts=None, require_https=request.is_secure()
    ):
        url += "?" + urlencode({"next": next_url})
    return url


class AdminSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ALLOWED_PREFIXES):
            return self.get_response(request)
        is_api = request.path.startswith(API_PREFIX)
        # On the API, BearerTokenMiddleware has made the token's owner the user.
        if not needs_second_factor(request.user):
            return self.get_response(request)
        message = _(
            "As an administrator of an organisation you need a second factor. "
            "Set up an authenticator app to continue."
        )
        if is_api:
            return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
        messages.warning(request, message)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(activation_url(request))
        return redirect(activation_url(request))
