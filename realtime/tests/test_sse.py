"""The SSE endpoint on a real uvicorn server: fan-out, isolation, replay, slow clients."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from realtime import hub as hub_module
from realtime.hub import Hub
from realtime.tests import fakeprovider
from realtime.tests.conftest import ThreadedServer, open_live

PATH = "/api/v1/sessions/ABC234/events"


def test_stream_headers_and_retry(server):
    client = server.client(PATH)
    assert client.read_head() == 200
    assert client.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert client.headers["cache-control"] == "no-cache"
    assert client.headers["x-accel-buffering"] == "no"
    assert client.next().retry == 2000
    client.close()


def test_fan_out_encodes_each_event_once(server, monkeypatch):
    built = []

    class CountingFrame(hub_module.Frame):
        __slots__ = ()

        def __init__(self, sse):
            built.append(sse)
            super().__init__(sse)

    monkeypatch.setattr(hub_module, "Frame", CountingFrame)
    clients = open_live(server, PATH, count=60)
    # httptools: chunks written straight to the transport; h11: through the ASGI send.
    assert {conn._raw for conn in server.hub._connections} == {server.http == "httptools"}
    for n in (1, 2, 3):
        server.hub.publish("session:ABC234", n, "step", json.dumps({"n": n}))
    for client in clients:
        got = [client.next_event() for _ in range(3)]
        assert [(m.id, m.event, json.loads(m.data)) for m in got] == [
            (1, "step", {"n": 1}),
            (2, "step", {"n": 2}),
            (3, "step", {"n": 3}),
        ]
        client.close()
    assert built == [
        b'id: 1\nevent: step\ndata: {"n": 1}\n\n',
        b'id: 2\nevent: step\ndata: {"n": 2}\n\n',
        b'id: 3\nevent: step\ndata: {"n": 3}\n\n',
    ]
    assert server.hub.stats["delivered"] == 180


def test_channels_are_isolated(server):
    (ann,) = open_live(server, PATH + "?token=ann")
    (bob,) = open_live(server, PATH, {"Authorization": "Bearer bob"})
    (other,) = open_live(server, "/api/v1/sessions/XYZ789/events", {"Cookie": "lp_XYZ789=cy"})
    server.hub.publish("session:ABC234:p:ann", 1, "group", '{"group": 1}')
    server.hub.publish("session:ABC234:p:bob", 2, "group", '{"group": 2}')
    server.hub.publish("session:XYZ789", 1, "step", '{"other": true}')
    server.hub.publish("session:ABC234", 3, "step", '{"all": true}')
    assert [(m.id, m.data) for m in (ann.next_event(), ann.next_event())] == [
        (1, '{"group": 1}'),
        (3, '{"all": true}'),
    ]
    assert [(m.id, m.data) for m in (bob.next_event(), bob.next_event())] == [
        (2, '{"group": 2}'),
        (3, '{"all": true}'),
    ]
    assert other.next_event().data == '{"other": true}'
    with pytest.raises(TimeoutError):
        other.next_event(timeout=0.3)
    for client in (ann, bob, other):
        client.close()


def test_refused_stream_is_a_json_404(server):
    for path, headers in [
        ("/api/v1/sessions/NOPE/events", {}),
        (PATH + "?token=bad", {}),
    ]:
        client = server.client(path, headers)
        assert client.read_head() == 404
        assert client.headers["content-type"] == "application/json"
        assert client.json() == {"detail": "Not found.", "code": "not_found"}
        client.close()
    assert server.hub.connection_count == 0


def test_bad_last_event_id_is_a_400_and_subscribes_nothing(server):
    client = server.client(PATH, {"Last-Event-ID": "seven"})
    assert client.read_head() == 400
    assert client.json()["code"] == "invalid_last_event_id"
    assert fakeprovider.CALLS == []
    assert server.hub.connection_count == 0


def test_other_paths_and_methods_go_to_the_wrapped_app(server):
    for request in (
        b"GET /api/v1/sessions/ABC234/state HTTP/1.1\r\nHost: x\r\n\r\n",
        b"POST /api/v1/sessions/ABC234/events HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    ):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(request)
            assert b"\r\ninner\r\n" in sock.recv(4096)
    assert fakeprovider.CALLS == []


def test_replay_from_last_event_id_then_live_without_gaps_or_repeats(server):
    for n in (1, 2, 3):
        fakeprovider.store("ABC234", n, "session:ABC234", "step", f'{{"n": {n}}}')
    fakeprovider.store("ABC234", 4, "session:ABC234:p:zed", "group", "{}")  # not ours

    def during_replay():
        # Committed before the replay query: replayed, and its live copy must be dropped.
        server.hub.publish("session:ABC234", 3, "step", '{"n": 3}')
        # Committed after the query: only the live copy exists, it must follow the replay.
        server.hub.publish("session:ABC234", 5, "step", '{"n": 5}')
        time.sleep(0.2)  # both reach the connection while the replay is still running

    fakeprovider.REPLAY_HOOK["ABC234"] = during_replay
    (client,) = open_live(server, PATH, {"Last-Event-ID": "1"})
    server.hub.publish("session:ABC234", 6, "step", '{"n": 6}')
    server.hub.publish("session:ABC234", 2, "step", '{"n": 2}')  # a late duplicate
    server.hub.publish("session:ABC234", 7, "step", '{"n": 7}')
    assert [client.next_event().id for _ in range(5)] == [2, 3, 5, 6, 7]
    with pytest.raises(TimeoutError):
        client.next_event(timeout=0.3)
    client.close()
    server.wait_for(lambda: server.hub.connection_count == 0)

    # Reconnecting with the last id seen replays only what came after it.
    fakeprovider.REPLAY_HOOK.clear()
    fakeprovider.store("ABC234", 8, "session:ABC234", "step", '{"n": 8}')
    (again,) = open_live(server, PATH + "?last_event_id=6")
    assert [(m.id, m.data) for m in (again.next_event(),)] == [(8, '{"n": 8}')]
    again.close()


def test_multiline_data_is_sent_as_several_data_lines(server):
    (client,) = open_live(server, PATH)
    server.hub.publish("session:ABC234", 1, "note", '{\n  "text": "a"\n}')
    message = client.next_event()
    assert message.data == '{\n  "text": "a"\n}'
    client.close()


def test_publish_from_other_threads(server):
    clients = open_live(server, PATH, count=5)
    threads = [
        threading.Thread(
            target=lambda base=base: [
                server.hub.publish("session:ABC234", base + i, "tick", "{}") for i in range(20)
            ]
        )
        for base in (0, 100, 200, 300)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = {base + i for base in (0, 100, 200, 300) for i in range(20)} - {0}
    for client in clients:
        assert {client.next_event().id for _ in range(len(expected))} == expected
        client.close()


def test_disconnect_unsubscribes(server):
    clients = open_live(server, PATH, count=3)
    assert server.hub.connection_count == 3
    clients[0].close()
    server.wait_for(lambda: server.hub.connection_count == 2)
    assert set(server.hub._channels) == {"session:ABC234"}
    for client in clients[1:]:
        client.close()
    server.wait_for(lambda: server.hub.connection_count == 0)
    assert server.hub._channels == {}


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_heartbeat(http):
    hub = Hub(redis_url=None, heartbeat=0.1)
    with ThreadedServer(hub, http=http) as running:
        (client,) = open_live(running, PATH)
        assert client.next(timeout=2).comment == "ping"
        assert client.next(timeout=2).comment == "ping"
        client.close()


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_slow_client_is_disconnected_while_others_keep_up(http):
    hub = Hub(redis_url=None, heartbeat=3600, buffer_limit=32 * 1024)
    with ThreadedServer(hub, http=http) as running:
        (slow,) = open_live(running, PATH, rcvbuf=4096)  # never reads again
        fast = open_live(running, PATH, count=3)
        received = {id(c): [] for c in fast}

        def read(client):
            try:
                while True:
                    received[id(client)].append(client.next_event(timeout=10).id)
            except (EOFError, TimeoutError, OSError):
                pass

        readers = [threading.Thread(target=read, args=(c,), daemon=True) for c in fast]
        for reader in readers:
            reader.start()
        payload = json.dumps({"text": "x" * 16000})
        sent = 0
        while hub.stats["dropped"] == 0 and sent < 3000:
            sent += 1
            hub.publish("session:ABC234", sent, "note", payload)
            time.sleep(0.002)
        assert hub.stats["dropped"] == 1
        running.wait_for(lambda: hub.connection_count == 3)
        # The others still get every event, the last one promptly.
        sent += 1
        hub.publish("session:ABC234", sent, "note", '{"last": true}')
        running.wait_for(lambda: all(received[id(c)][-1:] == [sent] for c in fast), 5)
        for client in fast:
            assert received[id(client)] == list(range(1, sent + 1))
        # The slow client's connection is gone: after what its buffers held, it ends.
        with pytest.raises((EOFError, OSError)):
            while True:
                slow.next(timeout=5)
        for client in (slow, *fast):
            client.close()
