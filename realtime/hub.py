"""The in-process event hub for live sessions (to be completed by the realtime work).

Contract used by the workshops app:

    publish(channel, event_id, event, data)

is called from synchronous code, in `transaction.on_commit`, from any thread. `channel` is a
string such as "session:ABC234" or "session:ABC234:facilitator"; `event_id` increases per
session; `event` is the SSE event name; `data` is the JSON text sent as the event's data.
"""

from __future__ import annotations


def publish(channel: str, event_id: int, event: str, data: str) -> None:
    """Deliver one event to every connection subscribed to `channel`."""
