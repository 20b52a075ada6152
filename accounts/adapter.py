from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come from invitations; open sign-up only when LEREND_OPEN_SIGNUP is on."""
        from django.conf import settings

        if request.session.get("invitation_key"):
            return True
        return bool(settings.ACCOUNT_SIGNUP_ENABLED)
