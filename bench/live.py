"""Live fan-out: N participants on Server-Sent Events, a facilitator triggers 20 events.

Starts lerend as a user would (`lerend serve --no-worker`, one process, default SQLite in a
temporary LEREND_DATA_DIR), creates a facilitator with a personal API token, starts a
session through the API and joins N participants (POST /api/v1/join). A separate client
process (raw asyncio sockets, one small protocol object per connection) opens N event
streams, then the facilitator triggers 20 events (POST /sessions/{code}/next and /back, in
turn). Per N it reports the connections held, p50 and p99 delivery latency (from the moment
the trigger request is sent to the moment each connection receives the event; one clock,
CLOCK_MONOTONIC, on one machine), the server's memory per connection (VmRSS before and
after connecting) and errors. The same fan-out then runs against bench/bare_sse.py, the
lower bound, and the ratio of the p99s is printed.

    .venv/bin/python bench/live.py                      # N = 500, 2000, 5000
    .venv/bin/python bench/live.py --sizes 500 --events 5
    .venv/bin/python bench/live.py --provider fake      # without the workshops app
    .venv/bin/python bench/live.py --sizes 10000 --cold # streams after a server restart

By default the participants join the measured server just before they open their streams,
as in a room; with --cold they joined before it started, so every grant reads the database.

`--provider fake` serves the same SSE endpoint and hub with a bench-only provider (no
database, no authorisation) and triggers through hub.publish from a worker thread, as
on_commit does; it isolates the transport from the workshops app.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The interpreter running this script and its `lerend` command; the code is ROOT's (so a
# copy of the tree, e.g. `git archive HEAD`, can be measured while the work tree changes).
PYTHON = Path(sys.executable)
LEREND = PYTHON.parent / "lerend"
FORMAT = "stimuleren-van-levenslang-leren"
PASSWORD = "bench-password-not-secret-123"
TARGETS = {"p99_ms": 200, "ratio": 1.5, "kib_per_connection": 30, "connections": 5000}


# --- small HTTP over asyncio ------------------------------------------------------------------


async def http(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: Any = None
) -> tuple[int, bytes]:
    data = b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines += [f"Content-Length: {len(data)}"]
    if body is not None:
        lines.append("Content-Type: application/json")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + data)
    # An answer is complete at its Content-Length, as a browser (keep-alive) reads it, not
    # when the server closes the connection after its own clean-up.
    head = (await reader.readuntil(b"\r\n\r\n"))[:-4]
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        ),
        None,
    )
    rest = await (reader.read() if length is None else reader.readexactly(length))
    writer.close()
    status = int(head.split(b" ", 2)[1])
    if b"transfer-encoding: chunked" in head.lower():
        body_bytes = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            body_bytes, rest = body_bytes + rest[:size], rest[size + 2 :]
        rest = body_bytes
    return status, rest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- servers ------------------------------------------------------------------------------------


class Server:
    def __init__(self, argv: list[str], env: dict[str, str], port: int) -> None:
        self.port = port
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
        self.proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_fd_limit,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {self.output()}") from None
                time.sleep(0.1)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def lerend_env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        LEREND_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="lerend.settings", PYTHONPATH=str(ROOT)
    )
    return env


def start_lerend(env: dict[str, str]) -> Server:
    port = free_port()
    return Server([str(LEREND), "serve", "--no-worker", "--port", str(port)], env, port)


def start_bare() -> Server:
    port = free_port()
    return Server(
        [str(PYTHON), str(ROOT / "bench" / "bare_sse.py"), "--port", str(port)],
        {**os.environ, "PYTHONPATH": str(ROOT)},
        port,
    )


def start_fake(env: dict[str, str]) -> Server:
    port = free_port()
    return Server([str(PYTHON), __file__, "fake-server", "--port", str(port)], env, port)


def prepare_lerend(env: dict[str, str], participants: int) -> dict[str, Any]:
    """A facilitator, a token, a session and `participants` joined participants."""
    run = lambda *args: subprocess.run(  # noqa: E731
        [str(LEREND), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    run("migrate", "-v0")
    pw = Path(env["LEREND_DATA_DIR"]) / "password"
    pw.write_text(PASSWORD)
    run(
        "createuser",
        "admin@bench.test",
        "--org",
        "bench",
        "--role",
        "admin",
        "--create-org",
        "Bench",
        "--password-file",
        str(pw),
    )
    run(
        "createuser",
        "fien@bench.test",
        "--org",
        "bench",
        "--role",
        "facilitator",
        "--password-file",
        str(pw),
    )
    token = run("token", "create", "fien@bench.test", "--label", "bench").stdout.strip()
    server = start_lerend(env)
    try:
        return asyncio.run(_prepare_session(server.port, token, participants))
    finally:
        server.stop()


async def _prepare_session(port: int, token: str, participants: int) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {token}"}
    status, body = await http(port, "POST", "/api/v1/sessions", auth, {"format": FORMAT})
    if status != 201:
        raise RuntimeError(f"could not start a session: {status} {body[:300]!r}")
    code = json.loads(body)["code"]
    tokens: list[str] = []
    semaphore = asyncio.Semaphore(8)
    started = time.monotonic()

    async def join() -> None:
        async with semaphore:
            status, body = await http(
                port, "POST", "/api/v1/join", None, {"code": code, "name": ""}
            )
            if status != 201:
                raise RuntimeError(f"join failed: {status} {body[:300]!r}")
            tokens.append(json.loads(body)["token"])

    await asyncio.gather(*(join() for _ in range(participants)))
    print(f"# joined {participants} participants in {time.monotonic() - started:.1f} s", flush=True)
    return {"code": code, "token": token, "tokens": tokens}


# --- the client process -----------------------------------------------------------------------


class Shared:
    def __init__(self) -> None:
        self.got = 0
        self.target = 0
        self.all_got = asyncio.Event()

    def hit(self) -> None:
        self.got += 1
        if self.got >= self.target:
            self.all_got.set()


class Conn(asyncio.Protocol):
    __slots__ = (
        "events",
        "first",
        "head",
        "lost",
        "ready",
        "request",
        "shared",
        "status",
        "transport",
    )

    def __init__(self, request: bytes, shared: Shared, ready: asyncio.Future) -> None:
        self.request = request
        self.shared = shared
        self.ready = ready
        self.head = b""
        self.status = 0
        self.first: float | None = None
        self.events = 0
        self.lost = False

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        if not self.status:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, _, data = self.head.partition(b"\r\n\r\n")
            self.head = b""
            self.status = int(head.split(b" ", 2)[1])
            if self.status != 200 and not self.ready.done():
                self.ready.set_exception(RuntimeError(f"status {self.status}"))
        if not self.ready.done() and b"retry:" in data:
            self.ready.set_result(None)
        count = data.count(b"id: ")
        if count:
            self.events += count
            if self.first is None:
                self.first = now
                self.shared.hit()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if not self.ready.done():
            self.ready.set_exception(RuntimeError("connection lost"))


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def client(cfg: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    port, pid, n = cfg["port"], cfg["pid"], cfg["n"]
    shared = Shared()
    errors = {"connect": 0, "missed": 0, "lost": 0, "trigger": 0}
    triggers = cfg["triggers"]
    trigger_headers = cfg.get("trigger_headers", {})
    trigger_ms: list[float] = []

    async def trigger(k: int) -> None:
        started = time.monotonic()
        status, _body = await http(port, "POST", triggers[k % len(triggers)], trigger_headers)
        trigger_ms.append((time.monotonic() - started) * 1000)
        if status != 200:
            errors["trigger"] += 1

    after = 0
    if cfg.get("state_path"):
        _status, body = await http(port, "GET", cfg["state_path"], trigger_headers)
        after = json.loads(body)["seq"]
    paths = [p.replace("{after}", str(after)) for p in cfg["paths"][:n]]

    # Warm the server up (imports, first database connection) before measuring memory.
    warm = Conn(_request(port, paths[0]), Shared(), loop.create_future())
    await loop.create_connection(lambda: warm, "127.0.0.1", port)
    await asyncio.wait_for(warm.ready, 30)
    await trigger(0)
    await asyncio.sleep(0.5)
    warm.transport.close()
    await asyncio.sleep(0.5)
    rss_before = rss_kib(pid)

    conns: list[Conn] = []
    semaphore = asyncio.Semaphore(200)
    started = time.monotonic()

    async def connect(path: str) -> None:
        async with semaphore:
            conn = Conn(_request(port, path), shared, loop.create_future())
            try:
                await loop.create_connection(lambda: conn, "127.0.0.1", port)
                await asyncio.wait_for(conn.ready, 60)
            except Exception:
                errors["connect"] += 1
                return
            conns.append(conn)

    await asyncio.gather(*(connect(p) for p in paths))
    connect_s = time.monotonic() - started

    spread: list[float] = []  # after the first connection got it: the fan-out alone
    per_event: list[list[float]] = []

    async def round_trip(k: int, timeout: float) -> list[float]:
        for conn in conns:
            conn.first = None
        shared.got, shared.target = 0, len(conns)
        shared.all_got.clear()
        t0 = time.monotonic()
        await trigger(k)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(shared.all_got.wait(), timeout)
        arrived = [conn.first for conn in conns if conn.first is not None]
        first = min(arrived, default=t0)
        spread.extend(t - first for t in arrived)
        # Per event: the trigger request, the first and the last receipt (ms after sending).
        per_event.append(
            [
                round(trigger_ms[-1], 1),
                round((first - t0) * 1000, 1),
                round((max(arrived, default=t0) - t0) * 1000, 1),
            ]
        )
        return [t - t0 for t in arrived]

    # One unmeasured event: every stream is past its replay and live.
    await round_trip(1, 15)
    await asyncio.sleep(0.5)
    rss_after = rss_kib(pid)

    latencies: list[float] = []
    spread.clear()
    per_event.clear()
    # The trigger's figures are of the measured events too; the two before (one stream,
    # then the first to all of them, some still in their replay) are printed apart.
    warm_trigger_ms = [round(ms, 1) for ms in trigger_ms]
    trigger_ms.clear()
    for k in range(cfg["events"]):
        got = await round_trip(k + 2, 10)
        errors["missed"] += len(conns) - len(got)
        latencies.extend(got)
        await asyncio.sleep(0.25)
    held = sum(1 for conn in conns if not conn.lost and conn.status == 200)
    errors["lost"] = len(conns) - held
    for conn in conns:
        conn.transport.close()
    ms = [x * 1000 for x in latencies]
    fan = [x * 1000 for x in spread]
    return {
        "n": n,
        "held": held,
        "connect_s": round(connect_s, 2),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1) if ms else None,
        "fanout_p50_ms": round(percentile(fan, 0.50), 1),
        "fanout_p99_ms": round(percentile(fan, 0.99), 1),
        "trigger_p50_ms": round(percentile(trigger_ms, 0.5), 1),
        "trigger_p99_ms": round(percentile(trigger_ms, 0.99), 1),
        "warm_trigger_ms": warm_trigger_ms,
        "rss_before_kib": rss_before,
        "rss_after_kib": rss_after,
        "kib_per_connection": round((rss_after - rss_before) / max(1, len(conns)), 2),
        "errors": errors,
        "per_event_ms": per_event,
    }


def _request(port: int, path: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()


def run_client(cfg: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(cfg, handle)
    try:
        out = subprocess.run(
            [str(PYTHON), __file__, "client", handle.name],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            preexec_fn=raise_fd_limit,
        )
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"client failed: {exc.stderr[-3000:]}") from None
    finally:
        os.unlink(handle.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the bench-only provider (--provider fake) ------------------------------------------------


class BenchProvider:
    """Anyone may listen to session BENCH; there is nothing to replay."""

    class Grant:
        def __init__(self, channels: list[str]) -> None:
            self.channels = channels

    @staticmethod
    def open_stream(code, headers, cookies, query):
        return BenchProvider.Grant([f"session:{code}"]) if code == "BENCH" else None

    @staticmethod
    def replay(code, channels, after_id):
        return []


def fake_server(port: int) -> None:
    import django
    import uvicorn

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings")
    django.setup()
    from asgiref.sync import sync_to_async

    from realtime import hub
    from realtime.asgi import make_application

    counter = {"id": 0}

    async def publish(scope, receive, send):
        if scope["type"] != "http":
            return
        counter["id"] += 1
        data = json.dumps({"step": counter["id"], "sent": time.time()})
        await sync_to_async(hub.publish, thread_sensitive=False)(
            "session:BENCH", counter["id"], "step", data
        )
        body = b'{"ok": true}'
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"12")]}
        )
        await send({"type": "http.response.body", "body": body})

    uvicorn.run(
        make_application(publish, provider=BenchProvider),
        host="127.0.0.1",
        port=port,
        lifespan="off",
        log_level="warning",
    )


# --- orchestration ----------------------------------------------------------------------------


async def _join_here(port: int, code: str, participants: int) -> list[str]:
    """Join `participants` through the measured server itself, as a room does just before
    its phones open their streams (the server then knows them: no query for the grant)."""
    tokens: list[str] = []
    semaphore = asyncio.Semaphore(50)

    async def join() -> None:
        async with semaphore:
            status, body = await http(port, "POST", "/api/v1/join", None, {"code": code})
            if status != 201:
                raise RuntimeError(f"join failed: {status} {body[:300]!r}")
            tokens.append(json.loads(body)["token"])

    await asyncio.gather(*(join() for _ in range(participants)))
    return tokens


def measure(
    target: str,
    n: int,
    events: int,
    env: dict[str, str],
    setup: dict[str, Any] | None,
    warm: bool = False,
) -> dict[str, Any]:
    if target == "bare":
        server = start_bare()
        cfg = {"paths": ["/events"] * n, "triggers": ["/publish"]}
    elif setup is None:
        server = start_fake(env)
        cfg = {"paths": ["/api/v1/sessions/BENCH/events"] * n, "triggers": ["/publish"]}
    else:
        server = start_lerend(env)
        code = setup["code"]
        tokens = setup["tokens"]
        if warm:
            tokens = asyncio.run(_join_here(server.port, code, n))
        cfg = {
            "paths": [
                f"/api/v1/sessions/{code}/events?token={t}&last_event_id={{after}}" for t in tokens
            ],
            "triggers": [f"/api/v1/sessions/{code}/next", f"/api/v1/sessions/{code}/back"],
            "trigger_headers": {"Authorization": f"Bearer {setup['token']}"},
            "state_path": f"/api/v1/sessions/{code}/state",
        }
    try:
        cfg.update(port=server.port, pid=server.pid, n=n, events=events)
        result = run_client(cfg)
    finally:
        server.stop()
    result["target"] = target
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Live fan-out benchmark (SSE).")
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--provider", choices=["workshops", "fake"], default="workshops")
    parser.add_argument("--no-bare", action="store_true", help="Skip the bare broadcaster.")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="Streams of participants who joined before the server (re)started, as after a "
        "restart: each grant reads the participant. Default: they join the measured server "
        "first, as a room does.",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    fds = raise_fd_limit()
    if fds < max(sizes) * 2 + 100:
        print(f"# warning: the file descriptor limit is {fds}", flush=True)

    load_start = os.getloadavg()
    print(
        f"# load average at the start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}"
    )
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="lerend-bench-") as data_dir:
        env = lerend_env(data_dir)
        joined_before = max(sizes) if args.cold else 1
        setup = prepare_lerend(env, joined_before) if args.provider == "workshops" else None
        for n in sizes:
            for target in ("lerend", "bare") if not args.no_bare else ("lerend",):
                result = measure(target, n, args.events, env, setup, warm=not args.cold)
                rows.append(result)
                print(f"# {target} n={n}: {json.dumps(result)}", flush=True)

    print()
    columns = [
        ("target", "target", 8),
        ("N", "n", 6),
        ("held", "held", 6),
        ("p50 ms", "p50_ms", 8),
        ("p99 ms", "p99_ms", 8),
        ("max ms", "max_ms", 8),
        ("fan p50", "fanout_p50_ms", 8),
        ("fan p99", "fanout_p99_ms", 8),
        ("trig p50", "trigger_p50_ms", 8),
        ("trig p99", "trigger_p99_ms", 8),
        ("KiB/conn", "kib_per_connection", 9),
        ("connect s", "connect_s", 9),
        ("errors", "errors", 7),
    ]
    print(" ".join(f"{title:>{width}}" for title, _key, width in columns))
    for r in rows:
        cells = {**r, "errors": sum(r["errors"].values())}
        print(" ".join(f"{cells[key]!s:>{width}}" for _title, key, width in columns))
    print(
        "# p50/p99/max: from sending the trigger to each connection's receipt; fan p50/p99: "
        "from the first connection's receipt (the fan-out alone); trig p50/p99: the trigger "
        "request's own, over the measured events (warm_trigger_ms: the two before them)."
    )
    load = os.getloadavg()
    print(f"# load average at the end (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    summary: dict[str, Any] = {
        "load_start": [round(x, 2) for x in load_start],
        "load_end": [round(x, 2) for x in load],
        "cpus": os.cpu_count(),
        "bench": "live_sse",
        "provider": args.provider,
        "streams": "cold" if args.cold else "joined here",
        "events": args.events,
        "targets": TARGETS,
        "results": [],
    }
    for n in sizes:
        ours = next(r for r in rows if r["n"] == n and r["target"] == "lerend")
        bare = next((r for r in rows if r["n"] == n and r["target"] == "bare"), None)
        entry = {
            "n": n,
            "held": ours["held"],
            "p50_ms": ours["p50_ms"],
            "p99_ms": ours["p99_ms"],
            "kib_per_connection": ours["kib_per_connection"],
            "errors": ours["errors"],
            "trigger_p50_ms": ours["trigger_p50_ms"],
            "trigger_p99_ms": ours["trigger_p99_ms"],
            "fanout_p50_ms": ours["fanout_p50_ms"],
            "fanout_p99_ms": ours["fanout_p99_ms"],
            "connect_s": ours["connect_s"],
        }
        if bare is not None:
            entry["bare_p50_ms"] = bare["p50_ms"]
            entry["bare_fanout_p99_ms"] = bare["fanout_p99_ms"]
            entry["ratio_fanout_p99"] = (
                round(ours["fanout_p99_ms"] / bare["fanout_p99_ms"], 2)
                if bare["fanout_p99_ms"]
                else None
            )
            entry["bare_p99_ms"] = bare["p99_ms"]
            entry["bare_kib_per_connection"] = bare["kib_per_connection"]
            entry["ratio_p99"] = (
                round(ours["p99_ms"] / bare["p99_ms"], 2) if bare["p99_ms"] else None
            )
            entry["ratio_p50"] = (
                round(ours["p50_ms"] / bare["p50_ms"], 2) if bare["p50_ms"] else None
            )
            print(
                f"# N={n}: lerend/bare p99 ratio {entry['ratio_p99']}, "
                f"p50 ratio {entry['ratio_p50']}, fan-out p99 ratio {entry['ratio_fanout_p99']}"
            )
        summary["results"].append(entry)
    print(json.dumps(summary))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "client":
        raise_fd_limit()
        config = json.loads(Path(sys.argv[2]).read_text())
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        print(json.dumps(asyncio.run(client(config))))
    elif len(sys.argv) > 1 and sys.argv[1] == "fake-server":
        fake_server(int(sys.argv[sys.argv.index("--port") + 1]))
    else:
        main()
