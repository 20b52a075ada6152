from __future__ import annotations

from uuid import UUID

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from .forms import ApiTokenForm, ProfileForm
from .middleware import needs_second_factor
from .models import ApiToken, User


class AccountRequest(HttpRequest):
    """What these views get: a logged-in user (login_required) and htmx details."""

    user: User
    htmx: HtmxDetails


def get_own_token(user: User, public_id: UUID) -> ApiToken:
    """A token of `user`; anybody else's token (or none) is a 404."""
    token = ApiToken.objects.filter(user=user, public_id=public_id).first()
    if token is None:
        raise Http404
    return token


def _profile_context(request: AccountRequest, **forms) -> dict:
    user = request.user
    return {
        "profile_form": forms.get("profile_form") or ProfileForm(instance=user),
        "token_form": forms.get("token_form") or ApiTokenForm(),
        "memberships": user.memberships.select_related("organisation").order_by(
            "organisation__name"
        ),
        "tokens": user.api_tokens.all(),
        "has_totp": is_mfa_enabled(user, [Authenticator.Type.TOTP]),
        "second_factor_required": needs_second_factor(user),
    }


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """The same cookie Django's set_language view writes, so LocaleMiddleware picks it up."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AccountRequest) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            user = form.save()
            translation.activate(user.language)
            messages.success(request, _("Your account details have been saved."))
            response = redirect("profile")
            _set_language_cookie(response, user.language)
            return response
        context = _profile_context(request, profile_form=form)
        return render(request, "accounts/profile.html", context)
    return render(request, "accounts/profile.html", _profile_context(request))


@never_cache
@login_required
@require_POST
def token_create(request: AccountRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/profile.html", _profile_context(request, token_form=form))
    token, raw = ApiToken.issue(request.user, form.cleaned_data["label"])
    # The raw token exists only in this response: it is not stored and never shown again.
    return render(request, "accounts/token_created.html", {"token": token, "raw_token": raw})


@login_required
@require_POST
def token_revoke(request: AccountRequest, public_id: UUID) -> HttpResponse:
    token = get_own_token(request.user, public_id)
    token.revoke()
    if request.htmx:
        return render(
            request,
            "accounts/profile.html#token-list",
            {"tokens": request.user.api_tokens.all(), "revoked": token},
        )
    messages.success(request, _("The token “%(label)s” has been revoked.") % {"label": token.label})
    return redirect("profile")
