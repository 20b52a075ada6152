"""Background work for the scan: invitation and reminder e-mails."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from core.emails import send_templated

from .models import ScanInvitation


def answer_url_for(raw_token: str) -> str:
    """The personal answer link; only the token's hash is stored, so it is built once."""
    return f"{settings.SITE_URL}/s/i/{raw_token}/"


@task()
def send_scan_invitation(invitation_public_id: str, raw_token: str, reminder: bool) -> bool:
    """Mail the personal link. Skips invitations used (or removed) before the worker got here.

    The raw token travels only in the task's arguments; finished task results should be
    pruned (`prune_db_task_results`).
    """
    invitation = (
        ScanInvitation.objects.select_related("campaign__organisation")
        .filter(public_id=invitation_public_id)
        .first()
    )
    if invitation is None or invitation.used:
        return False
    campaign = invitation.campaign
    send_templated(
        "scan_reminder" if reminder else "scan_invitation",
        invitation.email,
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "title": campaign.questionnaire.title,
            "answer_url": answer_url_for(raw_token),
            "closes_at": campaign.closes_at,
            "minimum": campaign.anonymity_minimum,
        },
        campaign.language,
    )
    return True
