"""The hub and the endpoint without a server: encoding, a blocking send, a Redis outage."""

from __future__ import annotations

import asyncio
import os

import pytest

from realtime.asgi import SSEApp
from realtime.hub import Hub, encode
from realtime.tests import fakeprovider
from realtime.tests.conftest import free_port


def test_encode():
    assert encode(7, "step", '{"a": 1}') == b'id: 7\nevent: step\ndata: {"a": 1}\n\n'
    assert encode(8, "note", "a\r\nb\nc") == b"id: 8\nevent: note\ndata: a\ndata: b\ndata: c\n\n"


@pytest.mark.parametrize("name", ["", "two\nlines", "a:b", "cr\r"])
def test_a_bad_event_name_is_refused_in_the_publishing_thread(name):
    with pytest.raises(ValueError, match="invalid SSE event name"):
        Hub(redis_url=None).publish("session:A", 1, name, "{}")


class FakeClient:
    """ASGI receive/send without a transport; `send` blocks while `paused`."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.paused = False
        self.resume = asyncio.Event()
        self.gone = asyncio.Event()

    async def receive(self) -> dict:
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict) -> None:
        if self.paused:
            await self.resume.wait()
        self.messages.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


def scope(path="/api/v1/sessions/ABC234/events", query=b"", headers=()):
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": query,
        "headers": list(headers),
    }


async def _until(predicate, timeout=2.0):
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


def test_a_send_that_would_block_drops_the_connection_and_ends_the_stream():
    async def main():
        hub = Hub(redis_url=None, heartbeat=3600)
        app = SSEApp(provider=fakeprovider, hub=hub)
        slow, fine = FakeClient(), FakeClient()
        tasks = [asyncio.create_task(app(scope(), c.receive, c.send)) for c in (slow, fine)]
        await _until(lambda: sum(c.pending is None for c in hub._connections) == 2)
        hub.publish("session:ABC234", 1, "step", "{}")
        await _until(lambda: b"id: 1" in slow.body and b"id: 1" in fine.body)
        slow.paused = True
        hub.publish("session:ABC234", 2, "step", "{}")
        # The slow client's handler ends although that client never disconnected.
        await asyncio.wait_for(tasks[0], 2)
        assert hub.stats["dropped"] == 1
        assert hub.connection_count == 1
        await _until(lambda: b"id: 2" in fine.body)
        assert b"id: 2" not in slow.body
        fine.gone.set()
        await asyncio.wait_for(tasks[1], 2)
        assert hub.connection_count == 0
        assert fine.messages[0]["status"] == 200
        assert fine.body == (
            b"retry: 2000\n\nid: 1\nevent: step\ndata: {}\n\nid: 2\nevent: step\ndata: {}\n\n"
        )

    asyncio.run(main())


def test_a_redis_outage_still_delivers_locally():
    async def main():
        hub = Hub(redis_url=f"redis://127.0.0.1:{free_port()}/0", redis_prefix="t", heartbeat=3600)
        app = SSEApp(provider=fakeprovider, hub=hub)
        client = FakeClient()
        task = asyncio.create_task(app(scope(), client.receive, client.send))
        # The subscriber cannot connect: the stream goes live after a short wait anyway.
        await _until(lambda: any(c.pending is None for c in hub._connections), timeout=5)
        tries = []
        real_publisher = hub._redis_publisher
        hub._redis_publisher = lambda url: tries.append(url) or real_publisher(url)
        await asyncio.to_thread(hub.publish, "session:ABC234", 1, "step", '{"ok": 1}')
        await _until(lambda: b'data: {"ok": 1}' in client.body)
        # For a moment after a failure, publishing does not even try Redis.
        await asyncio.to_thread(hub.publish, "session:ABC234", 2, "step", '{"ok": 2}')
        await _until(lambda: b'data: {"ok": 2}' in client.body)
        assert len(tries) == 1
        client.gone.set()
        await asyncio.wait_for(task, 2)
        await hub.stop()

    asyncio.run(main())


def test_after_losing_redis_every_stream_is_closed_to_catch_up():
    """Events published while the subscription was down are only in the database now."""
    import uuid

    import redis

    from realtime.tests.test_redis import REDIS_URL, redis_answers

    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}; CI must run it")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"rt-test-{uuid.uuid4().hex}"

    async def main():
        hub = Hub(redis_url=REDIS_URL, redis_prefix=prefix, heartbeat=3600)
        app = SSEApp(provider=fakeprovider, hub=hub)
        client = FakeClient()
        task = asyncio.create_task(app(scope(), client.receive, client.send))
        await _until(lambda: any(c.pending is None for c in hub._connections), timeout=5)
        await asyncio.to_thread(hub.publish, "session:ABC234", 1, "step", "{}")
        await _until(lambda: b"id: 1" in client.body)
        admin = redis.Redis.from_url(REDIS_URL)
        ours = [c for c in admin.client_list() if c["name"] == f"{prefix}:rt-subscriber"]
        assert len(ours) == 1
        admin.client_kill_filter(_id=ours[0]["id"])
        # The subscriber comes back and closes the stream; the client will replay.
        await asyncio.wait({task}, timeout=5)
        assert task.done() and not task.cancelled()
        assert hub.connection_count == 0
        await _until(lambda: hub._redis_ready.is_set(), timeout=5)
        again = FakeClient()
        task = asyncio.create_task(app(scope(), again.receive, again.send))
        await _until(lambda: any(c.pending is None for c in hub._connections), timeout=5)
        await asyncio.to_thread(hub.publish, "session:ABC234", 2, "step", "{}")
        await _until(lambda: b"id: 2" in again.body)
        again.gone.set()
        await asyncio.wait_for(task, 2)
        await hub.stop()

    asyncio.run(main())


def test_provider_calls_keep_no_query_log(db, settings):
    """The pool threads keep their connections; with DEBUG on they must not keep a log.

    Called from a thread of its own, as the server's pool threads do: the test's own thread
    is inside the test's transaction, where a pooled connection cannot be handed back."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from realtime.asgi import _call_with_db

    settings.DEBUG = True

    def query():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0]

    def logged():
        return len(connection.queries_log)

    with ThreadPoolExecutor(max_workers=1) as thread:
        assert [thread.submit(_call_with_db, query).result() for _ in range(3)] == [1, 1, 1]
        assert thread.submit(logged).result() == 0
        thread.submit(lambda: connection.close()).result()


def test_a_fan_out_larger_than_a_slice_keeps_each_connections_order(monkeypatch):
    """Past DELIVER_SLICE connections a fan-out goes on in later turns of the loop, and other
    work runs in between; a second event waits for the first, so every connection gets 1,
    then 2, once each, and a connection gone meanwhile is skipped, not counted as dropped."""
    from realtime import hub as hub_module

    monkeypatch.setattr(hub_module, "DELIVER_SLICE", 3)

    async def main():
        hub = Hub(redis_url=None, heartbeat=3600)
        clients = [FakeClient() for _i in range(8)]
        conns = []
        for client in clients:
            conn = await hub.subscribe(client.send, ["session:S"])
            conn.go_live(0)
            conns.append(conn)
        hub.deliver("session:S", 1, hub_module.Frame(encode(1, "step", "{}")))
        hub.deliver("session:S", 2, hub_module.Frame(encode(2, "step", "{}")))
        assert sum(bool(c.messages) for c in clients) == 3  # the first slice, at once
        waiting = next(i for i, c in enumerate(clients) if not c.messages)
        hub.unsubscribe(conns[waiting])  # goes away while its turn has not come
        others = [c for i, c in enumerate(clients) if i != waiting]
        await _until(lambda: all(len(c.messages) == 2 for c in others))
        for client in others:
            assert [m["body"][:5] for m in client.messages] == [b"id: 1", b"id: 2"]
        assert clients[waiting].messages == []
        assert hub.stats == {"delivered": 14, "dropped": 0}

    asyncio.run(main())


def _answering_app(hub, channel, clients, sent_at):
    """An app that publishes from its request thread (as on_commit does), then answers."""
    from asgiref.sync import sync_to_async

    async def app(scope, receive, send):
        await sync_to_async(hub.publish_local, thread_sensitive=False)(channel, 1, "step", "{}")
        await asyncio.sleep(0.05)  # the rest of the view: the fan-out must not start yet
        sent_at.append(sum(bool(c.messages) for c in clients))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})
        await asyncio.sleep(0.05)  # after the answer: the fan-out goes on meanwhile
        sent_at.append(sum(bool(c.messages) for c in clients))

    return app


@pytest.mark.parametrize("connections", [3, 8])
def test_a_large_fan_out_waits_for_the_answer_of_the_request_that_caused_it(
    monkeypatch, connections
):
    """A fan-out past one slice starts once its request is answered, and an event published
    meanwhile from elsewhere waits behind it (each connection: 1, then 2); a small one goes
    out at once."""
    from realtime import hub as hub_module
    from realtime.asgi import Router

    monkeypatch.setattr(hub_module, "DELIVER_SLICE", 4)

    async def main():
        hub = Hub(redis_url=None, heartbeat=3600)
        clients = [FakeClient() for _i in range(connections)]
        for client in clients:
            (await hub.subscribe(client.send, ["session:S"])).go_live(0)
        sent_at: list[int] = []
        app = _answering_app(hub, "session:S", clients, sent_at)
        router = Router(app, SSEApp(fakeprovider, hub=hub))
        answer = FakeClient()
        request = asyncio.create_task(
            router(scope("/api/v1/sessions/S/next"), answer.receive, answer.send)
        )
        await asyncio.sleep(0.02)
        await asyncio.to_thread(hub.publish_local, "session:S", 2, "step", "{}")  # no request
        await request
        await _until(lambda: all(len(c.messages) == 2 for c in clients))
        for client in clients:
            assert [m["body"][:5] for m in client.messages] == [b"id: 1", b"id: 2"]
        return sent_at

    sent_at = asyncio.run(main())
    if connections > 4:
        assert sent_at == [0, connections]  # nobody before the answer, everybody after
    else:
        assert sent_at == [connections, connections]


def test_an_answer_that_takes_long_holds_a_fan_out_at_most_hold_seconds(monkeypatch):
    from realtime import hub as hub_module

    monkeypatch.setattr(hub_module, "DELIVER_SLICE", 1)
    monkeypatch.setattr(hub_module, "HOLD_SECONDS", 0.05)

    async def main():
        hub = Hub(redis_url=None, heartbeat=3600)
        clients = [FakeClient() for _i in range(3)]
        for client in clients:
            (await hub.subscribe(client.send, ["session:S"])).go_live(0)
        answer = hub_module.Answer()
        hub.deliver("session:S", 1, hub_module.Frame(encode(1, "step", "{}")), answer)
        await asyncio.sleep(0.02)
        assert not any(c.messages for c in clients)
        await _until(lambda: all(c.messages for c in clients), timeout=1.0)
        assert answer.released

    asyncio.run(main())
