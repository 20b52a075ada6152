"""Account helpers shared by the createuser and demo commands (not a command itself)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress

from accounts.models import User
from orgs import services
from orgs.models import Membership, Organisation


def mark_email_verified(user: User) -> None:
    """Whoever runs the command vouches for the address, so it needs no confirmation."""
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
        EmailAddress.objects.create(
            user=user, email=user.email, verified=True, primary=not has_primary
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def add_member(organisation: Organisation, user: User, role: str, *, actor: Any) -> Membership:
    """Give `user` a role through the invitation services (audited, all rules applied).

    The invitation is accepted in the same transaction, so the e-mail task finds it used
    and sends nothing. An existing member gets the role through change_role.
    """
    current = Membership.objects.filter(organisation=organisation, user=user).first()
    if current is not None:
        return services.change_role(current, role=role, actor=actor)
    _invitation, raw_key = services.invite_member(
        organisation, email=user.email, role=role, actor=actor
    )
    return services.accept_invitation(raw_key, user=user)
