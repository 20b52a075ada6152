"""Put every existing live-session action point into the register, linked to its session
and step. Running it again adds nothing (an action point has at most one action)."""

import uuid

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    ActionPoint = apps.get_model("workshops", "ActionPoint")
    Action = apps.get_model("actions", "Action")
    ActionEvent = apps.get_model("actions", "ActionEvent")
    Membership = apps.get_model("orgs", "Membership")
    points = (
        ActionPoint.objects.select_related("session")
        .filter(register_action__isnull=True)
        .order_by("id")
    )
    for point in points.iterator():
        session = point.session
        owner_name = (point.owner or "").strip()[:150]
        owner = None
        if owner_name:
            member = (
                Membership.objects.filter(organisation_id=session.organisation_id)
                .filter(Q(user__email__iexact=owner_name))
                .select_related("user")
                .first()
            )
            if member is not None:
                owner = member.user
                owner_name = ""
        action = Action.objects.create(
            public_id=uuid.uuid4(),
            organisation_id=session.organisation_id,
            kind="agreement",
            text=point.text[:500],
            owner=owner,
            owner_name=owner_name,
            first_step=(point.first_step or "")[:500],
            due_date=point.due_date,
            evaluation_date=point.evaluation_date,
            status="open",
            theme="other",
            source="session",
            session_id=session.pk,
            step_id=point.step_id,
            action_point_id=point.pk,
            created_by_id=point.created_by_id,
            created_at=point.created_at,
            updated_at=point.created_at,
        )
        ActionEvent.objects.create(
            action=action,
            kind="created",
            actor_id=point.created_by_id,
            via="migration",
            new_status="open",
            created_at=point.created_at,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0001_initial"),
        ("workshops", "0003_scan_results_and_hands_up"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
