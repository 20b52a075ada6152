"""Events of a live session: stored with the change they report, published after commit.

`emit()` is called by the services inside their transaction: it takes the next sequence
number of the session (under a row lock), stores the event and registers the publication
on commit. A rolled-back change therefore never sends an event, and every event that was
sent can be replayed from the database (`replay`) by a client that reconnects with its
Last-Event-ID.

The realtime endpoint (realtime/asgi.py, mounted by lerend/asgi.py) calls `open_stream`
to authorise a connection and `replay` to catch it up. Which events exist, on which
channels and with which payload is written down in `workshops.contract`.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.db import insert_all, new

from . import contract
from .models import LiveSession, Participant, SessionEvent, Status, normalise_code

logger = logging.getLogger(__name__)

PARTICIPANT_COOKIE_PREFIX = "lp_"


def participant_cookie_name(code: str) -> str:
    return f"{PARTICIPANT_COOKIE_PREFIX}{code}"


def _audience(channel: str | Participant) -> tuple[str, str]:
    """The stored audience ("all", "facilitator", "p:<id>") and its kind in the contract."""
    if isinstance(channel, Participant):
        return channel.audience, contract.PARTICIPANT
    if channel in (contract.ALL, contract.FACILITATOR):
        return channel, channel
    raise ValueError(f"unknown channel {channel!r}")


def emit(
    session: LiveSession, event: str, payload: dict[str, Any], *, channel: str | Participant = "all"
) -> SessionEvent:
    """Store an event in the current transaction and publish it once the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must run inside transaction.atomic()")
    audience, kind = _audience(channel)
    contract.check(event, payload, kind)
    pending: list[SessionEvent] | None = getattr(_batch, "events", None)
    if pending is not None:  # the writer's batch numbers and stores them at its end
        data = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
        record = new(SessionEvent, session=session, channel=audience, event=event, data=data)
        pending.append(record)
        return record
    now = timezone.now()
    # One statement takes the next number (and the row lock on PostgreSQL) and marks the
    # session active; UPDATE ... RETURNING exists on SQLite >= 3.35 and PostgreSQL.
    table = LiveSession._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_event_seq = last_event_seq + 1, "  # noqa: S608 - our table
            "last_activity_at = %s WHERE id = %s RETURNING last_event_seq",
            [now, session.pk],
        )
        (seq,) = cursor.fetchone()
    session.last_event_seq = seq
    session.last_activity_at = now
    data = json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)
    record = SessionEvent.objects.create(
        session=session, seq=seq, channel=audience, event=event, data=data
    )
    hub_channel = session.channel(audience)
    transaction.on_commit(lambda: _publish(hub_channel, seq, event, data))
    return record


_batch = threading.local()


@contextmanager
def batched() -> Iterator[list[SessionEvent]]:
    """Within the writer's batch, `emit()` only collects its events in this list; the
    writer drops the events of a job it rolls back and calls `store_batched` before the
    commit, which numbers them (one statement per session) and stores them at once."""
    pending: list[SessionEvent] = []
    _batch.events = pending
    try:
        yield pending
    finally:
        del _batch.events


def store_batched(pending: list[SessionEvent]) -> None:
    """Number, store and (after commit) publish the collected events, in their order."""
    if not pending:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("store_batched() must run inside transaction.atomic()")
    by_session: dict[int, list[SessionEvent]] = {}
    for record in pending:
        by_session.setdefault(record.session_id, []).append(record)
    table = LiveSession._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        for session_id, records in by_session.items():
            # One statement takes the session's next numbers (and its row lock on PostgreSQL).
            cursor.execute(
                f"UPDATE {table} SET last_event_seq = last_event_seq + %s, "  # noqa: S608
                "last_activity_at = %s WHERE id = %s RETURNING last_event_seq",
                [len(records), now, session_id],
            )
            (top,) = cursor.fetchone()
            first = top - len(records) + 1
            for offset, record in enumerate(records):
                record.seq = first + offset
                record.session.last_event_seq = top
                record.session.last_activity_at = now
    insert_all(pending)
    published = [
        (record.session.channel(record.channel), record.seq, record.event, record.data)
        for record in pending
    ]

    def publish_all() -> None:
        for channel, seq, event, data in published:
            _publish(channel, seq, event, data)

    transaction.on_commit(publish_all)


def _publish(channel: str, seq: int, event: str, data: str) -> None:
    from realtime import hub

    try:
        hub.publish(channel, seq, event, data)
    except Exception:  # the change is committed; a lost publication is caught up by replay
        logger.exception("could not publish event %s on %s", seq, channel)


@dataclass
class StreamGrant:
    channels: list[str] = field(default_factory=list)
    session_id: int | None = None
    participant: str | None = None
    ended: bool = False
    """The session has ended: replay what the client missed (the end included), then close."""


def _bearer(headers: dict[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _sep, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


SESSION_CACHE_SECONDS = 2.0
"""A room opening its streams at once looks its session up once: the code's session is
kept this long. A stream granted a moment after the end still learns it from the replay."""
_by_code: dict[str, tuple[float, LiveSession]] = {}


def _session_of_code(code: str) -> LiveSession | None:
    """The open session with this code, else the one that ended last with it."""
    normal = normalise_code(code)
    now = time.monotonic()
    hit = _by_code.get(normal)
    if hit is not None and hit[0] > now:
        return hit[1]
    session = (
        LiveSession.objects.select_related("organisation")
        .filter(code=normal)
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at")
        .first()
    )
    if session is not None:
        if len(_by_code) > 10_000:
            _by_code.clear()
        _by_code[normal] = (now + SESSION_CACHE_SECONDS, session)
    return session


def _facilitator_of(session: LiveSession, cookies: dict[str, str]) -> bool:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
    from django.utils.crypto import constant_time_compare

    session_key = cookies.get(settings.SESSION_COOKIE_NAME)
    if not session_key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user_id = store.get(SESSION_KEY)
    backend_path = store.get(BACKEND_SESSION_KEY)
    if user_id is None or backend_path not in settings.AUTHENTICATION_BACKENDS:
        return False
    user = load_backend(backend_path).get_user(user_id)
    if user is None or not user.is_active:
        return False
    session_hash = store.get(HASH_SESSION_KEY)
    if not session_hash or not constant_time_compare(session_hash, user.get_session_auth_hash()):
        return False
    from .access import can_facilitate

    return can_facilitate(user, session)


def _token(
    session: LiveSession, headers: dict[str, str], cookies: dict[str, str], query: dict[str, str]
) -> str:
    return (
        _bearer(headers)
        or query.get("token", "")
        or cookies.get(participant_cookie_name(session.code), "")
    )


MISS = object()
"""`open_stream_cached` cannot tell without the database: ask `open_stream`."""


def open_stream_cached(
    code: str, headers: dict[str, str], cookies: dict[str, str], query: dict[str, str]
) -> StreamGrant | object:
    """`open_stream`'s grant when this process's caches hold all it needs (the code's
    session, looked up a moment ago, and the participant of the token, who joined here or
    was seen here): no query and no thread, so a room opening its streams at once costs
    the event loop microseconds a phone. Anything else (a facilitator's cookie, a token
    not seen yet, an expired session entry) is MISS."""
    from .models import PARTICIPANT_TOKEN_PREFIX, hash_token
    from .participants import cached

    hit = _by_code.get(normalise_code(code))
    if hit is None or hit[0] <= time.monotonic():
        return MISS
    session = hit[1]
    token = _token(session, headers, cookies, query)
    if not token.startswith(PARTICIPANT_TOKEN_PREFIX) or len(token) > 100:
        return MISS
    participant = cached(hash_token(token))
    if participant is None or participant.session_id != session.pk:
        return MISS
    return StreamGrant(
        channels=[session.channel("all"), session.channel(participant.audience)],
        session_id=session.pk,
        participant=participant.public_id,
        ended=session.status == Status.ENDED,
    )


def open_stream(
    code: str, headers: dict[str, str], cookies: dict[str, str], query: dict[str, str]
) -> StreamGrant | None:
    """Who may listen to this session's events, and on which channels (None: answer 404).

    A participant (or facilitator) of a session that has ended still gets a grant, marked
    `ended`: a phone that was offline at the end learns it from the replay."""
    session = _session_of_code(code)
    if session is None:
        return None
    _remember_pk(str(session.public_id), session.pk)
    ended = session.status == Status.ENDED
    token = _token(session, headers, cookies, query)
    if token:
        from .participants import participant_for_token

        participant = participant_for_token(token)
        if participant is not None and participant.session_id == session.pk:
            return StreamGrant(
                channels=[session.channel("all"), session.channel(participant.audience)],
                session_id=session.pk,
                participant=participant.public_id,
                ended=ended,
            )
    if _facilitator_of(session, cookies):
        return StreamGrant(
            channels=[session.channel("all"), session.channel("facilitator")],
            session_id=session.pk,
            ended=ended,
        )
    return None


_session_pks: dict[str, int] = {}
"""The primary key of a session's public id (which never changes): a replay needs no
session query once the session was seen in this process."""


def _session_pk_of_channel(channel: str) -> int | None:
    _prefix, _sep, rest = channel.partition(":")
    public_id = rest.partition(":")[0]
    known = _session_pks.get(public_id)
    if known is not None:
        return known
    try:
        found = (
            LiveSession.objects.filter(public_id=uuid.UUID(public_id))
            .values_list("pk", flat=True)
            .first()
        )
    except ValueError:
        return None
    if found is not None:
        _remember_pk(public_id, found)
    return found


def _remember_pk(public_id: str, pk: int) -> None:
    if len(_session_pks) > 10_000:
        _session_pks.clear()
    _session_pks[public_id] = pk


def replay(code: str, channels: list[str], after_id: int) -> list[tuple[int, str, str]]:
    """Stored events with seq > after_id on these channels (of one session), in order: one
    query (the session's key is known once its stream was granted in this process)."""
    session_pk = _session_pk_of_channel(channels[0]) if channels else None
    if session_pk is None:
        return []
    prefix = channels[0].split(":", 2)[0] + ":" + channels[0].split(":", 2)[1]
    audiences = []
    for channel in channels:
        if channel == prefix:
            audiences.append("all")
        elif channel.startswith(prefix + ":"):
            audiences.append(channel[len(prefix) + 1 :])
    rows = (
        SessionEvent.objects.filter(session_id=session_pk, seq__gt=after_id, channel__in=audiences)
        .order_by("seq")
        .values_list("seq", "event", "data")
    )
    return [(seq, event, data) for seq, event, data in rows]
