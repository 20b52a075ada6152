"""Signing in to "Mijn leren" with an e-mail address and a one-time code.

This is allauth's own login by code (`RequestLoginCodeView`, its code e-mail, its
confirmation page, its rate limits: `request_login_code` per address and per client, and
at most ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS wrong codes). The one addition: an address
without an account gets a portfolio account first, even with open sign-up off, so the
code reaches a new person too. The account has no password and no role in any
organisation; its address counts as verified once the code from the e-mail is entered
(allauth verifies it then). The page answers the same for a known and a new address.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.forms import RequestLoginCodeForm
from allauth.account.models import EmailAddress
from allauth.account.views import RequestLoginCodeView
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.models import User
from core import ratelimit
from core.net import client_address

NEW_ACCOUNTS_PER_HOUR = 10
EMAIL_MAX = 254


class PortfolioCodeForm(RequestLoginCodeForm):
    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email") or ""
        if len(raw) > EMAIL_MAX:
            from django import forms

            raise forms.ValidationError(_("Use an e-mail address of at most 254 characters."))
        email = super().clean_email()  # allauth's checks and rate limits first
        if email and getattr(self, "_user", None) is None:
            self._user = self._new_account(email)
        return email

    def _new_account(self, email: str) -> User | None:
        if User.objects.filter(email__iexact=email).exists():
            return None  # a deactivated account: allauth's "unknown account" mail
        request = self.request if hasattr(self, "request") else None
        address = client_address(request) if request is not None else "unknown"
        limited = ratelimit.exceeded(
            f"portfolio-new-account:{address}", NEW_ACCOUNTS_PER_HOUR, 3600
        )
        if limited:
            from django import forms

            raise forms.ValidationError(
                _("Too many new accounts from this connection. Try again in an hour.")
            )
        ratelimit.count(f"portfolio-new-account:{address}", 3600)
        try:
            with transaction.atomic():
                user = User.objects.create_user(email, None)  # no usable password
                EmailAddress.objects.create(
                    user=user, email=user.email, primary=True, verified=False
                )
        except IntegrityError:
            return User.objects.filter(email__iexact=email, is_active=True).first()
        return user


class PortfolioSignInView(RequestLoginCodeView):
    form_class = PortfolioCodeForm
    template_name = "portfolio/start.html"

    def get_form_class(self):  # type: ignore[no-untyped-def]
        return PortfolioCodeForm

    def get_form(self, form_class=None):  # type: ignore[no-untyped-def]
        form = super().get_form(form_class)
        form.request = self.request
        return form

    def dispatch(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        if request.user.is_authenticated:
            return redirect(self._next_url())
        return super().dispatch(request, *args, **kwargs)

    def _next_url(self) -> str:
        """Where to go after the code: a safe local `next`, else the portfolio."""
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if candidate.startswith("/") and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}
        ):
            return candidate
        return reverse("portfolio:home")

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        context = super().get_context_data(**kwargs)
        context["next_url"] = self._next_url()
        return context

    def get_success_url(self) -> str:  # type: ignore[override]
        return reverse("account_confirm_login_code") + "?" + urlencode({"next": self._next_url()})


sign_in = PortfolioSignInView.as_view()
