"""N participants post one note each, all at once, on the default SQLite set-up.

Starts lerend as a user would (`lerend serve --no-worker`, one process, SQLite in a fresh
LEREND_DATA_DIR, a random port), makes a facilitator with an API token, starts a session of
the mini-vorming, moves it to its board step, joins N participants through the API and then
fires one note per participant at the same moment (asyncio + httpx, at most --concurrency
requests in flight). Then it sends every note again with the same client key, which must
store nothing. It prints notes per second, p50/p99 request latency, the stored count (must
equal N) and one JSON line.

    .venv/bin/python bench/notes.py --participants 1000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
LEREND = ROOT / ".venv" / "bin" / "lerend"
FORMAT = "stimuleren-van-levenslang-leren"
PASSWORD = "bench password that is long enough"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(LEREND), *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def prepare(env: dict[str, str]) -> str:
    run(env, "migrate", "-v0")
    password = Path(env["LEREND_DATA_DIR"]) / "password"
    password.write_text(PASSWORD)
    run(
        env,
        "createuser",
        "admin@bench.test",
        "--org",
        "bench",
        "--role",
        "admin",
        "--create-org",
        "Bench",
        "--password-file",
        str(password),
    )
    run(
        env,
        "createuser",
        "fien@bench.test",
        "--org",
        "bench",
        "--role",
        "facilitator",
        "--password-file",
        str(password),
    )
    return run(env, "token", "create", "fien@bench.test", "--label", "bench")


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [str(LEREND), "serve", "--no-worker", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start") from None
            time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def bench(port: int, token: str, n: int, concurrency: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        response = await client.post(
            "/api/v1/sessions", json={"format": FORMAT, "organisation": "bench"}, headers=auth
        )
        response.raise_for_status()
        code = response.json()["code"]
        for _i in range(3):  # Afspraken, the statement poll, the board
            (await client.post(f"/api/v1/sessions/{code}/next", headers=auth)).raise_for_status()
        state = (await client.get(f"/api/v1/sessions/{code}/state", headers=auth)).json()
        step = state["step"]
        assert step["kind"] == "board", step

        started = time.monotonic()
        gate = asyncio.Semaphore(min(concurrency, 20))

        async def join() -> str:
            async with gate:
                r = await client.post("/api/v1/join", json={"code": code})
                r.raise_for_status()
                return r.json()["token"]

        tokens = await asyncio.gather(*(join() for _ in range(n)))
        join_seconds = time.monotonic() - started
        print(f"# joined {n} participants in {join_seconds:.1f} s", flush=True)

        keys = [str(uuid.uuid4()) for _ in range(n)]
        errors: list[str] = []

        retries = [0]
        # A fresh pool for the burst: no connection left idle past the keep-alive timeout.
        burst = httpx.AsyncClient(base_url=base, limits=limits, timeout=120)

        async def note(index: int) -> float:
            t0 = time.monotonic()
            body = {
                "step": step["id"],
                "question": index % len(step["questions"]),
                "text": f"Notitie {index}",
                "key": keys[index],
            }
            headers = {"Authorization": f"Bearer {tokens[index]}"}
            for attempt in range(3):
                try:
                    r = await burst.post(
                        f"/api/v1/sessions/{code}/notes", json=body, headers=headers
                    )
                    break
                except httpx.TransportError as error:
                    # what the participant page's outbox does: send it again, same key
                    retries[0] += 1
                    if attempt == 2:
                        errors.append(f"transport {error!r}")
                        return time.monotonic() - t0
            if r.status_code not in (200, 201):
                errors.append(f"{r.status_code} {r.text[-160:]}")
            return time.monotonic() - t0

        t0 = time.monotonic()
        latencies = await asyncio.gather(*(note(i) for i in range(n)))
        wall = time.monotonic() - t0
        first_errors = list(errors)
        errors.clear()
        t1 = time.monotonic()
        replay_latencies = await asyncio.gather(*(note(i) for i in range(n)))
        replay_wall = time.monotonic() - t1

        await burst.aclose()
        summary = (await client.get(f"/api/v1/sessions/{code}/summary", headers=auth)).json()
        if "steps" not in summary:
            raise RuntimeError(f"summary failed: {summary}")
        board = next(s for s in summary["steps"] if s["kind"] == "board")
        stored = sum(len(q["notes"]) for q in board.get("questions", []))
    return {
        "participants": n,
        "concurrency": concurrency,
        "join_seconds": round(join_seconds, 2),
        "notes_per_second": round(n / wall, 1),
        "wall_seconds": round(wall, 2),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "errors": len(first_errors),
        "transport_retries": retries[0],
        "error_sample": first_errors[:3],
        "replay_p99_ms": round(percentile(replay_latencies, 0.99) * 1000, 1),
        "replay_seconds": round(replay_wall, 2),
        "replay_errors": len(errors),
        "stored": stored,
        "stored_equals_n": stored == n,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument(
        "--concurrency", type=int, default=200, help="requests in flight at most (connections)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lerend-bench-notes-") as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            LEREND_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="lerend.settings", LOG_LEVEL="WARNING"
        )
        token = prepare(env)
        port = free_port()
        server = start_server(env, port)
        try:
            result = asyncio.run(bench(port, token, args.participants, args.concurrency))
        finally:
            stop_server(server)
    print(f"participants          {result['participants']}")
    print(f"notes per second      {result['notes_per_second']}")
    print(f"p50 / p99 latency     {result['p50_ms']} ms / {result['p99_ms']} ms")
    print(f"errors                {result['errors']} {result['error_sample']}")
    print(f"resent after a reset  {result['transport_retries']}")
    print(
        f"replayed keys         p99 {result['replay_p99_ms']} ms, {result['replay_errors']} errors"
    )
    print(f"stored notes          {result['stored']} (must be {result['participants']})")
    print(json.dumps({"bench": "notes", **result}))
    return 0 if result["stored_equals_n"] else 1


if __name__ == "__main__":
    sys.exit(main())
