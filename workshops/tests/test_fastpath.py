"""The one contribution path under concurrency, and the participants' fast path (ASGI,
group-commit writer): every note stored once, refusals in the API's error shape."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from functools import partial

import httpx
import pytest

from workshops import services
from workshops.fastpath import FastPath, participant_for_token
from workshops.models import Note, SessionEvent, Vote
from workshops.writer import Writer

from .conftest import go, key, mini


@pytest.fixture
def board(org, facilitator_user, transactional_db):
    session = services.start_session(organisation=org, fmt=mini(), actor=facilitator_user)
    ref = go(session, "board", actor=facilitator_user)
    return session, ref


def test_concurrent_replays_of_one_key_store_one_note(board):
    """Eight requests with one key at the same moment (threads, as the server's request
    threads and the fast path's tasks are), through the one contribution path: one row."""
    session, ref = board
    participant, token = services.join_session(code=session.code)
    same = str(uuid.uuid4())
    writer = Writer()
    created, errors = [], []
    gate = threading.Barrier(8)

    def post() -> None:
        try:
            item = services.note(
                session, participant=participant, step_id=ref.id, text="once", key=same
            )
            gate.wait()
            created.append(writer.submit(partial(services.contribute, item), "en").result().created)
        except Exception as error:  # pragma: no cover - shown in the assertion
            errors.append(error)

    threads = [threading.Thread(target=post) for _i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    async def tasks() -> list[httpx.Response]:
        async with _client() as client:
            return await asyncio.gather(
                *(
                    client.post(
                        f"/api/v1/sessions/{session.code}/notes",
                        json={"step": ref.id, "text": "once", "key": same},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    for _i in range(8)
                )
            )

    warm(token)
    responses = asyncio.run(tasks())
    assert errors == []
    assert sorted(created) == [False] * 7 + [True]
    assert [r.status_code for r in responses] == [200] * 8
    assert Note.objects.filter(session=session, key=same).count() == 1
    assert SessionEvent.objects.filter(session=session, event="note").count() == 1


def test_writer_batch_stores_each_once_and_refuses_alone(board):
    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(5)]
    keys = [key() for _p in people]
    items = [
        services.note(session, participant=p, step_id=ref.id, text=f"n{i}", key=keys[i])
        for i, p in enumerate(people)
    ]
    items.append(services.note(session, participant=people[0], step_id=ref.id, text="", key=key()))
    items.append(
        services.note(session, participant=people[1], step_id=ref.id, text="x", key=keys[1])
    )
    writer = Writer()
    from concurrent.futures import Future

    futures: list[Future] = [Future() for _i in items]
    jobs = [partial(services.contribute, item) for item in items]
    writer.write([(job, "nl", future) for job, future in zip(jobs, futures, strict=True)])
    outcomes = [f.exception() or f.result() for f in futures]
    assert [o.created for o in outcomes[:5]] == [True] * 5
    assert isinstance(outcomes[5], services.DomainError)
    assert outcomes[6].created is False and outcomes[6].value.text == "n1"
    assert Note.objects.filter(session=session).count() == 5
    assert SessionEvent.objects.filter(session=session, event="note").count() == 5
    assert writer.batches == 1


def warm(*tokens: str) -> None:
    """Resolve the tokens now: the in-memory test database (shared cache) cannot take a
    read in one thread while the writer thread writes, which a file in WAL mode can."""
    for token in tokens:
        assert participant_for_token(token) is not None


def _client() -> httpx.AsyncClient:
    async def django_fallback(scope, receive, send):  # what Django would answer
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})

    transport = httpx.ASGITransport(app=FastPath(django_fallback))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


def test_fast_path_burst_with_replays_stores_every_note_once(board):
    session, ref = board
    joined = [services.join_session(code=session.code) for _i in range(30)]
    keys = [key() for _j in joined]
    warm(*(token for _p, token in joined))

    async def burst() -> list[httpx.Response]:
        async with _client() as client:

            async def post(i: int) -> httpx.Response:
                return await client.post(
                    f"/api/v1/sessions/{session.code}/notes",
                    json={"step": ref.id, "question": 0, "text": f"note {i}", "key": keys[i]},
                    headers={"Authorization": f"Bearer {joined[i][1]}"},
                )

            first = await asyncio.gather(*(post(i) for i in range(30)))
            again = await asyncio.gather(*(post(i) for i in range(30)))
            return [*first, *again]

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [201] * 30 + [200] * 30
    assert {r.json()["text"] for r in responses} == {f"note {i}" for i in range(30)}
    assert Note.objects.filter(session=session).count() == 30
    assert sorted(Note.objects.values_list("text", flat=True)) == sorted(
        f"note {i}" for i in range(30)
    )
    assert SessionEvent.objects.filter(session=session, event="note").count() == 30


def test_fast_path_refusals_in_the_error_shape(board):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    auth = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    warm(token)

    async def calls() -> list[httpx.Response]:
        async with _client() as client:
            url = f"/api/v1/sessions/{session.code}/notes"
            return [
                await client.post(
                    url, json={"step": ref.id, "text": "\u202eevil", "key": key()}, headers=auth
                ),
                await client.post(url, json={"step": ref.id, "text": "ok"}, headers=auth),
                await client.post(
                    url, json={"step": ref.id, "text": "ok", "key": key()}, headers={}
                ),
                await client.post(
                    f"/api/v1/sessions/{session.code}/votes",
                    json={"step": ref.id, "choice": "x", "key": key()},
                    headers=auth,
                ),
            ]

    bidi, no_key, no_token, wrong_step = asyncio.run(calls())
    assert bidi.status_code == 400 and bidi.json()["code"] == "bidi"
    # A body the schema refuses and a request without a token are Django's to answer.
    assert no_key.status_code == 599 and no_token.status_code == 599
    assert wrong_step.status_code == 400 and wrong_step.json()["code"] == "wrong_kind"
    assert Note.objects.count() == 0 and Vote.objects.count() == 0


def test_fast_path_rate_limit_answers_429_with_retry_after(board):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    warm(token)

    async def calls() -> list[httpx.Response]:
        async with _client() as client:
            return [
                await client.post(
                    f"/api/v1/sessions/{session.code}/notes",
                    json={"step": ref.id, "text": f"n{i}", "key": key()},
                    headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
                )
                for i in range(services.CONTRIBUTIONS_PER_MINUTE + 1)
            ]

    responses = asyncio.run(calls())
    assert responses[-1].status_code == 429
    assert int(responses[-1].headers["Retry-After"]) >= 1
    refused = json.loads(responses[-1].content)
    assert refused["code"] == "rate_limited"
    # The message is translated when the limit is hit, in the phone's language.
    assert refused["detail"] == "You are sending too much at once. Wait a minute and try again."
    assert Note.objects.count() == services.CONTRIBUTIONS_PER_MINUTE


def test_fast_path_join_sets_the_cookie_and_counts_wrong_codes(board):
    session, _ref = board

    async def calls() -> list[httpx.Response]:
        async with _client() as client:
            right = await client.post("/api/v1/join", json={"code": session.code, "name": "An"})
            wrong = await client.post("/api/v1/join", json={"code": "ZZZZZZ"})
            bidi = await client.post(
                "/api/v1/join", json={"code": session.code, "name": "\u202eAn"}
            )
            return [right, wrong, bidi]

    right, wrong, bidi = asyncio.run(calls())
    assert right.status_code == 201
    assert right.json()["name"] == "An"
    assert f"lp_{session.code}=" in right.headers["set-cookie"]
    assert "HttpOnly" in right.headers["set-cookie"]
    assert wrong.status_code == 404 and wrong.json()["code"] == "unknown_code"
    assert bidi.status_code == 400 and bidi.json()["code"] == "bidi"
    assert session.participants.count() == 1
    assert session.participants.get().name == "An"


def test_a_phone_that_reconnects_after_the_end_gets_the_end_then_no_more(board):
    from realtime.asgi import SSEApp
    from workshops import events

    session, _ref = board
    _participant, token = services.join_session(code=session.code)
    seen = session.last_event_seq
    services.end_session(session, actor=None)
    grant = events.open_stream(session.code, {"authorization": f"Bearer {token}"}, {}, {})
    assert grant is not None and grant.ended
    missed = events.replay(session.code, grant.channels, seen)
    assert [name for _seq, name, _data in missed][-1] == "ended"

    async def stream(after: int) -> httpx.Response:
        transport = httpx.ASGITransport(app=SSEApp())  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get(
                f"/api/v1/sessions/{session.code}/events",
                headers={"Authorization": f"Bearer {token}", "Last-Event-ID": str(after)},
            )

    caught_up = asyncio.run(stream(seen))
    assert caught_up.status_code == 200
    assert "event: ended" in caught_up.text
    session.refresh_from_db()
    assert asyncio.run(stream(session.last_event_seq)).status_code == 204


def test_writer_batch_numbers_its_events_without_gaps(board):
    """A batch with a key stored before it, a refusal between two notes and a key sent
    twice in it: one row per key, the first result for the replays, and the events of
    the stored notes numbered on from the session's last event without a gap."""
    from concurrent.futures import Future

    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(3)]
    earlier = key()
    services.add_note(session, participant=people[0], step_id=ref.id, text="before", key=earlier)
    session.refresh_from_db()
    start = session.last_event_seq
    twice = key()
    items = [
        services.note(session, participant=people[0], step_id=ref.id, text="again", key=earlier),
        services.note(session, participant=people[1], step_id=ref.id, text="one", key=twice),
        services.note(session, participant=people[1], step_id="nope", text="x", key=key()),
        services.note(session, participant=people[2], step_id=ref.id, text="two", key=key()),
        services.note(session, participant=people[1], step_id=ref.id, text="one!", key=twice),
    ]
    futures: list[Future] = [Future() for _i in items]
    Writer().write(
        [
            (partial(services.contribute, item), "nl", future)
            for item, future in zip(items, futures, strict=True)
        ]
    )
    outcomes = [f.exception() or f.result() for f in futures]
    assert isinstance(outcomes[2], services.DomainError)
    assert [outcomes[i].created for i in (0, 1, 3, 4)] == [False, True, True, False]
    assert outcomes[0].value.text == "before" and outcomes[4].value.text == "one"
    assert Note.objects.filter(session=session).count() == 3
    assert Note.objects.filter(session=session, key=twice).get().text == "one"
    session.refresh_from_db()
    seqs = list(
        SessionEvent.objects.filter(session=session, seq__gt=start).values_list("seq", "event")
    )
    assert seqs == [(start + 1, "note"), (start + 2, "note")]
    assert session.last_event_seq == start + 2


def _write(items_or_jobs) -> list:
    """Run these contributions (or jobs) as one writer batch; their outcomes in order."""
    from concurrent.futures import Future

    jobs = [
        partial(services.contribute, job) if isinstance(job, services.Contribution) else job
        for job in items_or_jobs
    ]
    futures: list[Future] = [Future() for _job in jobs]
    Writer().write([(job, "nl", future) for job, future in zip(jobs, futures, strict=True)])
    return [f.exception() or f.result() for f in futures]


def test_writer_batch_of_votes_keeps_the_latest_and_sends_each_statements_counts_once(board):
    """Votes of one batch go in as one insert: a participant who changes their vote within
    the batch, or after a vote of an earlier batch, has one current vote, the counts are
    those of the current votes, and the batch sends one counts event per statement."""
    session, _board = board
    from workshops.tests.conftest import go

    poll = go(session, "statement_poll")
    a, b, c = (services.join_session(code=session.code)[0] for _i in range(3))
    services.cast_vote(session, participant=c, step_id=poll.id, choice="oneens", key=key())
    session.refresh_from_db()
    start = session.last_event_seq
    outcomes = _write(
        [
            services.vote(session, participant=a, step_id=poll.id, choice="eens", key=key()),
            services.vote(session, participant=b, step_id=poll.id, choice="eens", key=key()),
            services.vote(session, participant=a, step_id=poll.id, choice="twijfel", key=key()),
            services.vote(session, participant=c, step_id=poll.id, choice="eens", key=key()),
            services.vote(session, participant=b, step_id=poll.id, choice="nee", key=key()),
        ]
    )
    assert [getattr(o, "created", None) for o in outcomes] == [True, True, True, True, None]
    assert isinstance(outcomes[4], services.DomainError)  # not a choice: refused alone
    current = dict(
        Vote.objects.filter(session=session, step_id=poll.id, is_current=True).values_list(
            "participant_id", "choice"
        )
    )
    assert current == {a.pk: "twijfel", b.pk: "eens", c.pk: "eens"}
    assert Vote.objects.filter(session=session, step_id=poll.id).count() == 5
    events = SessionEvent.objects.filter(session=session, seq__gt=start)
    assert [(e.event, json.loads(e.data)["counts"]) for e in events] == [
        ("votes", {"twijfel": 1, "eens": 2})
    ]


def test_writer_batch_of_joins_numbers_every_participant_once(board):
    """Joins of one batch each load the session afresh or take the batch's: numbers and
    the session's counter go on without a repeat (a repeat would break a constraint)."""
    session, _ref = board
    services.join_session(code=session.code)
    jobs = [partial(services.join_session, code=session.code, name=f"P{i}") for i in range(6)]
    jobs.insert(3, partial(services.join_session, code="ZZZZZZ"))  # refused alone
    outcomes = _write(jobs)
    assert isinstance(outcomes[3], services.DomainError)
    joined = [o[0] for i, o in enumerate(outcomes) if i != 3]
    assert sorted(p.number for p in joined) == [2, 3, 4, 5, 6, 7]
    session.refresh_from_db()
    assert session.participant_counter == 7
    assert session.participants.count() == 7


def test_touch_refuses_a_field_the_session_does_not_have(board):
    from workshops.services.common import touch

    session, _ref = board
    with pytest.raises(ValueError, match="no such session fields"):
        touch(session, "participant_countr")


def test_a_room_opening_its_streams_needs_no_query_after_the_first(
    board, django_assert_num_queries
):
    """The first stream of a code looks the session up; the next phones (who joined in
    this process) are granted from memory, and their replay is one query each."""
    from workshops import events

    session, _ref = board
    joined = [services.join_session(code=session.code) for _i in range(3)]
    for _participant, token in joined:
        participant_for_token(token)  # as the join through the fast path remembers it
    headers = [{"authorization": f"Bearer {token}"} for _p, token in joined]
    assert events.open_stream_cached(session.code, headers[0], {}, {}) is events.MISS
    first = events.open_stream(session.code, headers[0], {}, {})
    assert first is not None
    with django_assert_num_queries(0):
        grants = [events.open_stream_cached(session.code, h, {}, {}) for h in headers[1:]]
    assert [g.participant for g in grants] == [p.public_id for p, _t in joined[1:]]
    assert all(g.channels[0] == session.channel("all") for g in grants)
    # Someone else's token, a facilitator's cookie, a wrong code: the database decides.
    assert events.open_stream_cached(session.code, {"authorization": "Bearer lpt_x"}, {}, {}) is (
        events.MISS
    )
    assert events.open_stream_cached("ZZZZZZ", headers[1], {}, {}) is events.MISS
    with django_assert_num_queries(1):
        missed = events.replay(session.code, grants[0].channels, 0)
    names = [name for _seq, name, _data in missed]
    assert "step" in names and "presence" not in names  # the room's, not the facilitator's


def test_writer_batch_whose_key_another_process_stored_meanwhile_replays_it(board, monkeypatch):
    """The batch's one key look-up misses a note that another process stores before the
    batch's insert: the insert fails on the key, and each note of the batch is then run on
    its own: the replay answers the first result, the others are stored, nothing twice."""
    from workshops import writer as writer_module

    session, ref = board
    a, b = (services.join_session(code=session.code)[0] for _i in range(2))
    taken = key()
    services.add_note(session, participant=a, step_id=ref.id, text="elsewhere", key=taken)
    monkeypatch.setattr(writer_module, "_replays", lambda items: {})  # as if not yet stored
    outcomes = _write(
        [
            services.note(session, participant=a, step_id=ref.id, text="again", key=taken),
            services.note(session, participant=b, step_id=ref.id, text="new", key=key()),
        ]
    )
    assert [o.created for o in outcomes] == [False, True]
    assert outcomes[0].value.text == "elsewhere"
    assert sorted(Note.objects.filter(session=session).values_list("text", flat=True)) == [
        "elsewhere",
        "new",
    ]
    assert SessionEvent.objects.filter(session=session, event="note").count() == 2


def test_a_note_for_a_session_deleted_meanwhile_is_refused_with_404(board):
    """A phone (or the process's cache) still holds a session that was deleted: its request
    gets a clear refusal, not a server error."""
    from workshops.models import LiveSession

    session, ref = board
    participant, _token = services.join_session(code=session.code)
    LiveSession.objects.filter(pk=session.pk).delete()
    (outcome,) = _write(
        [services.note(session, participant=participant, step_id=ref.id, text="x", key=key())]
    )
    assert isinstance(outcome, services.DomainError) and outcome.status == 404


def test_insert_all_stores_what_save_would_in_chunks(board, monkeypatch):
    """The writer's lean bulk insert: the same columns as a save, the primary keys set,
    split into statements by the database's parameter limit."""
    from core import db

    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(5)]
    monkeypatch.setattr(db, "_max_parameters", lambda _db: 30)  # two notes a statement
    rows = [
        Note(session=session, participant=p, key=uuid.uuid4(), step_id=ref.id, text=f"n{i}")
        for i, p in enumerate(people)
    ]
    db.insert_all(rows)
    assert all(row.pk and not row._state.adding for row in rows)
    stored = {n.pk: n for n in Note.objects.filter(session=session)}
    assert sorted(stored) == sorted(row.pk for row in rows)
    for row in rows:
        again = stored[row.pk]
        assert (again.public_id, again.key, again.text, again.participant_id) == (
            row.public_id,
            row.key,
            row.text,
            row.participant_id,
        )
        assert again.created_at == row.created_at and again.created_at is not None


def test_a_batch_that_fails_answers_every_waiting_request(board, monkeypatch):
    """A database error before the batch's jobs ran (the key look-up) still answers every
    request of the batch, on the event loop too, instead of leaving it waiting."""
    from django.db import OperationalError

    from workshops import writer as writer_module

    session, ref = board
    participant, _token = services.join_session(code=session.code)

    def broken(_items):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(writer_module, "_replays", broken)
    writer = Writer()

    async def post_two() -> list:
        items = [
            services.note(session, participant=participant, step_id=ref.id, text=t, key=key())
            for t in ("a", "b")
        ]
        futures = [writer.submit_async(partial(services.contribute, item), "nl") for item in items]
        return await asyncio.wait_for(asyncio.gather(*futures, return_exceptions=True), timeout=10)

    outcomes = asyncio.run(post_two())
    assert [type(o) for o in outcomes] == [OperationalError, OperationalError]
    assert not Note.objects.filter(session=session).exists()


def test_the_fast_path_answers_from_asyncio_futures_settled_per_batch(board):
    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(3)]
    writer = Writer()

    async def post_all() -> list:
        futures = [
            writer.submit_async(
                partial(
                    services.contribute,
                    services.note(session, participant=p, step_id=ref.id, text="x", key=key()),
                ),
                "nl",
            )
            for p in people
        ]
        return await asyncio.wait_for(asyncio.gather(*futures), timeout=10)

    results = asyncio.run(post_all())
    assert [r.created for r in results] == [True] * 3
    assert Note.objects.filter(session=session).count() == 3
    assert writer.written == 3


def test_insert_all_prepares_values_of_another_type_as_a_save_would(board):
    """Values a plain field holds in the database's type are bound as they are; a lazy
    string, a bool in a number field or a None take the field's own preparation."""
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from core import db

    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(2)]

    def note(participant, **fields):
        return Note(session=session, participant=participant, key=uuid.uuid4(), **fields)

    with translation.override("en"):
        lean = note(people[0], step_id=ref.id, text=gettext_lazy("Notes"), question=True)
        saved = note(people[1], step_id=ref.id, text=gettext_lazy("Notes"), question=True)
        db.insert_all([lean])
        saved.save()
    columns = ("text", "question", "round", "group_id", "hidden", "step_id")
    stored = {
        row[0]: row[1:] for row in Note.objects.filter(session=session).values_list("pk", *columns)
    }
    assert stored[lean.pk] == stored[saved.pk] == ("Notes", 1, None, None, False, ref.id)


def test_insert_all_binds_uuids_and_datetimes_as_a_save_does(board):
    """The lean preparers of UUIDs and aware datetimes give what a save binds: the stored
    columns are the same, read raw, for a UUID or its text and for UTC or another zone."""
    import datetime
    import zoneinfo

    from django.db import connection

    from core import db

    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(4)]
    key = uuid.uuid4()
    moment = datetime.datetime(2026, 12, 1, 19, 8, 7, 654321, tzinfo=datetime.UTC)
    brussels = moment.astimezone(zoneinfo.ZoneInfo("Europe/Brussels"))
    rows = [
        Note(session=session, participant=people[0], key=key, created_at=moment),
        Note(session=session, participant=people[1], key=str(key), created_at=brussels),
    ]
    saved = [
        Note(session=session, participant=people[2], key=key, created_at=moment),
        Note(session=session, participant=people[3], key=str(key), created_at=brussels),
    ]
    for note in rows + saved:
        note.step_id, note.text = ref.id, "n"
    db.insert_all(rows)
    for note in saved:
        note.save()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {connection.ops.quote_name('key')}, created_at "  # noqa: S608
            f"FROM {Note._meta.db_table} WHERE session_id = %s",
            [session.pk],
        )
        raw = {pk: (stored_key, created) for pk, stored_key, created in cursor.fetchall()}
    assert len({raw[note.pk] for note in rows + saved}) == 1
    assert Note.objects.get(pk=rows[1].pk).created_at == moment


def test_writer_answers_each_job_in_its_own_language(board):
    """The writer switches language only when a job's differs from the last one's."""
    from concurrent.futures import Future

    from django.utils import translation

    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(3)]
    items = [
        services.note(session, participant=p, step_id=ref.id, text="", key=key()) for p in people
    ]
    futures: list[Future] = [Future() for _i in items]
    with translation.override("fr"):
        Writer().write(
            [
                (partial(services.contribute, item), language, future)
                for item, language, future in zip(items, ["en", "en", "nl"], futures, strict=True)
            ]
        )
        assert translation.get_language() == "fr"  # the caller's language, given back
    messages = [str(future.exception()) for future in futures]
    assert messages[0] == messages[1] != messages[2]
    assert "empty" in messages[0].lower() and "leeg" in messages[2].lower()
    assert Note.objects.filter(session=session).count() == 0


def test_fast_path_schemas_are_the_apis_without_ninjas_wrapper():
    """The fast path validates with a plain copy of the API's schema; a schema with a
    validator of its own is used as it is, so the copy never drops a rule."""
    from pydantic import ValidationError, field_validator

    from workshops.api_schemas import NoteIn
    from workshops.fastpath import _plain

    plain = _plain(NoteIn)
    assert plain is not NoteIn and plain.model_fields.keys() == NoteIn.model_fields.keys()
    with pytest.raises(ValidationError):
        plain.model_validate({"step": "s1", "text": "x", "key": str(uuid.uuid4()), "more": 1})

    class Strict(NoteIn):
        @field_validator("step")
        @classmethod
        def short(cls, value: str) -> str:
            if len(value) > 3:
                raise ValueError("too long")
            return value

    assert _plain(Strict) is Strict
    with pytest.raises(ValidationError):
        _plain(Strict).model_validate({"step": "long", "text": "x", "key": str(uuid.uuid4())})
