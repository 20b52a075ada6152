from __future__ import annotations

import json
import uuid

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from workshops import services
from workshops.models import (
    GroupMembership,
    GroupSummary,
    Note,
    PersonalAction,
    SessionEvent,
    Vote,
)

from .conftest import go, key, step_of


def post(client: Client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


def stored(live) -> tuple:
    return (
        Note.objects.filter(session=live).count(),
        Vote.objects.filter(session=live).count(),
        PersonalAction.objects.filter(session=live).count(),
        SessionEvent.objects.filter(session=live).count(),
    )


@pytest.fixture
def board(live, facilitator_user):
    return go(live, "board", actor=facilitator_user)


def test_replayed_note_stores_nothing_new(live, join, board):
    _p, _t, client = join()
    k = key()
    url = f"/api/v1/sessions/{live.code}/notes"
    first = post(client, url, {"step": board.id, "question": 0, "text": "Eén", "key": k})
    before = stored(live)
    again = post(client, url, {"step": board.id, "question": 1, "text": "Twee", "key": k})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert stored(live) == before
    assert Note.objects.get().text == "Eén"


def test_same_key_from_two_participants_is_two_notes(live, join, board):
    k = key()
    for _i in range(2):
        _p, _t, client = join()
        assert (
            post(
                client,
                f"/api/v1/sessions/{live.code}/notes",
                {"step": board.id, "text": "x", "key": k},
            ).status_code
            == 201
        )
    assert Note.objects.filter(session=live).count() == 2


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"text": ""}, 400),
        ({"text": "   "}, 400),
        ({"text": "x" * 501}, 400),
        ({"text": 5}, 400),
        ({"question": 99}, 404),
        ({"step": "000000000000"}, 404),
        ({"key": "not-a-uuid"}, 422),
    ],
)
def test_bad_notes_change_nothing(live, join, board, payload, status):
    _p, _t, client = join()
    body = {"step": board.id, "question": 0, "text": "ok", "key": key(), **payload}
    before = stored(live)
    response = post(client, f"/api/v1/sessions/{live.code}/notes", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    assert stored(live) == before


def test_note_with_markup_is_stored_as_text(live, join, board):
    _p, _t, client = join()
    text = "<script>alert(1)</script> **vet**"
    post(
        client,
        f"/api/v1/sessions/{live.code}/notes",
        {"step": board.id, "text": text, "key": key()},
    )
    assert Note.objects.get().text == text


def test_contribution_to_a_step_that_is_not_open_is_409(live, join, board, facilitator_user):
    _p, _t, client = join()
    poll = step_of(live, "statement_poll")
    before = stored(live)
    response = post(
        client,
        f"/api/v1/sessions/{live.code}/votes",
        {"step": poll.id, "choice": "eens", "key": key()},
    )
    assert response.status_code == 409
    assert stored(live) == before


def test_step_id_of_another_session_is_404(live, join, board, org, mini_format, facilitator_user):
    other = services.start_session(organisation=org, fmt=mini_format, actor=facilitator_user)
    other_board = go(other, "board", actor=facilitator_user)
    assert other_board.id != board.id
    _p, _t, client = join()
    before = stored(live)
    response = post(
        client,
        f"/api/v1/sessions/{live.code}/notes",
        {"step": other_board.id, "text": "x", "key": key()},
    )
    assert response.status_code == 404
    assert stored(live) == before


def test_token_on_another_session_is_404(live, join, board, org, mini_format, facilitator_user):
    other = services.start_session(organisation=org, fmt=mini_format, actor=facilitator_user)
    other_board = go(other, "board", actor=facilitator_user)
    _p, _t, client = join()
    response = post(
        client,
        f"/api/v1/sessions/{other.code}/notes",
        {"step": other_board.id, "text": "x", "key": key()},
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/sessions/{other.code}/state").status_code == 404
    assert Note.objects.count() == 0


def test_too_many_contributions_is_429(live, join, board):
    _p, _t, client = join()
    url = f"/api/v1/sessions/{live.code}/notes"
    for n in range(services.CONTRIBUTIONS_PER_MINUTE):
        assert (
            post(client, url, {"step": board.id, "text": f"n{n}", "key": key()}).status_code == 201
        )
    body = json.dumps({"step": board.id, "text": "one too many", "key": key()})
    response = client.post(
        url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9"
    )
    assert response.status_code == 429
    assert response.json()["detail"] == (
        "Je verstuurt te veel tegelijk. Wacht een minuutje en probeer opnieuw."
    )
    assert Note.objects.filter(session=live).count() == services.CONTRIBUTIONS_PER_MINUTE


def test_wrong_codes_are_limited_per_address(live):
    client = Client()
    # Frozen inside one minute: the limit counts per minute, and a test that crossed a
    # minute boundary would start counting again.
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        for _i in range(services.WRONG_CODES_PER_MINUTE):
            assert post(client, "/api/v1/join", {"code": "ZZZZZZ"}).status_code == 404
        response = post(client, "/api/v1/join", {"code": live.code})
    assert response.status_code == 429
    assert live.participants.count() == 0


def test_ended_session_refuses_joins_and_contributions(live, join, board, facilitator_user):
    _p, _t, client = join()
    services.end_session(live, actor=facilitator_user)
    assert post(Client(), "/api/v1/join", {"code": live.code}).status_code == 404
    before = stored(live)
    response = post(
        client, f"/api/v1/sessions/{live.code}/notes", {"step": board.id, "text": "x", "key": key()}
    )
    assert response.status_code == 409
    assert stored(live) == before


def test_edit_and_delete_own_note_only(live, join, board):
    _a, _t, ann = join()
    _b, _t2, bob = join()
    note = post(
        ann, f"/api/v1/sessions/{live.code}/notes", {"step": board.id, "text": "mine", "key": key()}
    ).json()
    url = f"/api/v1/sessions/{live.code}/notes/{note['id']}"
    assert (
        bob.patch(url, json.dumps({"text": "hacked"}), content_type="application/json").status_code
        == 404
    )
    assert bob.delete(url).status_code == 404
    assert Note.objects.get().text == "mine"
    assert (
        ann.patch(url, json.dumps({"text": "changed"}), content_type="application/json").status_code
        == 200
    )
    assert Note.objects.get().text == "changed"
    assert ann.delete(url).status_code == 204
    assert Note.objects.count() == 0


def test_vote_change_counts_once(live, join, facilitator_user):
    _participant, _t, client = join()
    poll = go(live, "statement_poll", actor=facilitator_user)
    url = f"/api/v1/sessions/{live.code}/votes"
    post(client, url, {"step": poll.id, "choice": "eens", "key": key()})
    post(client, url, {"step": poll.id, "choice": "twijfel", "key": key()})
    assert services.vote_counts(live, poll.id) == {"twijfel": 1}
    bad = post(client, url, {"step": poll.id, "choice": "misschien", "key": key()})
    assert bad.status_code == 400
    assert services.vote_counts(live, poll.id) == {"twijfel": 1}


def test_hidden_note_disappears_for_participants(live, join, board, facilitator_user):
    participant, _t, client = join()
    result = services.add_note(
        live, participant=participant, step_id=board.id, text="weg", key=key()
    )
    services.hide_note(live, note_id=result.value.public_id, hidden=True, actor=facilitator_user)
    state = client.get(f"/api/v1/sessions/{live.code}/state").json()
    assert state["notes"] == []
    assert Note.objects.get().hidden


def test_groups_equal_late_joiner_and_move(live, join, facilitator_user):
    people = [join()[0] for _i in range(11)]
    ref = go(live, "groups", actor=facilitator_user)
    groups = services.make_groups(live, actor=facilitator_user)
    assert len(groups) == 5  # one per question of the board it takes its questions from
    sizes = sorted(GroupMembership.objects.filter(group__in=groups).values_list("group", flat=True))
    counts = [sizes.count(g.pk) for g in groups]
    assert max(counts) - min(counts) <= 1 and sum(counts) == 11
    late, _t, client = join()
    mine = GroupMembership.objects.get(participant=late, step_id=ref.id).group
    assert counts[mine.number - 1] == min(counts)
    state = client.get(f"/api/v1/sessions/{live.code}/state").json()
    assert state["me"]["group"]["number"] == mine.number
    board = step_of(live, "board")
    assert state["me"]["group"]["question"] == board.step.questions[mine.question]
    target = next(g for g in groups if g.pk != mine.pk)
    services.move_participant(
        live, participant_id=late.public_id, group_id=target.public_id, actor=facilitator_user
    )
    assert GroupMembership.objects.get(participant=late, step_id=ref.id).group == target
    # reproducible from the seed: the same people give the same split
    services.make_groups(live, actor=facilitator_user)
    first = {
        m.participant_id: m.group.number for m in GroupMembership.objects.filter(step_id=ref.id)
    }
    services.make_groups(live, actor=facilitator_user)
    second = {
        m.participant_id: m.group.number for m in GroupMembership.objects.filter(step_id=ref.id)
    }
    assert first == second
    assert people


def test_group_summary_last_write_wins_with_history(live, join, facilitator_user):
    ann, _t, ann_client = join()
    bob, _t2, bob_client = join()
    go(live, "groups", actor=facilitator_user)
    groups = services.make_groups(live, count=None, actor=facilitator_user)
    group = GroupMembership.objects.get(participant=ann).group
    url = f"/api/v1/sessions/{live.code}/groups/{group.public_id}/summary"
    assert post(ann_client, url, {"text": "eerste", "key": key()}).status_code == 201
    bob_group = GroupMembership.objects.get(participant=bob).group
    if bob_group != group:
        assert post(bob_client, url, {"text": "niet van mij", "key": key()}).status_code == 404
    assert post(ann_client, url, {"text": "tweede", "key": key()}).status_code == 201
    assert list(GroupSummary.objects.filter(group=group).values_list("text", flat=True)) == [
        "eerste",
        "tweede",
    ]
    assert groups


def test_rotation_notes_go_to_the_groups_question(live, join, facilitator_user):
    people = [join() for _i in range(8)]
    ref = go(live, "rotation", actor=facilitator_user)
    services.make_groups(live, actor=facilitator_user)
    participant, _t, client = people[0]
    group = GroupMembership.objects.get(participant=participant, step_id=ref.id).group
    url = f"/api/v1/sessions/{live.code}/notes"
    question = group.number - 1
    wrong = (question + 1) % 4
    assert (
        post(
            client, url, {"step": ref.id, "question": wrong, "text": "x", "key": key()}
        ).status_code
        == 409
    )
    assert (
        post(
            client, url, {"step": ref.id, "question": question, "text": "ja", "key": key()}
        ).status_code
        == 201
    )
    services.set_item(live, index=1, actor=facilitator_user)
    assert (
        post(
            client,
            url,
            {"step": ref.id, "question": (question + 1) % 4, "text": "r2", "key": key()},
        ).status_code
        == 201
    )
    state = client.get(f"/api/v1/sessions/{live.code}/state").json()
    assert state["me"]["group"]["question_index"] == (question + 1) % 4


def test_personal_action_and_email(live, join, facilitator_user):
    _participant, _t, client = join("Ann")
    go(live, "personal_action", actor=facilitator_user)
    url = f"/api/v1/sessions/{live.code}/actions"
    assert post(client, url, {"text": "x", "email": "geen-adres", "key": key()}).status_code == 400
    response = post(
        client,
        url,
        {"text": "Ik lees één boek", "email": "ann@example.test", "show_name": True, "key": key()},
    )
    assert response.status_code == 201
    action = PersonalAction.objects.get()
    assert (action.email, action.show_name) == ("ann@example.test", True)
    post(client, url, {"text": "Ik volg een opleiding", "key": key()})
    assert PersonalAction.objects.filter(is_current=True).get().text == "Ik volg een opleiding"


def test_participant_form_post_without_javascript(live, facilitator_user, board):
    browser = Client()
    browser.post(f"/j/{live.code}/", {"name": ""})
    k = str(uuid.uuid4())
    for _i in range(2):
        response = browser.post(
            f"/j/{live.code}/do/",
            {"what": "note", "step": board.id, "question": "1", "text": "papier", "key": k},
        )
        assert response.status_code == 302
    assert list(Note.objects.values_list("question", "text")) == [(1, "papier")]
    response = browser.post(
        f"/j/{live.code}/do/",
        {"what": "note", "step": board.id, "question": "1", "text": "", "key": key()},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 400
    assert Note.objects.count() == 1


def test_a_named_scribe_takes_discussion_notes(live, join, facilitator_user):
    scribe, _t, scribe_client = join("Sam")
    _other, _t2, other_client = join()
    ref = go(live, "discussion", actor=facilitator_user)
    url = f"/api/v1/sessions/{live.code}/notes"
    body = {"step": ref.id, "question": 0, "text": "genoteerd"}
    assert post(scribe_client, url, {**body, "key": key()}).status_code == 409
    services.set_scribe(live, participant_id=scribe.public_id, actor=facilitator_user)
    assert post(scribe_client, url, {**body, "key": key()}).status_code == 201
    assert post(other_client, url, {**body, "key": key()}).status_code == 409
    state = scribe_client.get(f"/api/v1/sessions/{live.code}/state").json()
    assert state["me"]["scribe"] is True
    assert [n["text"] for n in state["notes"]] == ["genoteerd"]
    services.set_scribe(live, participant_id=None, actor=facilitator_user)
    assert post(scribe_client, url, {**body, "key": key()}).status_code == 409
    assert Note.objects.filter(session=live).count() == 1
