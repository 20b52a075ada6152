from __future__ import annotations

import json

import pytest
from django.db import transaction

from workshops import services
from workshops.events import emit, open_stream, replay
from workshops.models import LiveSession, SessionEvent

from .conftest import go, key, mini


def test_events_have_increasing_seq_and_replay_without_gaps(live, join, facilitator_user):
    participant, token, _client = join()
    other, _t, _c = join()
    board = go(live, "board", actor=facilitator_user)
    for n in range(5):
        services.add_note(
            live, participant=participant, step_id=board.id, question=0, text=f"note {n}", key=key()
        )
    seqs = list(SessionEvent.objects.filter(session=live).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    live.refresh_from_db()
    assert live.last_event_seq == seqs[-1]
    grant = open_stream(live.code, {"Authorization": f"Bearer {token}"}, {}, {})
    assert grant is not None
    assert grant.channels == [
        f"session:{live.public_id}",
        f"session:{live.public_id}:p:{participant.public_id}",
    ]
    everything = replay(live.code, grant.channels, 0)
    ids = [e[0] for e in everything]
    assert ids == sorted(set(ids))
    # facilitator-only events (presence) are not replayed to a participant
    assert all(SessionEvent.objects.get(session=live, seq=i).channel != "facilitator" for i in ids)
    half = ids[len(ids) // 2]
    rest = replay(live.code, grant.channels, half)
    assert [e[0] for e in rest] == [i for i in ids if i > half]
    notes = [json.loads(data)["text"] for _i, event, data in everything if event == "note"]
    assert notes == [f"note {n}" for n in range(5)]
    assert other.public_id not in "".join(c for c in grant.channels)


def test_event_is_stored_in_the_transaction_of_the_change(live, monkeypatch):
    published = []
    monkeypatch.setattr("realtime.hub.publish", lambda *args: published.append(args))
    before = SessionEvent.objects.filter(session=live).count()
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(live, "step", {"index": 0, "step": "x", "kind": "info"})
        raise RuntimeError("roll back")
    assert SessionEvent.objects.filter(session=live).count() == before
    assert published == []


@pytest.mark.django_db(transaction=True)
def test_publish_happens_after_commit(org, facilitator_user, monkeypatch):
    published = []
    monkeypatch.setattr("realtime.hub.publish", lambda *args: published.append(args))
    fmt = mini()
    session = services.start_session(organisation=org, fmt=fmt, actor=facilitator_user)
    services.next_step(session, actor=facilitator_user)
    channels = [p[0] for p in published]
    assert channels == [f"session:{session.public_id}:facilitator", f"session:{session.public_id}"]
    assert [p[1] for p in published] == [1, 2]
    assert published[1][2] == "step"


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused(live):
    with pytest.raises(RuntimeError):
        emit(live, "step", {})


def test_open_stream_refuses_strangers(live, join, client, facilitator_user, outsider_user):
    _p, token, _c = join()
    assert open_stream(live.code, {}, {}, {}) is None
    assert open_stream(live.code, {"Authorization": "Bearer lpt_wrong"}, {}, {}) is None
    assert open_stream("ZZZZZZ", {"Authorization": f"Bearer {token}"}, {}, {}) is None
    assert open_stream(live.code, {}, {}, {"token": token}) is not None
    client.force_login(outsider_user)
    assert (
        open_stream(
            live.code,
            {},
            dict(client.cookies.items() and {k: v.value for k, v in client.cookies.items()}),
            {},
        )
        is None
    )
    client.force_login(facilitator_user)
    cookies = {k: v.value for k, v in client.cookies.items()}
    grant = open_stream(live.code, {}, cookies, {})
    assert grant is not None
    assert f"session:{live.public_id}:facilitator" in grant.channels


def test_a_token_of_another_session_opens_no_stream(live, join, org, facilitator_user, mini_format):
    other = services.start_session(organisation=org, fmt=mini_format, actor=facilitator_user)
    _p, token, _c = join()
    assert open_stream(other.code, {"Authorization": f"Bearer {token}"}, {}, {}) is None
    assert LiveSession.objects.open().count() == 2


def test_open_stream_takes_the_participant_cookie(live, join):
    participant, token, _c = join()
    grant = open_stream(live.code, {}, {f"lp_{live.code}": token}, {})
    assert grant is not None
    assert grant.participant == participant.public_id
    assert open_stream(live.code, {}, {"lp_OTHER1": token}, {}) is None
