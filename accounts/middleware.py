"""Organisation admins must use a second factor (TOTP) before they can act as admins."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import Membership, Role

# Pages an admin without a second factor may still open: account pages (to set it up and
# to log out), language switch, static files and health checks.
ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/jsi18n/", "/healthz", "/media/")


def needs_second_factor(user) -> bool:
    if not settings.LEREND_ADMIN_MFA_REQUIRED or not user.is_authenticated:
        return False
    if not Membership.objects.filter(user=user, role=Role.ADMIN).exists():
        return False
    return not is_mfa_enabled(user, [Authenticator.Type.TOTP])


class AdminSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(ALLOWED_PREFIXES) or not needs_second_factor(request.user):
            return self.get_response(request)
        message = _(
            "As an administrator of an organisation you need a second factor. "
            "Set up an authenticator app to continue."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
        messages.warning(request, message)
        return redirect(reverse("mfa_activate_totp") + "?next=" + request.get_full_path())
