from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from actions import services
from actions.models import Action, ActionEvent, Kind, Source, Status, Theme
from core.errors import DomainError
from workshops.models import ActionPoint

from .conftest import key


def test_create_stores_fields_and_history(org, owner_user, facilitator_user, team):
    due = timezone.localdate() + timedelta(days=10)
    result = services.create_action(
        org,
        {
            "text": "  Budget <script>alert(1)</script> ",
            "owner": owner_user,
            "first_step": "Agenda maken",
            "due_date": due,
            "theme": Theme.BUDGET,
            "team": str(team.public_id),
        },
        actor=facilitator_user,
    )
    action = Action.objects.get(pk=result.action.pk)
    assert result.created and result.warnings == []
    assert action.text == "Budget <script>alert(1)</script>"
    assert action.owner == owner_user and action.team == team and action.theme == "budget"
    assert action.kind == Kind.AGREEMENT and action.status == Status.OPEN
    assert list(action.events.values_list("kind", flat=True)) == ["created"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"text": ""}, "empty"),
        ({"text": "   \u200b "}, "empty"),
        ({"text": "x" * 501}, "too_long"),
        ({"text": "a\x00b"}, "control"),
        ({"text": "a\ud800"}, "surrogate"),
        (
            {"text": "ok", "due_date": timezone.localdate() + timedelta(days=6 * 366)},
            "date_too_far",
        ),
        ({"text": "ok", "theme": "nonsense"}, "theme_unknown"),
        ({"text": "ok", "owner": "3f1e1c8e-0000-0000-0000-000000000000"}, "owner_not_member"),
        ({"text": "ok", "owner": "not-a-uuid"}, "owner_not_member"),
        ({"text": "ok", "owner_name": "x" * 151}, "too_long"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(org, facilitator_user, data, code):
    with pytest.raises(DomainError) as error:
        services.create_action(org, data, actor=facilitator_user)
    assert error.value.code == code
    assert error.value.message
    assert Action.objects.count() == 0


def test_owner_of_another_organisation_is_refused(org, facilitator_user, outsider_user):
    with pytest.raises(DomainError) as error:
        services.create_action(org, {"text": "ok", "owner": outsider_user}, actor=facilitator_user)
    assert error.value.code == "owner_not_member"
    assert Action.objects.count() == 0


def test_free_text_owner_is_allowed(org, facilitator_user):
    action = services.create_action(
        org, {"text": "ok", "owner_name": "Jan van de bakkerij"}, actor=facilitator_user
    ).action
    assert action.owner is None and action.owner_name == "Jan van de bakkerij"


def test_evaluation_before_due_is_stored_with_a_warning(org, facilitator_user):
    today = timezone.localdate()
    result = services.create_action(
        org,
        {
            "text": "ok",
            "due_date": today + timedelta(days=10),
            "evaluation_date": today + timedelta(days=5),
        },
        actor=facilitator_user,
    )
    assert result.warnings
    assert Action.objects.get(pk=result.action.pk).evaluation_before_due


def test_replayed_client_key_answers_the_first(org, facilitator_user):
    k = key()
    first = services.create_action(org, {"text": "een"}, actor=facilitator_user, client_key=k)
    again = services.create_action(org, {"text": "twee"}, actor=facilitator_user, client_key=k)
    assert first.created and not again.created
    assert again.action.pk == first.action.pk
    assert Action.objects.count() == 1 and Action.objects.get().text == "een"


def test_progress_and_status_changes_are_in_the_history(agreement, owner_user):
    services.record_progress(agreement, actor=owner_user, note="Afspraak gemaakt")
    services.record_progress(agreement, actor=owner_user, status=Status.DONE)
    agreement.refresh_from_db()
    assert agreement.status == Status.DONE and agreement.done_at is not None
    events = list(agreement.events.values_list("kind", "old_status", "new_status", "note"))
    assert events[1:] == [("note", "", "", "Afspraak gemaakt"), ("status", "open", "done", "")]


def test_done_to_open_needs_a_note(agreement, owner_user):
    services.record_progress(agreement, actor=owner_user, status=Status.DONE)
    with pytest.raises(DomainError) as error:
        services.record_progress(agreement, actor=owner_user, status=Status.OPEN)
    assert error.value.code == "note_required"
    agreement.refresh_from_db()
    assert agreement.status == Status.DONE
    services.record_progress(agreement, actor=owner_user, status=Status.OPEN, note="Toch niet")
    agreement.refresh_from_db()
    assert agreement.status == Status.OPEN


def test_nothing_to_record_is_refused(agreement, owner_user):
    count = ActionEvent.objects.count()
    with pytest.raises(DomainError):
        services.record_progress(agreement, actor=owner_user, status=agreement.status)
    assert ActionEvent.objects.count() == count


def test_other_member_and_outsider_cannot_record_progress(agreement, member_user, outsider_user):
    for user in (member_user, outsider_user):
        with pytest.raises(DomainError) as error:
            services.record_progress(agreement, actor=user, note="hallo")
        assert error.value.status == 404
    assert agreement.events.count() == 1


def test_personal_action_only_through_its_link(personal, facilitator_user, admin_user):
    action, raw = personal
    for user in (facilitator_user, admin_user):
        with pytest.raises(DomainError):
            services.record_progress(action, actor=user, note="nee")
    services.record_progress(action, via_token=raw, status=Status.IN_PROGRESS, note="Ingeschreven")
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    assert action.events.get(kind="status").via == "link"


def test_wrong_expired_and_replaced_links(personal):
    action, raw = personal
    with pytest.raises(DomainError):
        services.action_by_token(raw + "x")
    with pytest.raises(DomainError):
        services.action_by_token("lma_" + "a" * 43)
    Action.objects.filter(pk=action.pk).update(
        link_expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(DomainError) as error:
        services.action_by_token(raw)
    assert error.value.status == 404
    action.refresh_from_db()
    new = services.renew_link(action)
    assert services.action_by_token(new).pk == action.pk
    with pytest.raises(DomainError):
        services.action_by_token(raw)


def test_link_token_is_stored_hashed(personal):
    action, raw = personal
    action.refresh_from_db()
    assert raw not in {action.link_hash, action.link_salt}
    assert action.link_url().endswith(f"/a/{raw}/")


def test_claim_action(personal, member_user, owner_user):
    action, raw = personal
    claimed = services.claim_action(raw, user=member_user)
    assert claimed.claimed_by == member_user
    assert Action.objects.filter(claimed_by=member_user, kind="personal").count() == 1
    assert services.claim_action(raw, user=member_user).pk == action.pk  # again: fine
    with pytest.raises(DomainError) as error:
        services.claim_action(raw, user=owner_user)
    assert error.value.code == "claimed"
    with pytest.raises(DomainError) as error:
        services.claim_action("lma_wrong", user=member_user)
    assert error.value.status == 404


def test_record_action_point_once_and_linked(live, facilitator_user, owner_user):
    point = ActionPoint.objects.create(
        session=live,
        step_id="abc123abc123",
        key=key()[:32],
        text="Leerwensen bespreken in het teamoverleg",
        owner=owner_user.email.upper(),
        due_date=timezone.localdate() + timedelta(days=14),
        created_by=facilitator_user,
    )
    action = services.record_action_point(point)
    again = services.record_action_point(point)
    assert again.pk == action.pk and Action.objects.count() == 1
    assert action.source == Source.SESSION and action.session == live
    assert action.step_id == "abc123abc123" and action.action_point == point
    assert action.owner == owner_user and action.owner_name == ""
    point.text = "Leerwensen bespreken"
    point.save()
    services.record_action_point(point)
    action.refresh_from_db()
    assert action.text == "Leerwensen bespreken"


def test_propose_from_checklist_once(live):
    step = live.steps()[0]
    item = {"key": "tip-3", "text": "Persoonlijke begeleiding bij leerwensen"}
    first = services.propose_from_checklist(live, step, item)
    second = services.propose_from_checklist(live, step, item)
    assert first.pk == second.pk
    assert first.source == Source.CHECKLIST and first.checklist_item == "tip-3"
    assert first.step_id == step.id and first.status == Status.OPEN
    assert Action.objects.count() == 1


def test_record_personal_action_shared_only_with_address_or_name(live, join_participant):
    from workshops.models import PersonalAction

    participant = join_participant("Sara")
    silent = PersonalAction.objects.create(
        session=live, participant=participant, key=key()[:32], step_id="s1", text="Stil"
    )
    action = services.record_personal_action(silent)
    assert action.kind == Kind.PERSONAL and not action.shared and action.participant_name == ""
    assert not action.link_hash
    silent.is_current = False
    silent.save()
    loud = PersonalAction.objects.create(
        session=live,
        participant=participant,
        key=key()[:32],
        step_id="s1",
        text="Met adres",
        email="sara@example.test",
        show_name=True,
    )
    again = services.record_personal_action(loud)
    assert again.pk == action.pk
    again.refresh_from_db()
    assert again.shared and again.participant_name == "Sara" and again.link_hash
    start = timezone.localtime(live.started_at or live.created_at).date()
    assert again.due_date == start + timedelta(days=7)


@pytest.fixture
def join_participant(live):
    from workshops import services as ws

    def _join(name=""):
        participant, _token = ws.join_session(code=live.code, name=name)
        return participant

    return _join
