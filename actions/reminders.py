"""Reminders that run by themselves: one tick a day is enough, more ticks do no harm.

`run_tick(now)` sends
- a daily digest per owner (what is due within 3 days or overdue, and what reached its
  evaluation date since the previous digest), unless the owner turned it off;
- for a personal action with an address, one reminder on its due date, with its link.

Exactly once: each reminder is a `Reminder` row, unique per owner (or action), kind and
day, inserted before its e-mail is queued; a tick queues only the rows it inserted itself,
so two workers, a restart or a tick run twice never send twice (at most once: should the
process die between recording and queueing, that day's reminder is not sent). A tick
missed while the server was down is caught up once: the digest is per day (today's lists
what is overdue), and a due-date reminder is keyed by the due date, whatever day it is
sent.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from .models import OPEN_STATUSES, Action, Kind, Reminder, ReminderKind, Status

DIGEST_DAYS = 3
BATCH = 100
"""E-mails per queued task."""
EVALUATION_LOOKBACK_DAYS = 31
"""An evaluation date missed while no digest went out is listed once, up to this long after."""


def run_tick(now: datetime | None = None) -> int:
    """Queue every reminder that is due and not yet sent; returns how many were queued."""
    from . import tasks

    now = now or timezone.now()
    today = timezone.localdate(now)
    tick = uuid.uuid4()

    # --- The digest of each owner -----------------------------------------------------
    horizon = today + timedelta(days=DIGEST_DAYS)
    already = Reminder.objects.filter(kind=ReminderKind.DIGEST, day=today).values("user_id")
    rows = (
        Action.objects.filter(owner__isnull=False, owner__is_active=True, kind=Kind.AGREEMENT)
        # still a member of the action's organisation (one membership per user and org)
        .filter(owner__memberships__organisation=F("organisation"))
        .filter(
            Q(status__in=OPEN_STATUSES, due_date__lte=horizon)
            | Q(
                evaluation_date__lte=today,
                evaluation_date__gt=today - timedelta(days=EVALUATION_LOOKBACK_DAYS),
            )
        )
        .exclude(status=Status.DROPPED)
        .exclude(owner__action_settings__digest=False)
        .exclude(owner_id__in=already)
        .values_list("owner_id", "public_id", "status", "due_date", "evaluation_date")
    )
    per_owner: dict[int, list[str]] = defaultdict(list)
    evaluations: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for owner_id, public_id, status, due, evaluation in rows.iterator(chunk_size=2000):
        if status in OPEN_STATUSES and due is not None and due <= horizon:
            per_owner[owner_id].append(str(public_id))
        elif evaluation is not None and evaluation <= today:
            evaluations[owner_id].append((str(public_id), evaluation))
    if evaluations:
        last = dict(
            Reminder.objects.filter(kind=ReminderKind.DIGEST, user_id__in=list(evaluations))
            .values("user_id")
            .annotate(last=Max("day"))
            .values_list("user_id", "last")
        )
        for owner_id, items in evaluations.items():
            since = last.get(owner_id) or (today - timedelta(days=1))
            per_owner[owner_id].extend(pid for pid, day in items if day > since)  # type: ignore[operator]
    per_owner = {k: v for k, v in per_owner.items() if v}
    Reminder.objects.bulk_create(
        [
            Reminder(kind=ReminderKind.DIGEST, day=today, user_id=owner_id, tick=tick, items=len(v))
            for owner_id, v in per_owner.items()
        ],
        ignore_conflicts=True,
        batch_size=500,
    )
    won = set(
        Reminder.objects.filter(tick=tick, kind=ReminderKind.DIGEST).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    # E-mails are queued in batches (one task per BATCH owners): queueing a thousand tasks
    # one by one costs more than the whole tick.
    owners = sorted(won)
    with transaction.atomic():
        for start in range(0, len(owners), BATCH):
            chunk = [[o, per_owner[o]] for o in owners[start : start + BATCH]]
            tasks.send_digests.enqueue(today.isoformat(), chunk)
            sent += len(chunk)

    # --- Personal actions on their due date --------------------------------------------
    due_rows = list(
        Action.objects.filter(
            kind=Kind.PERSONAL,
            status__in=OPEN_STATUSES,
            due_date__lte=today,
            due_date__gt=today - timedelta(days=EVALUATION_LOOKBACK_DAYS),
        )
        .exclude(contact_email="")
        .exclude(link_hash="")
        .exclude(reminders_off=True)
        .exclude(
            Exists(
                Reminder.objects.filter(
                    action=OuterRef("pk"), kind=ReminderKind.DUE, day=OuterRef("due_date")
                )
            )
        )
        .values_list("pk", "due_date")
    )
    Reminder.objects.bulk_create(
        [Reminder(kind=ReminderKind.DUE, day=day, action_id=pk, tick=tick) for pk, day in due_rows],  # type: ignore[misc]
        ignore_conflicts=True,
        batch_size=500,
    )
    won_due = list(
        Reminder.objects.filter(tick=tick, kind=ReminderKind.DUE).values_list(
            "action_id", flat=True
        )
    )
    with transaction.atomic():
        for start in range(0, len(won_due), BATCH):
            due_chunk = won_due[start : start + BATCH]
            tasks.send_due_reminders.enqueue(due_chunk)
            sent += len(due_chunk)
    return sent
