"""The in-process event hub for live sessions.

Contract used by the workshops app:

    publish(channel, event_id, event, data)

is called from synchronous code, in `transaction.on_commit`, from any thread. `channel` is a
string such as "session:ABC234" or "session:ABC234:facilitator"; `event_id` increases per
session; `event` is the SSE event name; `data` is the JSON text sent as the event's data.

How an event reaches 5,000 phones quickly: it is encoded once (`Frame`) and, in one loop on
the event loop, written to every connection subscribed to its channel. Nothing else happens
per connection: no queue, no task, no copy. A connection's only buffer is its transport's
write buffer; a connection whose buffer is already over `buffer_limit` bytes (a client that
stopped reading) is disconnected on the spot, and reconnects with Last-Event-ID to catch up
from the database. Under uvicorn's httptools protocol the frame goes straight to the
transport as one HTTP chunk; under any other server it goes through the ASGI `send`, driven
without awaiting: a `send` that would block (flow control paused) counts as a full buffer.

With settings.REDIS_URL set, `publish` goes through Redis pub/sub: one subscriber task per
process (pattern subscription) feeds the local hub, so every process delivers every event
exactly once to each of its connections. When that subscription is lost and comes back,
every local connection is closed so that its client catches up by replay.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import contextvars
import logging
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
# About four times asyncio's high-water mark: room for a burst, then the client goes.
BUFFER_LIMIT = 256 * 1024
# Live events held for a connection while its replay is read from the database.
PENDING_LIMIT = 1000
REDIS_READY_SECONDS = 2.0
REDIS_RETRY_SECONDS = 1.0
PING = b": ping\n\n"
DELIVER_SLICE = 500
"""Writes in one turn of the event loop: a fan-out to 10,000 streams lets other work in
between its slices (the trigger request's own answer, streams that open), in order."""
PUMP_PAUSE = 0.001
HOLD_SECONDS = 0.2
"""The longest a large fan-out waits for the answer of the request that caused it."""


class Answer:
    """One HTTP request being answered. A fan-out it publishes that is larger than one
    slice waits in the outbox until the request's own answer has gone out, and every
    fan-out after it waits in turn (the order stays): the facilitator's "next" is then not
    answered behind the 10,000 writes it caused (bench/live.py, trigger p99). Event loop
    only: `released` is set by the request's last byte, its end, or `HOLD_SECONDS`."""

    __slots__ = ("hubs", "released")

    def __init__(self) -> None:
        self.released = False
        self.hubs: list[Hub] = []

    def wait(self, hub: Hub) -> None:
        if not self.hubs:
            asyncio.get_running_loop().call_later(HOLD_SECONDS, self.release)
        if hub not in self.hubs:
            self.hubs.append(hub)

    def release(self) -> None:
        if self.released:
            return
        self.released = True
        for hub in self.hubs:
            hub.resume()


answering: contextvars.ContextVar[Answer | None] = contextvars.ContextVar(
    "realtime_answering", default=None
)
"""The HTTP request being answered in this context; its threads see it too (asgiref runs
them in a copy of the context), so `publish_local` knows whose answer goes first."""


class Frame:
    """One SSE message, encoded once for every connection."""

    __slots__ = ("chunk", "message", "sse")

    def __init__(self, sse: bytes) -> None:
        self.sse = sse
        # The same bytes as one HTTP/1.1 chunk, for connections written to directly.
        self.chunk = b"%x\r\n%b\r\n" % (len(sse), sse)
        self.message = {"type": "http.response.body", "body": sse, "more_body": True}


def check_event(event: str) -> None:
    if not event or any(c in event for c in "\r\n:"):
        raise ValueError(f"invalid SSE event name {event!r}")


def encode(event_id: int, event: str, data: str) -> bytes:
    """`id: N\\nevent: E\\ndata: ...\\n\\n`, with one data line per line of `data`."""
    check_event(event)
    lines = data.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body = "".join(f"data: {line}\n" for line in lines)
    return f"id: {int(event_id)}\nevent: {event}\n{body}\n".encode()


def send_now(send: Callable[[dict], Awaitable[None]], message: dict) -> bool:
    """Run `send(message)` to completion if it does not need to wait; False if it would."""
    coro: Any = send(message)
    try:
        coro.send(None)
    except StopIteration:
        return True
    except Exception:
        logger.debug("send failed", exc_info=True)
        return False
    coro.close()  # it is waiting for the transport to drain: the client is too slow
    return False


class Connection:
    """One SSE client as the hub sees it."""

    __slots__ = ("_raw", "_send", "channels", "closed", "floor", "limit", "pending", "transport")

    def __init__(
        self,
        send: Callable[[dict], Awaitable[None]],
        channels: Iterable[str],
        *,
        floor: int = 0,
        limit: int = BUFFER_LIMIT,
    ) -> None:
        self._send = send
        self.channels = tuple(dict.fromkeys(channels))
        # Events with an id at or below the floor were replayed (or seen) already.
        self.floor = floor
        self.limit = limit
        # Live events that arrive during the replay wait here (None once live).
        self.pending: list[tuple[int, Frame]] | None = []
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        # asyncio's and uvloop's transports alike (uvloop's are not asyncio subclasses).
        self.transport: asyncio.WriteTransport | None = (
            transport
            if all(hasattr(transport, a) for a in ("write", "abort", "get_write_buffer_size"))
            else None
        )
        # uvicorn's httptools cycle frames the body in chunks itself; so can we.
        self._raw = self.transport is not None and getattr(cycle, "chunked_encoding", None) is True

    def offer(self, event_id: int, frame: Frame) -> bool:
        """Deliver a live event; False when the connection cannot keep up."""
        if event_id <= self.floor:
            return True
        pending = self.pending
        if pending is not None:
            pending.append((event_id, frame))
            return len(pending) <= PENDING_LIMIT
        return self.write(frame)

    def write(self, frame: Frame) -> bool:
        if self._raw:
            transport = self.transport
            if transport.is_closing() or transport.get_write_buffer_size() > self.limit:  # type: ignore[union-attr]
                return False
            transport.write(frame.chunk)  # type: ignore[union-attr]
            return True
        if self.transport is not None and (
            self.transport.is_closing() or self.transport.get_write_buffer_size() > self.limit
        ):
            return False
        return send_now(self._send, frame.message)

    def go_live(self, floor: int) -> bool:
        """End the replay: deliver what arrived meanwhile (above `floor`) and go live."""
        self.floor = max(self.floor, floor)
        pending, self.pending = self.pending or [], None
        for event_id, frame in pending:
            if event_id > self.floor and not self.write(frame):
                return False
        return True

    def close(self, *, abort: bool = True) -> None:
        """Disconnect: at once (a slow client) or after what was written (a reset)."""
        if not self.closed.done():
            self.closed.set_result(None)
        transport = self.transport
        if transport is not None and not transport.is_closing():
            if abort:
                transport.abort()
            else:
                if self._raw:
                    transport.write(b"0\r\n\r\n")
                transport.close()


class Hub:
    """Channel name -> connections, on one event loop."""

    def __init__(
        self,
        *,
        redis_url: str | bool | None = False,
        redis_prefix: str | None = None,
        heartbeat: float = HEARTBEAT_SECONDS,
        buffer_limit: int = BUFFER_LIMIT,
    ) -> None:
        # redis_url False: read settings.REDIS_URL when first needed; None: no Redis.
        self._redis_url = redis_url
        self._redis_prefix = redis_prefix
        self.heartbeat = heartbeat
        self.buffer_limit = buffer_limit
        self._loop: asyncio.AbstractEventLoop | None = None
        self._channels: dict[str, set[Connection]] = {}
        self._connections: set[Connection] = set()
        # Fan-outs still being written, oldest first: [connections, next index, id, frame].
        self._outbox: collections.deque[list[Any]] = collections.deque()
        self._pumping = False
        self._beat: asyncio.TimerHandle | None = None
        self._redis_task: asyncio.Task[None] | None = None
        self._redis_ready: asyncio.Event | None = None
        self._publisher: Any = None
        self._lock = threading.Lock()
        self._signals_chained = False
        self._redis_down_until = 0.0
        self.closing = False
        self.stats = {"delivered": 0, "dropped": 0}

    # --- configuration ---------------------------------------------------------------

    def _config(self) -> tuple[str | None, str]:
        if self._redis_url is False:
            url, prefix = None, "lerend"
            try:
                from django.conf import settings

                url = getattr(settings, "REDIS_URL", None) or None
                prefix = (
                    getattr(settings, "LEREND_CACHE_PREFIX", None)
                    or settings.CACHES.get("default", {}).get("KEY_PREFIX")
                    or "lerend"
                )
            except Exception:  # no Django settings: a hub on its own
                logger.debug("no Django settings; the hub runs without Redis", exc_info=True)
            with self._lock:
                if self._redis_url is False:
                    self._redis_url = url
                    self._redis_prefix = self._redis_prefix or prefix
        return self._redis_url or None, self._redis_prefix or "lerend"  # type: ignore[return-value]

    def _redis_channel(self, channel: str) -> str:
        return f"{self._config()[1]}:rt:{channel}"

    # --- the event loop side -----------------------------------------------------------

    def bind(self) -> asyncio.AbstractEventLoop:
        """Remember the running loop (at startup or at the first subscription)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            old = self._loop
            if old is not None and not old.is_closed() and old.is_running():
                raise RuntimeError("the hub is bound to another running event loop")
            self._reset_state()
            self._loop = loop
        if self._beat is None and self.heartbeat > 0:
            self._beat = loop.call_later(self.heartbeat, self._heartbeat)
        if not self._signals_chained:
            self._signals_chained = True
            self._chain_signals(loop)
        if self._redis_task is None and self._config()[0]:
            self._redis_ready = asyncio.Event()
            self._redis_task = loop.create_task(self._subscribe_redis())
        return loop

    def _chain_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """End every stream as soon as the server is told to stop (SIGINT, SIGTERM).

        A server waits for its open responses before it stops, and an event stream never
        ends by itself: without this, `lerend serve` would hang on shutdown until killed.
        The server's own handler (uvicorn's) still runs; clients reconnect and catch up.
        """
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if not callable(previous):
                continue  # no server handler to chain to: leave the default alone

            def handler(number: int, frame: Any, previous: Callable = previous) -> None:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self.close_streams)
                previous(number, frame)

            signal.signal(signum, handler)

    def close_streams(self) -> None:
        """The server stops: end every stream now and any that opens from now on."""
        self.closing = True
        self.reset_connections()

    def _reset_state(self) -> None:
        self.closing = False
        self._signals_chained = False
        self._channels = {}
        self._connections = set()
        self._outbox.clear()
        self._pumping = False
        self._beat = None
        self._redis_task = None
        self._redis_ready = None

    async def start(self) -> None:
        self.bind()

    async def stop(self) -> None:
        """Close every connection and stop the Redis subscriber (lifespan shutdown)."""
        for conn in list(self._connections):
            self.unsubscribe(conn)
            conn.close(abort=False)
        if self._beat is not None:
            self._beat.cancel()
            self._beat = None
        task, self._redis_task = self._redis_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loop = None

    async def subscribe(
        self, send: Callable[[dict], Awaitable[None]], channels: Iterable[str], *, floor: int = 0
    ) -> Connection:
        """Register a connection; live events wait in it until `Connection.go_live`."""
        self.bind()
        conn = Connection(send, channels, floor=floor, limit=self.buffer_limit)
        self._connections.add(conn)
        for channel in conn.channels:
            self._channels.setdefault(channel, set()).add(conn)
        if self.closing:
            self.unsubscribe(conn)
            conn.close(abort=False)
            return conn
        ready = self._redis_ready
        if ready is not None and not ready.is_set():
            # An event committed before the Redis subscription would be missed by both
            # the replay (read already) and the live path; wait for it, within reason.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(ready.wait(), REDIS_READY_SECONDS)
        return conn

    def unsubscribe(self, conn: Connection) -> None:
        self._connections.discard(conn)
        for channel in conn.channels:
            conns = self._channels.get(channel)
            if conns is not None:
                conns.discard(conn)
                if not conns:
                    del self._channels[channel]

    def drop(self, conn: Connection) -> None:
        """Disconnect a client that cannot keep up."""
        self.unsubscribe(conn)
        self.stats["dropped"] += 1
        conn.close()

    def deliver(
        self, channel: str, event_id: int, frame: Frame, answer: Answer | None = None
    ) -> None:
        """Write one encoded event to every connection on `channel` (event loop only).

        The first `DELIVER_SLICE` connections are written to now, the rest in later turns
        of the loop; every fan-out waits for the ones before it, so each connection gets
        its events in the order they were published. A connection that subscribes after
        this call gets the event from its replay (it was stored before it was published).
        With an `answer` not yet sent, a fan-out larger than a slice starts after it."""
        conns = self._channels.get(channel)
        if not conns:
            return
        if answer is not None and (answer.released or len(conns) <= DELIVER_SLICE):
            answer = None
        if answer is not None:
            answer.wait(self)
        self._outbox.append([list(conns), 0, event_id, frame, answer])
        if not self._pumping:
            self._pump()

    def resume(self) -> None:
        """An answer went out: write the fan-outs that waited for it (event loop only)."""
        if not self._pumping:
            self._pump()

    def _pump(self) -> None:
        budget = DELIVER_SLICE
        outbox = self._outbox
        while outbox and budget > 0:
            job = outbox[0]
            conns, start, event_id, frame, answer = job
            if answer is not None and not answer.released:
                break  # resumed by the answer
            end = min(len(conns), start + budget)
            live = self._connections
            offered = [conn for conn in conns[start:end] if conn in live]
            failed = [conn for conn in offered if not conn.offer(event_id, frame)]
            self.stats["delivered"] += len(offered) - len(failed)
            for conn in failed:
                self.drop(conn)
            budget -= end - start
            if end == len(conns):
                outbox.popleft()
            else:
                job[1] = end
        self._pumping = bool(outbox) and budget <= 0 and self._loop is not None
        if self._pumping:
            # A pause, not only a turn: the loop then waits in select() without the GIL, so
            # a request thread (the facilitator's trigger, finishing its answer) runs too.
            self._loop.call_later(PUMP_PAUSE, self._pump)  # type: ignore[union-attr]

    def _deliver_encoded(
        self, channel: str, event_id: int, event: str, data: str, answer: Answer | None = None
    ) -> None:
        if channel in self._channels:
            self.deliver(channel, event_id, Frame(encode(event_id, event, data)), answer)

    def _heartbeat(self) -> None:
        loop = self._loop
        if loop is None:
            return
        frame = Frame(PING)
        failed = [c for c in self._connections if c.pending is None and not c.write(frame)]
        for conn in failed:
            self.drop(conn)
        self._beat = loop.call_later(self.heartbeat, self._heartbeat)

    def reset_connections(self) -> None:
        """Close every connection gracefully; clients reconnect and catch up by replay."""
        for conn in list(self._connections):
            self.unsubscribe(conn)
            conn.close(abort=False)

    @property
    def connection_count(self) -> int:
        return len(self._connections)

    # --- any thread ----------------------------------------------------------------------

    def publish(self, channel: str, event_id: int, event: str, data: str) -> None:
        check_event(event)  # refuse a bad event here, in the caller's thread
        url, _prefix = self._config()
        if url and time.monotonic() >= self._redis_down_until:
            try:
                self._redis_publisher(url).publish(
                    self._redis_channel(channel), f"{int(event_id)}\n{event}\n{data}"
                )
                return
            except Exception:
                # Deliver here at least; other processes' clients catch up on reconnect
                # (their subscribers lost Redis too, and close their streams when back).
                # Skip Redis for a moment rather than make every request wait for it.
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                logger.exception("could not publish event %s on %s to Redis", event_id, channel)
        self.publish_local(channel, event_id, event, data)

    def publish_local(self, channel: str, event_id: int, event: str, data: str) -> None:
        loop = self._loop
        if loop is None:
            return  # nobody has subscribed in this process yet
        with contextlib.suppress(RuntimeError):  # the loop has closed
            loop.call_soon_threadsafe(
                self._deliver_encoded, channel, event_id, event, data, answering.get()
            )

    def _redis_publisher(self, url: str) -> Any:
        with self._lock:
            if self._publisher is None:
                import redis

                self._publisher = redis.Redis.from_url(
                    url, socket_timeout=2, socket_connect_timeout=2
                )
            return self._publisher

    # --- Redis subscriber ----------------------------------------------------------------

    async def _subscribe_redis(self) -> None:
        import redis.asyncio as aioredis

        url, prefix = self._config()
        assert url
        pattern = _glob_escape(f"{prefix}:rt:") + "*"
        cut = len(f"{prefix}:rt:")
        ready = self._redis_ready
        assert ready is not None
        delay, lost = 0.1, False
        while True:
            client = aioredis.Redis.from_url(
                url, socket_connect_timeout=2, client_name=f"{prefix}:rt-subscriber"
            )
            pubsub = client.pubsub()
            try:
                await pubsub.psubscribe(pattern)
                async for message in pubsub.listen():
                    kind = message["type"]
                    if kind == "psubscribe":
                        if lost:
                            self.reset_connections()
                        ready.set()
                        delay, lost = 0.1, False
                    elif kind == "pmessage":
                        self._on_redis_message(message["channel"][cut:], message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Redis subscription lost; retrying in %.1f s", delay, exc_info=True)
            finally:
                ready.clear()
                lost = True
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _on_redis_message(self, channel: bytes, payload: bytes) -> None:
        try:
            head, event, data = payload.decode().split("\n", 2)
            self._deliver_encoded(channel.decode(), int(head), event, data)
        except Exception:
            logger.exception("bad event from Redis on %r", channel)


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


hub = Hub()


def publish(channel: str, event_id: int, event: str, data: str) -> None:
    """Deliver one event to every connection subscribed to `channel`."""
    hub.publish(channel, event_id, event, data)
