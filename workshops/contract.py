"""The event contract: every event a live session sends, its channels and payload.

`events.emit` refuses an event that is not here, on a channel it does not go to, or with a
payload field that is not declared (or of another type); the pages hand the list of names
to `live.js` through `json_script` (`{% live_events %}`), so the script subscribes to
exactly these. Channels:

- "all": every screen of the session (participants, console, presenter);
- "facilitator": the console and presenter screen only;
- "participant": one participant (their group, that they became scribe).

Hub channels are keyed by the session's public id (`LiveSession.channel`), never by its
join code, which another session may take once this one has ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALL = "all"
FACILITATOR = "facilitator"
PARTICIPANT = "participant"

_str = (str,)
_opt_str = (str, type(None))
_int = (int,)
_opt_int = (int, type(None))
_bool = (bool,)


@dataclass(frozen=True)
class Event:
    channels: frozenset[str]
    fields: dict[str, tuple[type, ...]]
    optional: frozenset[str] = field(default_factory=frozenset)
    doc: str = ""


def _e(channels: set[str], fields: dict[str, tuple[type, ...]], doc: str, *opt: str) -> Event:
    return Event(frozenset(channels), fields, frozenset(opt), doc)


EVENTS: dict[str, Event] = {
    "session": _e({FACILITATOR}, {"status": _str}, "The session was started."),
    "presence": _e(
        {FACILITATOR}, {"participants": _int, "joined": _str}, "Someone joined (the count)."
    ),
    "step": _e({ALL}, {"index": _int, "step": _str, "kind": _str}, "Another step is current."),
    "item": _e({ALL}, {"step": _str, "item": _int}, "Another discussion item or round."),
    "timer": _e({ALL}, {"deadline": _opt_str, "remaining": _opt_int}, "The timer changed."),
    "note": _e(
        {ALL},
        {
            "id": _str,
            "step": _str,
            "question": _int,
            "text": _str,
            "group": _opt_int,
            "hidden": _bool,
        },
        "A note was written, edited or shown again.",
    ),
    "note_deleted": _e({ALL}, {"id": _str, "step": _str}, "A note was deleted or hidden."),
    "votes": _e(
        {ALL}, {"step": _str, "item": _str, "counts": (dict,)}, "The counts of one statement."
    ),
    "groups": _e({ALL, FACILITATOR}, {"step": _str, "count": _int}, "Groups changed.", "count"),
    "group": _e(
        {PARTICIPANT},
        {"step": _str, "group": _int, "scribe": _bool},
        "Your group, or that you are the scribe.",
        "step",
        "group",
        "scribe",
    ),
    "summary": _e({ALL}, {"step": _str, "group": _int, "text": _str}, "A group's summary."),
    "actions": _e({FACILITATOR}, {"step": _str, "count": _int}, "Personal actions (count)."),
    "shown_action": _e({ALL}, {"text": _opt_str}, "The action on the presenter screen."),
    "action_points": _e({ALL}, {"step": _str, "text": _str}, "An action point was added."),
    "photo": _e({ALL}, {"id": _str}, "A photo was uploaded."),
    "review": _e({ALL}, {"step": _str, "count": _int}, "The agreements to review were picked."),
    "reviewed": _e(
        {ALL}, {"step": _str, "id": _str, "status": _str}, "A reviewed agreement changed."
    ),
    "scribe": _e({ALL}, {"scribe": _bool}, "A scribe was named or the facilitator took over."),
    "hands_up": _e({FACILITATOR}, {"on": _bool}, "Polls as hands up, or as bars."),
    "scan": _e(
        {FACILITATOR},
        {"on": _bool, "question": _int},
        "The scan's results shown or hidden, and which question.",
    ),
    "ended": _e(
        {ALL},
        {"status": _str},
        'The session ended (status "ended") or, still waiting, was deleted ("deleted"): '
        "the last event of a session.",
    ),
}

NAMES = tuple(EVENTS)


def check(event: str, payload: dict[str, Any], channel_kind: str) -> None:
    """Raise ValueError for an event, channel or payload outside the contract."""
    spec = EVENTS.get(event)
    if spec is None:
        raise ValueError(f"event {event!r} is not in workshops.contract.EVENTS")
    if channel_kind not in spec.channels:
        raise ValueError(f"event {event!r} does not go to the {channel_kind!r} channel")
    for name, value in payload.items():
        types = spec.fields.get(name)
        if types is None:
            raise ValueError(f"event {event!r} has no field {name!r}")
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"field {name!r} of event {event!r} is {type(value).__name__}")
    missing = set(spec.fields) - set(payload) - spec.optional
    if missing:
        raise ValueError(f"event {event!r} misses {sorted(missing)}")
