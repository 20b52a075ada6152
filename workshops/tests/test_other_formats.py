"""The activities the mini-vorming does not have: experiment, checklist, action points."""

from __future__ import annotations

import pytest

from formats.models import Format
from workshops import services
from workshops.models import ActionPoint, GroupMembership
from workshops.queries import checklist_results, experiment_results
from workshops.summary import build_summary, to_markdown

from .conftest import go, key, step_of


def start(org, user, slug):
    fmt = Format.objects.get(slug=slug, is_builtin=True)
    return services.start_session(organisation=org, fmt=fmt, actor=user)


def test_experiment_poll_is_compared_per_group(org, facilitator_user):
    session = start(org, facilitator_user, "al-doende-leren-experiment")
    people = [services.join_session(code=session.code)[0] for _i in range(6)]
    ref = go(session, "experiment", actor=facilitator_user)
    groups = services.make_groups(session, actor=facilitator_user)
    assert len(groups) == len(ref.step.groups)
    first_choice = ref.step.choices[0].key
    for person in people:
        for index in range(len(ref.step.poll)):
            services.cast_vote(
                session,
                participant=person,
                step_id=ref.id,
                item=str(index),
                choice=first_choice,
                key=key(),
            )
    with pytest.raises(services.DomainError):
        services.cast_vote(
            session,
            participant=people[0],
            step_id=ref.id,
            item=str(len(ref.step.poll)),
            choice=first_choice,
            key=key(),
        )
    results = experiment_results(session, ref)
    assert sorted(block["group"] for block in results) == [g.number for g in groups]
    for block in results:
        size = GroupMembership.objects.filter(group__number=block["group"], step_id=ref.id).count()
        assert [s["counts"][0]["count"] for s in block["statements"]] == [size] * len(ref.step.poll)


def test_checklist_answers_and_action_points(org, facilitator_user):
    session = start(org, facilitator_user, "leven-lang-leren-11-tips")
    ann = services.join_session(code=session.code)[0]
    checklist = go(session, "checklist", actor=facilitator_user)
    item = checklist.step.items[0]
    option = checklist.step.options[0]
    services.cast_vote(
        session, participant=ann, step_id=checklist.id, item=item.key, choice=option.key, key=key()
    )
    with pytest.raises(services.DomainError):
        services.cast_vote(
            session,
            participant=ann,
            step_id=checklist.id,
            item="geen-item",
            choice=option.key,
            key=key(),
        )
    rows = checklist_results(session, checklist)
    assert rows[0]["counts"][0]["count"] == 1
    go(session, "action_points", actor=facilitator_user)
    k = key()
    for _i in range(2):
        services.add_action_point(
            session,
            text="Opleidingsbudget bespreken",
            owner="HR",
            first_step="Agenda",
            due_date="2026-06-01",
            evaluation_date="2026-09-01",
            key=k,
            actor=facilitator_user,
        )
    assert ActionPoint.objects.filter(session=session).count() == 1
    with pytest.raises(services.DomainError):
        services.add_action_point(
            session, text="x", due_date="morgen", key=key(), actor=facilitator_user
        )
    services.end_session(session, actor=facilitator_user)
    markdown = to_markdown(build_summary(session))
    assert "Opleidingsbudget bespreken" in markdown
    assert "1 June 2026" in markdown and "2026\\-06" not in markdown
    assert step_of(session, "checklist").id == checklist.id
