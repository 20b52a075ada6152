"""A stand-in for workshops.events in the realtime tests: no models, an in-memory store.

Codes: "NOPE" is refused (404). A participant token (`?token=`, Bearer or the `lp_<code>`
cookie) adds the participant channel `session:<code>:p:<token>`; the token "bad" is refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

EVENTS: dict[str, list[tuple[int, str, str, str]]] = {}  # code -> (id, channel, event, data)
REPLAY_HOOK: dict[str, Callable[[], None]] = {}
CALLS: list[tuple[str, str]] = []
_lock = threading.Lock()


@dataclass
class StreamGrant:
    channels: list[str] = field(default_factory=list)


def store(code: str, event_id: int, channel: str, event: str, data: str) -> None:
    with _lock:
        EVENTS.setdefault(code, []).append((event_id, channel, event, data))


def reset() -> None:
    with _lock:
        EVENTS.clear()
        REPLAY_HOOK.clear()
        CALLS.clear()


def open_stream(code, headers, cookies, query):
    CALLS.append(("open_stream", code))
    if code == "NOPE":
        return None
    auth = headers.get("authorization", "")
    token = (
        (auth[7:] if auth.lower().startswith("bearer ") else "")
        or query.get("token", "")
        or cookies.get(f"lp_{code}", "")
    )
    if token == "bad":
        return None
    channels = [f"session:{code}"]
    if token:
        channels.append(f"session:{code}:p:{token}")
    return StreamGrant(channels=channels)


def replay(code, channels, after_id):
    CALLS.append(("replay", code))
    with _lock:
        rows = [
            (eid, event, data)
            for eid, channel, event, data in EVENTS.get(code, [])
            if eid > after_id and channel in channels
        ]
    hook = REPLAY_HOOK.get(code)
    if hook is not None:
        hook()
    return sorted(rows)
