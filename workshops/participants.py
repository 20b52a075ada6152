"""Participants resolved from their token: one query, then cached in the process.

The fast path (notes, votes) and the event streams look a participant up by the hash of
their bearer token or cookie on every request; the participant and their session come in
one query and are kept for an hour (a token never changes owner). One session object is
shared by all its participants, so its steps are parsed once; the writer refreshes its
fields inside every transaction.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

CACHE_SIZE = 100_000
CACHE_SECONDS = 3600.0

_cache: OrderedDict[str, tuple[float, Any]] = OrderedDict()
_sessions: dict[tuple[int, Any], Any] = {}
_cache_lock = threading.Lock()


def cached(token_hash: str) -> Any:
    with _cache_lock:
        hit = _cache.get(token_hash)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]


def participant_for_token(token: str) -> Any:
    """The participant of a raw token, with `.session` set (one query, then cached)."""
    from .models import PARTICIPANT_TOKEN_PREFIX, Participant, hash_token

    if not token.startswith(PARTICIPANT_TOKEN_PREFIX) or len(token) > 100:
        return None
    digest = hash_token(token)
    participant = cached(digest)
    if participant is not None:
        return participant
    # The session's content (the format, tens of kilobytes of JSON) is left out: it is
    # parsed once per process from the first session object that reads it.
    found = list(
        Participant.objects.select_related("session", "session__organisation")
        .defer("session__content")
        .filter(token_hash=digest)[:1]
    )
    if not found:
        return None
    participant = found[0]
    remember(digest, participant)
    return participant


def remember(digest: str, participant: Any) -> None:
    """Cache the participant under its token's hash (the join does, so a phone's first
    note needs no look-up)."""
    with _cache_lock:
        # One session object per session: its steps are parsed once, and the writer's lock
        # refreshes its fields inside every transaction.
        session = _sessions.setdefault(
            (participant.session_id, participant.session.public_id), participant.session
        )
        participant.session = session
        _cache[digest] = (time.monotonic() + CACHE_SECONDS, participant)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        if len(_sessions) > 1000:
            _sessions.clear()


def forget() -> None:
    with _cache_lock:
        _cache.clear()
        _sessions.clear()
