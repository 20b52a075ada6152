"""The lean Server-Sent Events endpoint, served in front of Django.

`GET /api/v1/sessions/<code>/events` never enters Django's middleware stack: it asks the
provider (workshops.events) whether the client may listen and on which channels, then
subscribes to the hub, replays what the client missed (Last-Event-ID) and streams live
events until the client goes away. Everything else goes to the wrapped application.

The provider is any object with the two functions of the contract
(`open_stream(code, headers, cookies, query)` and `replay(code, channels, after_id)`);
both are synchronous (database) and run in a thread pool. A provider may also offer
`open_stream_cached` with the same arguments, run on the event loop, which answers from
memory or returns the provider's `MISS` to have `open_stream` asked.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from asgiref.sync import sync_to_async

from .hub import Answer, Frame, Hub, answering, encode, send_now
from .hub import hub as default_hub

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

EVENTS_PATH = re.compile(r"^/api/v1/sessions/(?P<code>[A-Za-z0-9_-]{1,64})/events/?$")
RETRY = b"retry: 2000\n\n"
DEFAULT_PROVIDER = "workshops.events"
# Authorisation and replay read the database; a few threads of their own keep a burst of
# (re)connections from queueing behind Django's sync views.
_executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sse-db")


# The threads keep their database connections between calls, a minute at most: opening a
# SQLite connection (with its PRAGMAs) and closing it again costs more than the queries.
DB_CONNECTION_SECONDS = 60.0
_db_state = threading.local()


def _call_with_db(func: Callable[..., Any], *args: Any) -> Any:
    """Run a provider function in a pool thread, on that thread's database connections."""
    from django.db import DatabaseError, connections, reset_queries

    now = time.monotonic()
    if now - getattr(_db_state, "opened", now) > DB_CONNECTION_SECONDS:
        connections.close_all()
        del _db_state.opened
    try:
        return func(*args)
    except DatabaseError:
        connections.close_all()  # a broken connection is opened afresh on the next call
        raise
    finally:
        reset_queries()  # with DEBUG on, a long-lived connection would log every query
        if _pooled():
            connections.close_all()  # back to the process's pool, for the next thread
        elif not hasattr(_db_state, "opened"):
            _db_state.opened = now


def _pooled() -> bool:
    """Whether the database connections come from a pool (PostgreSQL with `pool` set)."""
    from django.db import connection

    return bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))


async def in_thread(func: Callable[..., Any], *args: Any) -> Any:
    return await sync_to_async(_call_with_db, thread_sensitive=False, executor=_executor)(
        func, *args
    )


def _json_response_messages(status: int, detail: str, code: str) -> list[dict]:
    body = json.dumps({"detail": detail, "code": code}).encode()
    return [
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
            ],
        },
        {"type": "http.response.body", "body": body},
    ]


def _translated(message: str) -> str:
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # no Django settings (a bare test app)
        return message


def parse_request(scope: Scope) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Headers (lower-case names), cookies and query parameters of an ASGI scope."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name in headers:
            value = headers[name] + ("; " if name == "cookie" else ", ") + value
        headers[name] = value
    cookies: dict[str, str] = {}
    if "cookie" in headers:
        from django.http.cookie import parse_cookie

        cookies = parse_cookie(headers["cookie"])
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    return headers, cookies, query


def last_event_id(headers: dict[str, str], query: dict[str, str]) -> int | None:
    """The id the client saw last: 0 for none, None when it is not a number."""
    raw = headers.get("last-event-id") or query.get("last_event_id") or "0"
    raw = raw.strip()
    if not raw.isdigit() or len(raw) > 18:
        return None
    return int(raw)


_MISS = object()


class SSEApp:
    """ASGI app for one route: `GET /api/v1/sessions/<code>/events`."""

    def __init__(self, provider: Any = None, hub: Hub | None = None) -> None:
        self._provider = provider
        self.hub = hub or default_hub

    @property
    def provider(self) -> Any:
        if self._provider is None:
            self._provider = importlib.import_module(DEFAULT_PROVIDER)
        return self._provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = EVENTS_PATH.match(scope["path"])
        assert match is not None
        code = match["code"]
        headers, cookies, query = parse_request(scope)
        after_id = last_event_id(headers, query)
        if after_id is None:
            detail = _translated("Last-Event-ID must be a whole number.")
            for message in _json_response_messages(400, detail, "invalid_last_event_id"):
                await send(message)
            return
        grant: Any = _MISS
        quick = getattr(self.provider, "open_stream_cached", None)
        if quick is not None:  # the provider's answer from its caches, on the loop
            grant = quick(code, headers, cookies, query)
        if grant is _MISS or grant is getattr(self.provider, "MISS", _MISS):
            grant = await in_thread(self.provider.open_stream, code, headers, cookies, query)
        if grant is None or not grant.channels:
            for message in _json_response_messages(404, _translated("Not found."), "not_found"):
                await send(message)
            return
        if getattr(grant, "ended", False):
            await self._final(send, code, list(grant.channels), after_id)
            return

        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": RETRY, "more_body": True})

        channels = list(grant.channels)
        # Nothing of the request is needed for the stream's life: keep no reference to it.
        del headers, cookies, query, grant, match
        await self._stream(receive, send, code, channels, after_id)

    async def _final(self, send: Send, code: str, channels: list[str], after_id: int) -> None:
        """A session that has ended: what the client missed (the end included), then close;
        204 when it missed nothing, which tells EventSource not to reconnect."""
        events = await in_thread(self.provider.replay, code, channels, after_id)
        if not events:
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        blob = b"".join(encode(eid, name, data) for eid, name, data in events)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": RETRY + blob})

    async def _stream(
        self, receive: Receive, send: Send, code: str, channels: list[str], after_id: int
    ) -> None:
        hub = self.hub
        # Subscribe first: whatever is published from now on waits in `conn.pending`.
        conn = await hub.subscribe(send, channels, floor=after_id)
        try:
            if not await self._replay(send, conn, code, channels, after_id):
                return
            if conn.transport is not None:
                # Closing the transport (a slow client, a reset) ends `receive` too.
                while (await receive())["type"] != "http.disconnect":
                    pass
            else:
                await _until_disconnect_or_closed(receive, conn)
        except asyncio.CancelledError:
            # The server gave up waiting for the stream: end it properly, so that the
            # client reconnects (to another process, or to this one once restarted).
            send_now(send, {"type": "http.response.body", "body": b"", "more_body": False})
            raise
        finally:
            hub.unsubscribe(conn)

    async def _replay(
        self, send: Send, conn: Any, code: str, channels: list[str], after_id: int
    ) -> bool:
        """Send what the client missed, then go live; False if the stream is over."""
        events = await in_thread(self.provider.replay, code, channels, after_id)
        floor = after_id
        if events:
            blob = b"".join(encode(eid, name, data) for eid, name, data in events)
            floor = max(after_id, events[-1][0])
            await send({"type": "http.response.body", "body": blob, "more_body": True})
            # Let a long replay reach the client before the buffer limit applies.
            await send({"type": "http.response.body", "body": b"", "more_body": True})
        if conn.closed.done():
            return False
        if not conn.go_live(floor):
            self.hub.drop(conn)
            return False
        return True


async def _until_disconnect_or_closed(receive: Receive, conn: Any) -> None:
    async def watch() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(watch())
    try:
        await asyncio.wait({watcher, conn.closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()


class Router:
    """SSE requests to the lean endpoint, lifespan to the hub, the rest to `app`."""

    def __init__(self, app: ASGIApp, sse: SSEApp) -> None:
        self.app = app
        self.sse = sse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            if scope["method"] == "GET" and EVENTS_PATH.match(scope["path"]):
                await self.sse(scope, receive, send)
                return
            await self.answer_first(scope, receive, send)
            return
        if kind == "lifespan":
            await self.lifespan(receive, send)
            return
        await self.app(scope, receive, send)

    async def answer_first(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run `app` for one HTTP request; a large fan-out it publishes is written once the
        request's own answer is sent (hub.Answer)."""
        answer = Answer()

        async def sending(message: dict) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answer.release()

        token = answering.set(answer)
        try:
            await self.app(scope, receive, sending)
        finally:
            answering.reset(token)
            answer.release()

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.sse.hub.start()
                except Exception as exc:
                    logger.exception("realtime hub did not start")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.sse.hub.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


DEFAULT_FAST_PATH = "workshops.fastpath"


def make_application(app: ASGIApp, *, provider: Any = None, hub: Hub | None = None) -> ASGIApp:
    """The SSE endpoint in front of `app` and, with the default provider, the participants'
    fast path (workshops.fastpath: notes, votes and joins answered before Django) in front
    of both: its requests skip the router's layers; what it leaves goes on to the router."""
    router = Router(app, SSEApp(provider=provider, hub=hub))
    if provider is None:
        return importlib.import_module(DEFAULT_FAST_PATH).FastPath(router)
    return router


__all__ = ["Frame", "Router", "SSEApp", "make_application"]
