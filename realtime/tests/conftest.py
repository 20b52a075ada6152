"""A real uvicorn server in a thread, and a small raw-socket SSE client."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from realtime.asgi import make_application
from realtime.hub import Hub
from realtime.tests import fakeprovider


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Message:
    id: int | None = None
    event: str | None = None
    data: str | None = None
    comment: str | None = None
    retry: int | None = None


class SSEClient:
    """HTTP/1.1 over a plain socket; parses the chunked body into SSE messages."""

    def __init__(self, port: int, path: str, headers: dict[str, str] | None = None, *, rcvbuf=0):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(10)
        self.sock.connect(("127.0.0.1", port))
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        self.text = ""
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.body = b""

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        self.buffer += data

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_head(self) -> int:
        self.status = int(self._line().split()[1])
        while line := self._line():
            name, _, value = line.decode().partition(":")
            self.headers[name.strip().lower()] = value.strip()
        if "content-length" in self.headers:
            self.body = self._exactly(int(self.headers["content-length"]))
        return self.status

    def json(self):
        return json.loads(self.body)

    def _chunk(self) -> None:
        size = int(self._line(), 16)
        if size == 0:
            raise EOFError("stream ended")
        self.text += self._exactly(size).decode()
        self._exactly(2)

    def next(self, timeout: float = 5.0) -> Message:
        """The next SSE message (an event, a comment or a retry line)."""
        if self.status is None:
            self.read_head()
        self.sock.settimeout(timeout)
        while "\n\n" not in self.text:
            self._chunk()
        block, self.text = self.text.split("\n\n", 1)
        message = Message()
        data = []
        for line in block.split("\n"):
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "":
                message.comment = value
            elif field == "id":
                message.id = int(value)
            elif field == "event":
                message.event = value
            elif field == "data":
                data.append(value)
            elif field == "retry":
                message.retry = int(value)
        if data:
            message.data = "\n".join(data)
        return message

    def next_event(self, timeout: float = 5.0) -> Message:
        """The next message with an id, skipping comments and retry lines."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.01, deadline - time.monotonic()))
            if message.id is not None:
                return message

    def close(self) -> None:
        self.sock.close()


async def inner_app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"inner"})


class ThreadedServer:
    def __init__(self, hub: Hub, http: str = "httptools") -> None:
        self.hub = hub
        self.http = http
        self.port = free_port()
        app = make_application(inner_app, provider=fakeprovider, hub=hub)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            http=http,
            lifespan="on",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def client(self, path: str, headers=None, **kwargs) -> SSEClient:
        return SSEClient(self.port, path, headers, **kwargs)

    def wait_for(self, predicate, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not reached")
            time.sleep(0.01)


@pytest.fixture(autouse=True)
def _fresh_provider() -> Iterator[None]:
    fakeprovider.reset()
    yield
    fakeprovider.reset()


@pytest.fixture(params=["httptools", "h11"])
def server(request) -> Iterator[ThreadedServer]:
    """A server per HTTP implementation: direct chunk writes (httptools), ASGI send (h11)."""
    hub = Hub(redis_url=None, heartbeat=3600)
    with ThreadedServer(hub, http=request.param) as running:
        yield running


def open_live(server: ThreadedServer, path: str, headers=None, count: int = 1, **kwargs):
    """Clients that are subscribed and past their replay (live), after their retry line."""
    before = _live(server.hub)
    clients = []
    for _ in range(count):
        client = server.client(path, headers, **kwargs)
        assert client.read_head() == 200
        assert client.next().retry == 2000
        clients.append(client)
    server.wait_for(lambda: _live(server.hub) >= before + count)
    return clients


def _live(hub: Hub) -> int:
    return sum(1 for conn in list(hub._connections) if conn.pending is None)
