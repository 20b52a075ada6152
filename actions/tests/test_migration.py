from __future__ import annotations

import importlib
import uuid
from datetime import date

import pytest

from actions.models import Action, ActionEvent
from workshops.models import ActionPoint

from .conftest import mini


def run_data_migration() -> None:
    """The data migration's function, on the current models (the schema is the same; rolling
    the schema back in a test would flush the other apps' data migrations)."""
    from django.apps import apps

    module = importlib.import_module("actions.migrations.0002_action_points_into_register")
    module.forwards(apps, None)


@pytest.mark.django_db
def test_existing_action_points_move_into_the_register(org, facilitator_user, member_user):
    from workshops import services as ws

    session = ws.start_session(organisation=org, fmt=mini(), actor=facilitator_user)
    named = ActionPoint.objects.create(
        session=session,
        step_id="aaaaaaaaaaaa",
        key=uuid.uuid4(),
        text="Opleidingsplan opmaken",
        owner="Jan (zonder account)",
        first_step="Cijfers opvragen",
        due_date=date(2027, 3, 1),
        evaluation_date=date(2027, 6, 1),
        created_by=facilitator_user,
    )
    member = ActionPoint.objects.create(
        session=session,
        step_id="bbbbbbbbbbbb",
        key=uuid.uuid4(),
        text="Budget vragen",
        owner=member_user.email,
    )
    assert Action.objects.count() == 0

    run_data_migration()
    run_data_migration()  # again: nothing new
    assert Action.objects.count() == 2

    first = Action.objects.get(action_point=named)
    assert first.organisation == org and first.session == session
    assert first.step_id == "aaaaaaaaaaaa" and first.source == "session"
    assert first.owner is None and first.owner_name == "Jan (zonder account)"
    assert first.first_step == "Cijfers opvragen"
    assert first.due_date == date(2027, 3, 1) and first.evaluation_date == date(2027, 6, 1)
    assert first.created_by == facilitator_user and first.kind == "agreement"
    second = Action.objects.get(action_point=member)
    assert second.owner == member_user and second.owner_name == ""
    assert ActionEvent.objects.filter(via="migration").count() == 2
