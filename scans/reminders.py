"""Scheduled reminders for e-mail invitations, run by the periodic tick (`core.periodic`).

An invitation that has not been used gets a reminder `campaign.reminder_days` days (default
7; 0 switches them off) after its invitation or its latest reminder, manual ones included,
at most `MAX_REMINDERS` in all, while the campaign takes answers. Each round is claimed per
invitation before its mail is queued: one UPDATE ... WHERE reminders_sent = <the round>
gives the invitation a new token and moves it to the next round, so a job run twice (two
workers, a retry) sends nobody a second mail for the same round. The mail is queued only
after that commits. As with the button, each reminder carries a new personal link and the
old one stops working (only the token's hash is stored).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from orgs.services import record

from .models import Campaign, ScanInvitation, hash_secret

MAX_REMINDERS = 2
"""Reminders per invitation in all (by schedule or by the button) before the schedule
stops writing to that address."""
MAX_REMINDER_DAYS = 60
JOB_NAME = "scans.invitation_reminders"
JOB_EVERY = timedelta(hours=1)


def set_reminder_days(campaign: Campaign, days: Any, *, actor: Any) -> Campaign:
    """Change after how many days unused invitations get a reminder (0: never)."""
    try:
        value = int(days)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= MAX_REMINDER_DAYS:
        raise DomainError(
            _("Enter a number of days from 0 (no reminders) to %(max)d.")
            % {"max": MAX_REMINDER_DAYS},
            code="reminder_days_invalid",
            status=422,
        )
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(reminder_days=value)
        campaign.reminder_days = value
        record(
            campaign.organisation,
            actor=actor,
            action="scan.reminder_days_set",
            target_label=campaign.name,
            days=value,
        )
    return campaign


def remind_campaign(campaign: Campaign, now: datetime | None = None) -> int:
    """Queue the reminders that are due in one campaign; answers how many."""
    from .tasks import send_scan_invitation

    now = now or timezone.now()
    if campaign.reminder_days <= 0 or not campaign.accepts_responses(now):
        return 0
    cutoff = now - timedelta(days=campaign.reminder_days)
    due = list(
        ScanInvitation.objects.filter(
            campaign=campaign,
            used=False,
            reminders_sent__lt=MAX_REMINDERS,
            last_sent_at__lte=cutoff,
        ).values_list("pk", "public_id", "reminders_sent")
    )
    sent = 0
    with transaction.atomic():
        for pk, public_id, round_ in due:
            token = secrets.token_urlsafe(24)
            claimed = ScanInvitation.objects.filter(
                pk=pk, used=False, reminders_sent=round_, last_sent_at__lte=cutoff
            ).update(token_hash=hash_secret(token), reminders_sent=round_ + 1, last_sent_at=now)
            if not claimed:  # answered, or reminded by someone else, since we looked
                continue
            sent += 1
            transaction.on_commit(
                lambda i=str(public_id), t=token: send_scan_invitation.enqueue(  # type: ignore[misc]
                    i, t, True
                )
            )
        if sent:
            record(
                campaign.organisation,
                actor=None,
                action="scan.reminders_sent",
                target_label=campaign.name,
                count=sent,
                scheduled=True,
            )
    return sent


def send_due_reminders() -> int:
    """The periodic job: every open campaign's due reminders."""
    now = timezone.now()
    total = 0
    campaigns = Campaign.objects.open().filter(reminder_days__gt=0).select_related("organisation")
    for campaign in campaigns:
        total += remind_campaign(campaign, now)
    return total
