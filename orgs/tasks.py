"""Background work for organisations: e-mail that must not hold up a request."""

from __future__ import annotations

from django_tasks import task

from core.emails import send_templated

from .models import Invitation, accept_url_for


@task()
def send_invitation_email(invitation_public_id: str, raw_key: str) -> bool:
    """Mail the accept link. Skips invitations revoked or used before the worker got here.

    The raw key travels only in the task's arguments, because the database stores the
    key's hash; finished task results should be pruned (`prune_db_task_results`).
    """
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(public_id=invitation_public_id)
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return False
    inviter = invitation.invited_by
    send_templated(
        "invitation",
        invitation.email,
        {
            "invitation": invitation,
            "inviter_name": inviter.display_name if inviter else "",
            "accept_url": accept_url_for(raw_key),
        },
        invitation.organisation.language,
    )
    return True
