"""The writer's one look-up of a batch's client keys: found for participants and for the
facilitator alike, and through the key's index, not a scan of the session's rows."""

from __future__ import annotations

import re
from concurrent.futures import Future
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workshops import services
from workshops.models import Note
from workshops.writer import Writer

from .conftest import go, key, mini


@pytest.fixture
def board(org, facilitator_user, transactional_db):
    session = services.start_session(organisation=org, fmt=mini(), actor=facilitator_user)
    return session, go(session, "board", actor=facilitator_user)


def _batch(items) -> list:
    futures: list[Future] = [Future() for _item in items]
    pairs = zip(items, futures, strict=True)
    jobs: list = [(partial(services.contribute, item), "nl", f) for item, f in pairs]
    Writer().write(jobs)
    return [f.exception() or f.result() for f in futures]


def test_a_batch_finds_the_replays_of_participants_and_the_facilitator(board):
    session, ref = board
    people = [services.join_session(code=session.code)[0] for _i in range(3)]
    keys = [key() for _i in range(4)]

    def items(texts):
        mine = [
            services.note(session, participant=p, step_id=ref.id, text=texts[i], key=keys[i])
            for i, p in enumerate(people)
        ]
        theirs = services.note(
            session, participant=None, step_id=ref.id, text=texts[3], key=keys[3]
        )
        return [*mine, theirs]

    first = _batch(items(["a", "b", "c", "d"]))
    assert [o.created for o in first] == [True] * 4
    with CaptureQueriesContext(connection) as queries:
        again = _batch(items(["w", "x", "y", "z"]))
    assert [(o.created, o.value.text) for o in again] == [
        (False, "a"),
        (False, "b"),
        (False, "c"),
        (False, "d"),
    ]
    assert Note.objects.filter(session=session).count() == 4
    lookups = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and '"key" IN' in q["sql"]
    ]
    assert len(lookups) == 2  # one for the participants' keys, one for the facilitator's
    if connection.vendor == "sqlite":
        for sql in lookups:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            # The probe reads only ids, which the index holds (a covering index).
            assert re.search(r"USING (COVERING )?INDEX note_key_unique", plan), plan
            assert "(key=?" in plan, plan
