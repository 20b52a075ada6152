"""Events of a live session: stored with the change they report, published after commit.

`emit()` is called by the services inside their transaction: it takes the next sequence
number of the session (under a row lock), stores the event and registers the publication
on commit. A rolled-back change therefore never sends an event, and every event that was
sent can be replayed from the database (`replay`) by a client that reconnects with its
Last-Event-ID.

The realtime endpoint (realtime/, lerend/asgi.py) calls `open_stream` to authorise a
connection and `replay` to catch it up; see /tmp/prompts/realtime_contract.md.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import LiveSession, Participant, SessionEvent, Status, hash_token, normalise_code

logger = logging.getLogger(__name__)

PARTICIPANT_COOKIE_PREFIX = "lp_"


def participant_cookie_name(code: str) -> str:
    return f"{PARTICIPANT_COOKIE_PREFIX}{code}"


def _audience(channel: str | Participant) -> str:
    if isinstance(channel, Participant):
        return channel.audience
    if channel in ("all", "facilitator"):
        return channel
    raise ValueError(f"unknown channel {channel!r}")


def emit(
    session: LiveSession, event: str, payload: dict[str, Any], *, channel: str | Participant = "all"
) -> SessionEvent:
    """Store an event in the current transaction and publish it once the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must run inside transaction.atomic()")
    audience = _audience(channel)
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


def _bearer(headers: dict[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _sep, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _open_session(code: str) -> LiveSession | None:
    return (
        LiveSession.objects.select_related("organisation")
        .filter(code=normalise_code(code))
        .exclude(status=Status.ENDED)
        .first()
    )


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


def open_stream(
    code: str, headers: dict[str, str], cookies: dict[str, str], query: dict[str, str]
) -> StreamGrant | None:
    """Who may listen to this session's events, and on which channels (None: answer 404)."""
    session = _open_session(code)
    if session is None:
        return None
    token = (
        _bearer(headers)
        or query.get("token", "")
        or cookies.get(participant_cookie_name(session.code), "")
    )
    if token:
        participant = Participant.objects.filter(
            session=session, token_hash=hash_token(token)
        ).first()
        if participant is not None:
            return StreamGrant(
                channels=[session.channel("all"), session.channel(participant.audience)],
                session_id=session.pk,
                participant=participant.public_id,
            )
    if _facilitator_of(session, cookies):
        return StreamGrant(
            channels=[session.channel("all"), session.channel("facilitator")],
            session_id=session.pk,
        )
    return None


def replay(code: str, channels: list[str], after_id: int) -> list[tuple[int, str, str]]:
    """Stored events with seq > after_id on these channels, in order."""
    session = (
        LiveSession.objects.filter(code=normalise_code(code))
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at")
        .first()
    )
    if session is None:
        return []
    prefix = session.channel("all")
    audiences = []
    for channel in channels:
        if channel == prefix:
            audiences.append("all")
        elif channel.startswith(prefix + ":"):
            audiences.append(channel[len(prefix) + 1 :])
    rows = (
        SessionEvent.objects.filter(session=session, seq__gt=after_id, channel__in=audiences)
        .order_by("seq")
        .values_list("seq", "event", "data")
    )
    return [(seq, event, data) for seq, event, data in rows]
