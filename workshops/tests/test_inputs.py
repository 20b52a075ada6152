"""Inputs that used to break the server answer a clear error, and join throttling keeps a
room's right code open while one phone mistypes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from workshops import services
from workshops.models import Note, Participant

from .conftest import go, key

SURROGATE = '"\\ud800"'


def post_json(client: Client, url: str, raw: str, **headers: str):
    return client.post(url, data=raw, content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    "name", [SURROGATE, '"\\u0007bell"', '"\\u202eevil"', '"' + "a" * 61 + '"']
)
def test_join_names_that_cannot_be_stored_are_refused(live, name):
    response = post_json(Client(), "/api/v1/join", f'{{"code": "{live.code}", "name": {name}}}')
    assert response.status_code in (400, 422)
    assert "detail" in response.json() and "code" in response.json()
    assert Participant.objects.filter(session=live).count() == 0


def test_a_name_of_only_invisible_characters_is_no_name(live):
    raw = f'{{"code": "{live.code}", "name": "\\u200b\\u200b"}}'
    response = post_json(Client(), "/api/v1/join", raw)
    assert response.status_code == 201
    assert Participant.objects.get(session=live).name == ""


@pytest.mark.parametrize("text", [SURROGATE, '"\\u0000"', '"\\u202ex"', '"\\u200b"', '"   "'])
def test_notes_that_cannot_be_stored_are_refused(live, join, facilitator_user, text):
    ref = go(live, "board", actor=facilitator_user)
    _p, token, _c = join()
    body = f'{{"step": "{ref.id}", "question": 0, "text": {text}, "key": "{key()}"}}'
    response = post_json(
        Client(), f"/api/v1/sessions/{live.code}/notes", body, Authorization=f"Bearer {token}"
    )
    assert response.status_code == 400
    # The API's parser refuses a lone surrogate in any body (invalid_text); the rest the
    # text cleaner refuses, each with its own code.
    assert response.json()["code"] in ("invalid_text", "surrogate", "control", "bidi", "empty")
    assert Note.objects.filter(session=live).count() == 0


def test_event_ids_beyond_64_bits_are_refused(live, join):
    _p, _token, client = join()
    url = f"/api/v1/sessions/{live.code}/events"
    assert client.get(url, {"last_event_id": str(2**70)}).status_code == 422
    huge = client.get(url, headers={"Last-Event-ID": str(2**70)})
    assert huge.status_code == 400 and huge.json()["code"] == "invalid_last_event_id"
    assert client.get(url, {"last_event_id": "0"}).status_code == 200


def test_a_typo_flood_does_not_lock_the_room_out_of_its_code(live, org, facilitator_user):
    address = "10.1.2.3"
    services.join_session(code=live.code, address=address)  # the first phone got in
    for _i in range(services.WRONG_CODES_PER_MINUTE):
        with pytest.raises(services.DomainError) as wrong:
            services.join_session(code="ZZZZZZ", address=address)
        assert wrong.value.status == 404
    # The right code still lets the rest of the room in, from the same address ...
    participant, _token = services.join_session(code=live.code, address=address)
    assert participant.session == live
    # ... but a code nobody joined from here (a guess) only gets 429, with the wait.
    other = services.start_session(organisation=org, fmt=live.format, actor=facilitator_user)
    with pytest.raises(services.DomainError) as refused:
        services.join_session(code=other.code, address=address)
    assert refused.value.status == 429 and refused.value.retry_after >= 1
    assert Participant.objects.filter(session=other).count() == 0
    # Another address is not affected at all.
    assert services.join_session(code=other.code, address="10.9.9.9")[0].session == other
    assert Participant.objects.filter(session=live).count() == 2


def test_429_answers_carry_retry_after(live):
    client = Client(REMOTE_ADDR="10.7.7.7")
    for _i in range(services.WRONG_CODES_PER_MINUTE):
        client.post("/api/v1/join", {"code": "ZZZZZZ"}, content_type="application/json")
    response = client.post("/api/v1/join", {"code": "YYYYYY"}, content_type="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert json.loads(response.content)["code"] == "rate_limited"
