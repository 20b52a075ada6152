"""`core.db.new` builds what `Model(...)` builds, and `insert_all` stores it as a save does."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.db.models.signals import post_init

from core import db
from workshops import services
from workshops.models import Note, Participant, SessionEvent
from workshops.tests.conftest import go, mini


@pytest.fixture
def board(org, facilitator_user):
    session = services.start_session(organisation=org, fmt=mini(), actor=facilitator_user)
    ref = go(session, "board", actor=facilitator_user)
    participant, _token = services.join_session(code=session.code)
    return session, ref, participant


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_new_builds_what_the_constructor_builds(board):
    session, ref, participant = board
    values = {
        "session": session,
        "participant": participant,
        "key": uuid.uuid4(),
        "step_id": ref.id,
        "question": 1,
        "text": "Meer tijd om te leren",
        "group": None,
        "round": 0,
    }
    lean, built = db.new(Note, **values), Note(**values)
    assert type(lean) is Note
    drawn = {"public_id", "created_at", "updated_at"}  # defaults drawn afresh for each
    assert {k: v for k, v in _fields(lean).items() if k not in drawn} == {
        k: v for k, v in _fields(built).items() if k not in drawn
    }
    assert isinstance(lean.public_id, uuid.UUID) and lean.public_id != built.public_id
    assert lean.created_at.tzinfo is datetime.UTC
    assert (lean.pk, lean.hidden, lean.session_id) == (None, False, session.pk)
    assert (lean._state.adding, lean._state.db) == (True, built._state.db)
    # The related objects are cached, as the foreign keys' descriptors leave them.
    assert lean.session is session and lean.participant is participant and lean.group is None
    assert lean._state.fields_cache == built._state.fields_cache
    # Foreign keys by their id, as the constructor takes them.
    by_id = db.new(SessionEvent, session_id=session.pk, channel="all", event="note", data="{}")
    assert (by_id.session_id, by_id.seq, by_id.pk) == (session.pk, SessionEvent().seq, None)
    assert by_id.session == session  # loaded on first use


def test_new_leaves_the_unusual_to_the_constructor(board):
    session, _ref, participant = board
    with pytest.raises(ValueError, match="must be a"):
        db.new(Note, session=participant)
    with pytest.raises(TypeError, match="unexpected keyword"):
        db.new(Note, session=session, colour="red")
    unsaved = Participant(session=session)
    note = db.new(Note, session=session, participant=unsaved, step_id="x", text="t")
    assert note.participant is unsaved
    with pytest.raises(ValueError, match="unsaved related object 'participant'"):
        db.insert_all([note])
    assert not Note.objects.filter(session=session).exists()


def test_new_lets_an_init_receiver_see_the_instance(board):
    session, _ref, _participant = board
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Note)
    try:
        note = db.new(Note, session=session, step_id="x", text="t")
    finally:
        post_init.disconnect(receiver, sender=Note)
    assert seen == [note]


def test_lean_rows_are_stored_as_saved_ones(board):
    """Rows from `new` through `insert_all`, and a related object saved after it was
    assigned: the stored rows are the constructor's and a save's."""
    session, ref, participant = board
    late = Participant(
        session=session, public_id="late", token_hash="0" * 64, number=99, name="Later"
    )
    common = {"session": session, "step_id": ref.id, "round": 0}
    rows = [
        db.new(Note, participant=participant, key=uuid.uuid4(), text="een", **common),
        db.new(Note, participant=late, key=uuid.uuid4(), text="twee", **common),
    ]
    late.save()  # its id is copied into the row at the insert, as a save copies it
    saved = Note(participant=participant, key=uuid.uuid4(), text="drie", **common)
    saved.save()
    db.insert_all(rows)
    stored = {n.text: n for n in Note.objects.filter(session=session)}
    assert stored["twee"].participant_id == late.pk
    assert rows[1].participant_id == late.pk
    ignore = {"id", "public_id", "created_at", "updated_at", "key", "text", "participant_id"}
    assert {k: v for k, v in _fields(stored["een"]).items() if k not in ignore} == {
        k: v for k, v in _fields(stored["drie"]).items() if k not in ignore
    }
    assert stored["een"].public_id == rows[0].public_id
    assert stored["een"].created_at == rows[0].created_at
    assert (rows[0]._state.adding, rows[0]._state.db) == (False, "default")
