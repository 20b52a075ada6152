"""Organisation admins must use a second factor (TOTP) before they can act as admins."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
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


def _api_token_user(request: HttpRequest):
    """The owner of the bearer token on an API request; the session user is not set then.

    A token must not let an admin past the second-factor requirement that the same person
    meets on the web.
    """
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    raw = raw.strip()
    # Every personal token starts with TOKEN_PREFIX; other bearer tokens (a live session's
    # participants) can never match one, so they cost no query.
    if scheme.lower() != "bearer" or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(raw)).first()
    )
    return token.user if token else None


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
        user = request.user
        if is_api and not user.is_authenticated:
            user = _api_token_user(request)
        if not needs_second_factor(user):
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
