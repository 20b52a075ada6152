"""Reminders to an organisation's admins of the training plan's legal dates.

`run_tick(now)` is called by the worker's periodic tick (and by `lerend learning_remind`).
For every plan of this year or next that is not in force, each step of its timeline that is
not done and falls due within `REMIND_DAYS_BEFORE` days gets one reminder: the reminder is
recorded (a unique row per plan and step) in the same transaction that queues the e-mail
after commit, so a second tick, or two workers at once, never send it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import PlanReminder, PlanStatus, TrainingPlan
from .plan import timeline

REMIND_DAYS_BEFORE = 7


def run_tick(now: datetime | None = None) -> int:
    """Queue the reminders that are due; returns how many were queued."""
    from .tasks import send_plan_reminder

    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    plans = TrainingPlan.objects.filter(year__in=[today.year, today.year + 1]).exclude(
        status=PlanStatus.IN_FORCE, informed_on__isnull=False
    )
    for plan in plans.select_related("organisation"):
        done = {r.step for r in plan.reminders.all()}
        for milestone in timeline(plan):
            if milestone.step in done or milestone.done_on is not None:
                continue
            if not today >= milestone.due - timedelta(days=REMIND_DAYS_BEFORE):
                continue
            if today > milestone.due + timedelta(days=30):
                continue  # long past: the plan's page shows it as late
            try:
                with transaction.atomic():
                    PlanReminder.objects.create(
                        plan=plan, step=milestone.step, due_on=milestone.due, recorded_at=now
                    )
                    transaction.on_commit(
                        partial(send_plan_reminder.enqueue, str(plan.public_id), milestone.step)
                    )
            except IntegrityError:
                continue  # another worker recorded it first
            sent += 1
    return sent
