"""Background work for the training plan: the reminder e-mail to the admins."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django_tasks import task

from core.emails import send_templated
from orgs.models import Membership, Role

from .models import TrainingPlan
from .plan import timeline


@task()
def send_plan_reminder(plan_public_id: str, step: str) -> int:
    """Mail every admin of the plan's organisation about one step; returns how many."""
    plan = (
        TrainingPlan.objects.select_related("organisation").filter(public_id=plan_public_id).first()
    )
    if plan is None:
        return 0
    milestone = next((m for m in timeline(plan) if m.step == step), None)
    if milestone is None:
        return 0
    organisation = plan.organisation
    admins = Membership.objects.filter(
        organisation=organisation, role=Role.ADMIN, user__is_active=True
    ).select_related("user")
    url = settings.SITE_URL + reverse("learning:plan", args=[organisation.slug, plan.public_id])
    count = 0
    for membership in admins:
        send_templated(
            "learning_plan_reminder",
            membership.user.email,
            {"plan": plan, "organisation": organisation, "milestone": milestone, "url": url},
            organisation.language,
        )
        count += 1
    return count
