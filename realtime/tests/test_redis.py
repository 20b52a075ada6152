"""Two server processes sharing events through Redis pub/sub."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from realtime.tests.conftest import SSEClient, free_port

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def redis_url() -> str:
    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}; CI must run it")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


class Process:
    def __init__(self, env: dict[str, str], lifespan: str) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "uvicorn",
                "realtime.tests.serverapp:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--lifespan",
                lifespan,
                "--log-level",
                "warning",
                "--timeout-graceful-shutdown",
                "1",
            ],
            cwd=ROOT,
            env=env,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the server process exited"
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/stats", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.05)
        raise AssertionError("the server process did not start")

    def publish(self, channel: str, event_id: int, event: str, data: str) -> None:
        response = httpx.post(
            f"http://127.0.0.1:{self.port}/publish",
            params={"channel": channel, "id": event_id, "event": event, "data": data},
            timeout=5,
        )
        assert response.content == b"ok"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def two_processes(redis_url):
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "LEREND_CACHE_PREFIX": f"rt-test-{uuid.uuid4().hex}",
        "PYTHONPATH": str(ROOT),
    }
    # `lerend serve` runs without lifespan: then the first subscription starts the subscriber.
    processes = [Process(env, "on"), Process(env, "off")]
    try:
        for process in processes:
            process.wait_ready()
        yield processes
    finally:
        for process in processes:
            process.stop()


def _drain(client: SSEClient) -> None:
    while True:
        try:
            assert client.next_event(timeout=0.3).event == "probe"
        except TimeoutError:
            return


def _until_live(clients: list[SSEClient], publisher: Process, channel: str) -> int:
    """Publish probes until every client saw one, so all are live. The last probe id."""
    waiting = set(range(len(clients)))
    deadline = time.monotonic() + 10
    probe = 0
    while waiting:
        assert time.monotonic() < deadline, "the clients never went live"
        probe += 1
        publisher.publish(channel, probe, "probe", "{}")
        for index in list(waiting):
            try:
                assert clients[index].next_event(timeout=0.2).event == "probe"
                waiting.discard(index)
            except TimeoutError:
                pass
    for client in clients:
        _drain(client)
    return probe


def test_an_event_published_in_one_process_reaches_clients_of_both(two_processes):
    a, b = two_processes
    on_a = SSEClient(a.port, "/api/v1/sessions/ABC234/events?token=ann")
    on_b = SSEClient(b.port, "/api/v1/sessions/ABC234/events")
    elsewhere = SSEClient(a.port, "/api/v1/sessions/XYZ789/events")
    for client in (on_a, on_b, elsewhere):
        assert client.read_head() == 200
    base = _until_live([on_a, on_b], b, "session:ABC234")

    b.publish("session:ABC234", base + 1, "step", '{"from": "b"}')
    a.publish("session:ABC234", base + 2, "step", '{"from": "a"}')
    b.publish("session:ABC234:p:ann", base + 3, "group", '{"group": 2}')
    got_a = [(m.id, m.data) for m in (on_a.next_event() for _ in range(3))]
    got_b = [(m.id, m.data) for m in (on_b.next_event() for _ in range(2))]
    assert got_a == [
        (base + 1, '{"from": "b"}'),
        (base + 2, '{"from": "a"}'),
        (base + 3, '{"group": 2}'),
    ]
    assert got_b == [(base + 1, '{"from": "b"}'), (base + 2, '{"from": "a"}')]
    # Exactly once: nothing else arrives, and the other session heard nothing.
    for client in (on_a, on_b, elsewhere):
        with pytest.raises(TimeoutError):
            client.next_event(timeout=0.5)
        client.close()
