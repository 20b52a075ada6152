from __future__ import annotations

import json

from django.test import Client

from workshops.models import Note, Participant, SessionEvent, Vote

from .conftest import go, key


def post(client: Client, url: str, data: dict, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_join_and_state(live):
    client = Client()
    response = post(client, "/api/v1/join", {"code": live.code.lower(), "name": "Ann"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith("lpt_")
    assert Participant.objects.get(public_id=body["participant"]).name == "Ann"
    state = Client(headers={"Authorization": f"Bearer {body['token']}"}).get(
        f"/api/v1/sessions/{live.code}/state"
    )
    assert state.status_code == 200
    assert state.json()["step"] is None
    assert state.json()["me"]["name"] == "Ann"


def test_anonymous_names_are_numbered(live, join):
    first, _t, _c = join()
    second, _t, _c = join()
    assert [first.display_name, second.display_name] == ["Participant 1", "Participant 2"]


def test_note_and_vote(live, join, facilitator_user):
    _participant, _token, client = join()
    poll = go(live, "statement_poll", actor=facilitator_user)
    k = key()
    first = post(
        client, f"/api/v1/sessions/{live.code}/votes", {"step": poll.id, "choice": "eens", "key": k}
    )
    assert first.status_code == 201, first.content
    again = post(
        client,
        f"/api/v1/sessions/{live.code}/votes",
        {"step": poll.id, "choice": "oneens", "key": k},
    )
    assert again.status_code == 200
    assert again.json()["choice"] == "eens"
    assert Vote.objects.filter(session=live).count() == 1
    board = go(live, "board", actor=facilitator_user)
    response = post(
        client,
        f"/api/v1/sessions/{live.code}/notes",
        {"step": board.id, "question": 2, "text": "<b>hi</b>", "key": key()},
    )
    assert response.status_code == 201, response.content
    assert Note.objects.get().text == "<b>hi</b>"
    seqs = list(SessionEvent.objects.filter(session=live).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
