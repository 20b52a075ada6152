"""Live sessions feed the register of actions (issue 11): action points, personal actions
and 11-tips ratings, each in the transaction that stores them; one reminder, the register's."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django_tasks import default_task_backend

from actions import reminders
from actions.models import Action, ActionEvent, Kind, Source, Status
from formats.models import Format
from workshops import services
from workshops.models import ActionPoint, PersonalAction

from .conftest import go, key

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def start(org, user, slug):
    fmt = Format.objects.get(slug=slug, is_builtin=True)
    return services.start_session(organisation=org, fmt=fmt, actor=user)


def _point(session, user, k=None, **fields):
    values = {
        "text": "Opleidingsbudget bespreken",
        "owner": "HR",
        "first_step": "Agenda maken",
        "due_date": "2026-06-01",
        "evaluation_date": "2026-09-01",
    }
    values.update(fields)
    return services.add_action_point(session, key=k or key(), actor=user, **values)


def test_a_live_action_point_is_in_the_register_once(org, facilitator_user):
    session = start(org, facilitator_user, "leven-lang-leren-11-tips")
    ref = go(session, "action_points", actor=facilitator_user)
    k = key()
    first = _point(session, facilitator_user, k)
    replay = _point(session, facilitator_user, k)
    assert first.created and not replay.created
    point = ActionPoint.objects.get(session=session)
    action = Action.objects.get(action_point=point)
    assert Action.objects.filter(session=session).count() == 1
    assert action.organisation == org
    assert (action.kind, action.source) == (Kind.AGREEMENT, Source.SESSION)
    assert action.session == session and action.step_id == ref.id
    assert action.text == "Opleidingsbudget bespreken"
    assert action.owner_name == "HR" and action.first_step == "Agenda maken"
    assert str(action.due_date) == "2026-06-01" and str(action.evaluation_date) == "2026-09-01"
    assert action.status == Status.OPEN
    assert ActionEvent.objects.filter(action=action, kind="created").count() == 1


def test_an_owner_who_is_a_member_owns_the_agreement(org, facilitator_user, member_user):
    session = start(org, facilitator_user, "leven-lang-leren-11-tips")
    go(session, "action_points", actor=facilitator_user)
    _point(session, facilitator_user, owner=member_user.email.upper())
    action = Action.objects.get(session=session)
    assert action.owner == member_user and action.owner_name == ""


def test_a_refused_point_leaves_nothing_in_the_register(org, facilitator_user):
    session = start(org, facilitator_user, "leven-lang-leren-11-tips")
    go(session, "action_points", actor=facilitator_user)
    with pytest.raises(services.DomainError):
        _point(session, facilitator_user, due_date="morgen")
    assert not ActionPoint.objects.exists() and not Action.objects.exists()


def test_the_register_entry_rolls_back_with_the_point(org, facilitator_user):
    session = start(org, facilitator_user, "leven-lang-leren-11-tips")
    go(session, "action_points", actor=facilitator_user)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _point(session, facilitator_user)
        assert Action.objects.filter(session=session).count() == 1
        raise Boom
    assert not ActionPoint.objects.exists() and not Action.objects.exists()


def test_willen_we_starten_proposes_one_action_per_tip(org, facilitator_user):
    session = start(org, facilitator_user, "leven-lang-leren-11-tips")
    ann, bob = (services.join_session(code=session.code)[0] for _i in range(2))
    checklist = go(session, "checklist", actor=facilitator_user)
    first, second = checklist.step.items[0], checklist.step.items[1]
    others = [o.key for o in checklist.step.options if o.key != "willen-we-starten"]
    for person in (ann, bob):
        services.cast_vote(
            session,
            participant=person,
            step_id=checklist.id,
            item=first.key,
            choice="willen-we-starten",
            key=key(),
        )
    services.cast_vote(
        session, participant=ann, step_id=checklist.id, item=second.key, choice=others[0], key=key()
    )
    [proposed] = Action.objects.filter(session=session)
    assert proposed.source == Source.CHECKLIST and proposed.kind == Kind.AGREEMENT
    assert proposed.checklist_item == first.key and proposed.text == first.text[:500]
    assert proposed.step_id == checklist.id and proposed.status == Status.OPEN


def _personal(session, person, user, **fields):
    if session.current is None or session.current.kind != "personal_action":
        go(session, "personal_action", actor=user)
    values = {"text": "Ik lees één boek per kwartaal", "email": "", "show_name": False}
    values.update(fields)
    return services.submit_action(session, participant=person, key=key(), **values).value


def test_an_anonymous_personal_action_stays_out_of_the_register(live, join, facilitator_user):
    ann, _t, _c = join("Ann")
    _personal(live, ann, facilitator_user)
    assert PersonalAction.objects.count() == 1
    assert not Action.objects.exists()


def test_a_shared_personal_action_is_in_the_register_and_follows_edits(
    live, join, facilitator_user
):
    ann, _t, _c = join("Ann")
    _personal(live, ann, facilitator_user, email="ann@example.test")
    action = Action.objects.get(kind=Kind.PERSONAL)
    assert action.shared and action.contact_email == "ann@example.test" and action.has_link
    latest = _personal(live, ann, facilitator_user, text="Ik volg een cursus", email="")
    [action] = Action.objects.filter(kind=Kind.PERSONAL)
    assert action.personal_action == latest and action.text == "Ik volg een cursus"
    assert action.contact_email == "" and not action.shared
    bob, _t2, _c2 = join("Bob")
    _personal(live, bob, facilitator_user, show_name=True)
    shown = Action.objects.get(kind=Kind.PERSONAL, personal_action__participant=bob)
    assert shown.participant_name == "Bob" and shown.shared


def test_exactly_one_reminder_mail_the_registers(
    live, join, facilitator_user, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = DUMMY
    ann, _t, _c = join("Ann")
    with django_capture_on_commit_callbacks(execute=True):
        _personal(live, ann, facilitator_user, email="ann@example.test")
    queued = [r.task.name for r in default_task_backend.results]  # type: ignore[attr-defined]
    assert "send_action_reminder" not in " ".join(queued)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    action = Action.objects.get(kind=Kind.PERSONAL)
    due = datetime.combine(action.due_date, time(9), tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(due, tick=False):
        reminders.run_tick()
        reminders.run_tick()
    assert [m.to for m in mail.outbox] == [["ann@example.test"]]
