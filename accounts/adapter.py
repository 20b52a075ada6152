from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from core.net import client_address

INVITATION_SESSION_KEY = "invitation_key"
"""Set by orgs.views.invitation_accept when a logged-out visitor opens an invitation link."""


def pending_invitation(request: HttpRequest | None):
    """The still-usable invitation whose link this visitor opened, if any."""
    from orgs.models import Invitation, hash_invitation_key

    session = getattr(request, "session", None)
    key = session.get(INVITATION_SESSION_KEY) if session is not None else None
    if not key:
        return None
    return Invitation.objects.pending().filter(key_hash=hash_invitation_key(key)).first()


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's rate limits count by: core.net's answer, so that
        X-Forwarded-For is believed from LEREND_TRUSTED_PROXIES, and only from them."""
        return client_address(request)

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come from invitations; open sign-up only when LEREND_OPEN_SIGNUP is on."""
        if pending_invitation(request) is not None:
            return True
        return bool(settings.ACCOUNT_SIGNUP_ENABLED)

    def clean_email(self, email: str) -> str:
        """When only an invitation opens sign-up, the account is for the invited address."""
        email = super().clean_email(email)
        request = self.request
        if (
            request is not None
            and not settings.ACCOUNT_SIGNUP_ENABLED
            and request.path == reverse("account_signup")
        ):
            invitation = pending_invitation(request)
            if invitation is not None and invitation.email.lower() != email.lower():
                raise forms.ValidationError(
                    _("Use the address the invitation was sent to: %(email)s.")
                    % {"email": invitation.email}
                )
        return email

    def is_email_verified(self, request: HttpRequest, email: str) -> bool:
        """The invitation link reached this address, which proves the visitor reads it."""
        invitation = pending_invitation(request)
        if invitation is not None and invitation.email.lower() == email.lower():
            return True
        return super().is_email_verified(request, email)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        invitation_url = self._invitation_url(request)
        return invitation_url or super().get_login_redirect_url(request)

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        invitation_url = self._invitation_url(request)
        return invitation_url or super().get_signup_redirect_url(request)

    @staticmethod
    def _invitation_url(request: HttpRequest) -> str | None:
        if pending_invitation(request) is None:
            return None
        return reverse("invitation_accept", args=[request.session[INVITATION_SESSION_KEY]])
