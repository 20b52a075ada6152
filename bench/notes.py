"""N participants post one note (or vote) each, all at once, on the default SQLite set-up,
against a floor: a bare ASGI app (bench/floor_app.py) taking the same bodies.

Starts lerend as a user would (`lerend serve --no-worker`, one process, SQLite in a fresh
LEREND_DATA_DIR, a random port), makes a facilitator with an API token, starts a session of
the mini-vorming, moves it to its board step, joins N participants through the API and then
fires one note per participant at the same moment (asyncio with the lean keep-alive client
of bench/loadgen.py, at most --concurrency requests in flight). Then it sends every note
again with the same client key, which must store nothing. It prints notes per second,
p50/p99 request latency, the stored count (must equal N) and one JSON line.

With --what votes the burst votes on the statement poll; with --what form it posts notes
through the phone's own form path (`/j/<code>/do/`, cookie + CSRF, as live.js does). The
server runs pinned to CPU 0 (`taskset -c 0`), the clients on CPU 1, and the floor is run
the same way with the same client in the same run; it prints both rates and the ratio.
With --rounds K it runs K such pairs, each on a fresh server, and prints the medians (the
floor's burst lasts a fifth of a second, and its rate varies by half between runs here).

    .venv/bin/python bench/notes.py --participants 1000 --concurrency 100 --what notes --rounds 5

With --postgres URL the server runs on a fresh PostgreSQL database (beside URL's), with
--workers N processes (and --redis URL for their events); it prints the most connections
PostgreSQL held at once against the bound `N x LEREND_DB_POOL_SIZE` the README states.

    .venv/bin/python bench/notes.py --postgres postgres://postgres@127.0.0.1:5432/postgres \
        --redis redis://127.0.0.1:6379/5 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from loadgen import Pool, TransportError  # noqa: E402 - beside this file, also when imported

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


SERVER_CPU = "0"
CLIENT_CPU = 1


def pinned(command: list[str]) -> list[str]:
    return ["taskset", "-c", SERVER_CPU, *command] if shutil.which("taskset") else command


def start_server(
    env: dict[str, str], port: int, command: list[str] | None = None
) -> subprocess.Popen:
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        pinned(command or [str(LEREND), "serve", "--no-worker", "--port", str(port)]),
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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants, from /proc: unlike the
    wall clock it does not depend on what else the shared machine runs."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total = 0.0
    for candidate, seconds in times.items():
        current = candidate
        while current > 1:
            if current == pid:
                total += seconds
                break
            current = parents.get(current, 0)
    return total


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def burst(post, n: int) -> tuple[list[float], float, list[str], int]:
    """Run post(i) for every i at once; latencies, wall time, errors, transport retries."""
    errors: list[str] = []
    retries = [0]

    async def one(index: int) -> float:
        t0 = time.monotonic()
        for attempt in range(3):
            try:
                r = await post(index)
                break
            except TransportError as error:
                # what the participant page's outbox does: send it again, same key
                retries[0] += 1
                if attempt == 2:
                    errors.append(f"transport {error!r}")
                    return time.monotonic() - t0
        if r.status not in (200, 201, 204):
            errors.append(f"{r.status} {r.text[-160:]}")
        return time.monotonic() - t0

    t0 = time.monotonic()
    latencies = await asyncio.gather(*(one(i) for i in range(n)))
    return list(latencies), time.monotonic() - t0, errors, retries[0]


async def bench(port: int, token: str, n: int, concurrency: int, what: str, pid: int = 0) -> dict:
    client = Pool("127.0.0.1", port, concurrency)
    auth = {"Authorization": f"Bearer {token}"}
    response = await client.request(
        "POST",
        "/api/v1/sessions",
        json_body={"format": FORMAT, "organisation": "bench"},
        headers=auth,
    )
    assert response.status == 201, response.text
    code = response.json()["code"]
    kind = "statement_poll" if what == "votes" else "board"
    for _i in range(10):
        moved = await client.request("POST", f"/api/v1/sessions/{code}/next", headers=auth)
        assert moved.status == 200, moved.text
        state = (await client.request("GET", f"/api/v1/sessions/{code}/state", headers=auth)).json()
        if state["step"]["kind"] == kind:
            break
    step = state["step"]
    assert step["kind"] == kind, step
    joined: list = []

    async def join_one(index: int):
        r = await client.request("POST", "/api/v1/join", json_body={"code": code})
        if r.status == 201:
            joined.append(r)
        return r

    cpu0 = cpu_seconds(pid)
    join_latencies, join_wall, join_errors, _r = await burst(join_one, n)
    join_cpu = cpu_seconds(pid) - cpu0
    tokens = [r.json()["token"] for r in joined]
    print(f"# joined {len(tokens)} participants in {join_wall:.1f} s", flush=True)

    keys = [str(uuid.uuid4()) for _ in range(n)]
    csrf = secrets.token_hex(16)  # a CSRF secret of our own, as the cookie holds one

    async def post(index: int):
        if what == "votes":
            choices = step["choices"]
            body = {
                "step": step["id"],
                "choice": choices[index % len(choices)]["key"],
                "key": keys[index],
            }
            return await client.request(
                "POST",
                f"/api/v1/sessions/{code}/votes",
                json_body=body,
                headers={"Authorization": f"Bearer {tokens[index]}"},
            )
        body = {
            "step": step["id"],
            "question": index % len(step["questions"]),
            "text": f"Notitie {index}",
            "key": keys[index],
        }
        if what == "notes":
            return await client.request(
                "POST",
                f"/api/v1/sessions/{code}/notes",
                json_body=body,
                headers={"Authorization": f"Bearer {tokens[index]}"},
            )
        return await client.request(
            "POST",
            f"/j/{code}/do/",
            form={"what": "note", **{k: str(v) for k, v in body.items()}},
            headers={
                "X-Requested-With": "fetch",
                "X-CSRFToken": csrf,
                "Cookie": f"lp_{code}={tokens[index]}; csrftoken={csrf}",
            },
        )

    cpu0 = cpu_seconds(pid)
    latencies, wall, first_errors, retries = await burst(post, len(tokens))
    burst_cpu = cpu_seconds(pid) - cpu0
    replay_latencies, replay_wall, replay_errors, _r = await burst(post, len(tokens))
    summary = (await client.request("GET", f"/api/v1/sessions/{code}/summary", headers=auth)).json()
    await client.close()
    if "steps" not in summary:
        raise RuntimeError(f"summary failed: {summary}")
    entry = next(s for s in summary["steps"] if s["kind"] == kind)
    if what == "votes":
        stored = sum(r["count"] for r in entry["results"])
    else:
        stored = sum(len(q["notes"]) for q in entry.get("questions", []))
    return {
        "what": what,
        "participants": n,
        "concurrency": concurrency,
        "joins_per_second": round(len(tokens) / join_wall, 1),
        "joins_per_cpu_second": round(len(tokens) / max(join_cpu, 0.01), 1),
        "per_cpu_second": round(len(tokens) / max(burst_cpu, 0.01), 1),
        "join_p99_ms": round(percentile(join_latencies, 0.99) * 1000, 1),
        "join_errors": len(join_errors),
        "join_error_sample": join_errors[:3],
        "per_second": round(len(tokens) / wall, 1),
        "wall_seconds": round(wall, 2),
        "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "errors": len(first_errors),
        "transport_retries": retries,
        "error_sample": first_errors[:3],
        "replay_p99_ms": round(percentile(replay_latencies, 0.99) * 1000, 1),
        "replay_seconds": round(replay_wall, 2),
        "replay_errors": len(replay_errors),
        "stored": stored,
        "stored_equals_n": stored == n,
    }


async def floor(port: int, n: int, concurrency: int, pid: int = 0) -> dict:
    client = Pool("127.0.0.1", port, concurrency)

    async def post(index: int):
        body = {"step": "s", "question": 0, "text": f"Notitie {index}"}
        return await client.request("POST", "/notes", json_body={**body, "key": str(uuid.uuid4())})

    cpu0 = cpu_seconds(pid)
    latencies, wall, errors, _r = await burst(post, n)
    cpu = cpu_seconds(pid) - cpu0
    stored = (await client.request("GET", "/count")).json()["stored"]
    await client.close()
    return {
        "per_second": round(n / wall, 1),
        "per_cpu_second": round(n / max(cpu, 0.01), 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "errors": len(errors),
        "stored": stored,
    }


@contextlib.contextmanager
def postgres_database(url: str | None):
    """A fresh PostgreSQL database beside `url`'s (dropped afterwards), or None."""
    if not url:
        yield None
        return
    import psycopg

    name = f"lerend_bench_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ConnectionWatcher:
    """The most connections PostgreSQL held open to the bench's database at once (sampled
    every 20 ms in a thread of its own)."""

    def __init__(self, url: str | None) -> None:
        self.url, self.peak = url, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ConnectionWatcher:
        if self.url:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _watch(self) -> None:
        import psycopg

        name = self.url.rsplit("/", 1)[1] if self.url else ""
        admin_url = (self.url or "").rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as admin:
            while not self._stop.wait(0.02):
                row = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
                ).fetchone()
                self.peak = max(self.peak, row[0] if row else 0)


def one_round(args: argparse.Namespace) -> tuple[dict, dict]:
    """lerend's burst on a fresh server and data directory, then the floor's, as one pair."""
    with (
        tempfile.TemporaryDirectory(prefix="lerend-bench-notes-") as data_dir,
        postgres_database(args.postgres) as database_url,
    ):
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            LEREND_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="lerend.settings", LOG_LEVEL="WARNING"
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        if args.redis:
            env.update(REDIS_URL=args.redis, LEREND_CACHE_PREFIX=f"bench{os.getpid()}")
        token = prepare(env)
        port = free_port()
        command = [str(LEREND), "serve", "--no-worker", "--port", str(port)]
        server = start_server(env, port, [*command, "--workers", str(args.workers)])
        watcher = ConnectionWatcher(database_url)
        try:
            with watcher:
                result = asyncio.run(
                    bench(port, token, args.participants, args.concurrency, args.what, server.pid)
                )
        finally:
            stop_server(server)
        result["database"] = "postgresql" if database_url else "sqlite"
        result["workers"] = args.workers
        if database_url:
            pool = int(env.get("LEREND_DB_POOL_SIZE", "8"))
            result["peak_connections"] = watcher.peak
            result["connection_bound"] = args.workers * pool
        port = free_port()
        floor_env = {**env, "FLOOR_DB": str(Path(data_dir) / "floor.sqlite3")}
        uvicorn = [str(ROOT / ".venv" / "bin" / "uvicorn"), "bench.floor_app:app"]
        server = start_server(
            floor_env, port, [*uvicorn, "--port", str(port), "--log-level", "warning"]
        )
        try:
            bare = asyncio.run(floor(port, args.participants, args.concurrency, server.pid))
        finally:
            stop_server(server)
    result["floor_per_second"] = bare["per_second"]
    result["floor_p99_ms"] = bare["p99_ms"]
    result["ratio_to_floor"] = round(result["per_second"] / bare["per_second"], 2)
    result["floor_per_cpu_second"] = bare["per_cpu_second"]
    result["cpu_ratio_to_floor"] = round(result["per_cpu_second"] / bare["per_cpu_second"], 2)
    return result, bare


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument(
        "--concurrency", type=int, default=100, help="requests in flight at most (connections)"
    )
    parser.add_argument("--what", choices=["notes", "votes", "form"], default="notes")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="run lerend on PostgreSQL (a fresh database beside this URL's) instead of SQLite",
    )
    parser.add_argument("--redis", metavar="URL", help="REDIS_URL for the server (with --workers)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (PostgreSQL)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="pairs of lerend and floor runs; the figures printed are the rounds' medians",
    )
    args = parser.parse_args()
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {CLIENT_CPU})
    rounds = []
    for number in range(1, max(1, args.rounds) + 1):
        result, bare = one_round(args)
        rounds.append(result)
        if args.rounds > 1:
            print(
                f"# round {number}: {result['per_second']}/s, floor {bare['per_second']}/s, "
                f"ratio {result['ratio_to_floor']}, p99 {result['p99_ms']} ms, "
                f"stored {result['stored']}"
            )
    result = _medians(rounds)
    bare = {
        "per_second": result["floor_per_second"],
        "p99_ms": result["floor_p99_ms"],
        "per_cpu_second": result["floor_per_cpu_second"],
    }
    print(
        f"what                  {result['what']} ({result['participants']} participants, "
        f"{result['concurrency']} in flight)"
    )
    print(
        f"joins per second      {result['joins_per_second']} (p99 {result['join_p99_ms']} ms, "
        f"{result['join_errors']} errors)"
    )
    print(f"per second            {result['per_second']}")
    print(f"p50 / p99 latency     {result['p50_ms']} ms / {result['p99_ms']} ms")
    print(f"floor per second      {bare['per_second']} (p99 {bare['p99_ms']} ms)")
    print(f"ratio to the floor    {result['ratio_to_floor']}")
    print(
        f"per CPU-second        {result['per_cpu_second']} (floor {bare['per_cpu_second']}, "
        f"ratio {result['cpu_ratio_to_floor']}; joins {result['joins_per_cpu_second']})"
    )
    print(f"errors                {result['errors']} {result['error_sample']}")
    print(f"resent after a reset  {result['transport_retries']}")
    print(
        f"replayed keys         p99 {result['replay_p99_ms']} ms, {result['replay_errors']} errors"
    )
    print(f"stored                {result['stored']} (must be {result['participants']})")
    print(f"database              {result['database']}, {result['workers']} server process(es)")
    if "peak_connections" in result:
        print(
            f"PostgreSQL peak       {result['peak_connections']} connections "
            f"(bound {result['connection_bound']})"
        )
    print(json.dumps({"bench": "notes", "rounds": len(rounds), **result}))
    return 0 if all(r["stored_equals_n"] for r in rounds) else 1


def _medians(rounds: list[dict]) -> dict:
    """Each figure's median over the rounds (a ratio: the median of the rounds' ratios, each
    against the floor of its own round); what must hold in every round (no errors, every
    note stored once) takes the worst round's."""
    if len(rounds) == 1:
        return rounds[0]
    out = dict(rounds[0])
    for name, value in rounds[0].items():
        values = [r[name] for r in rounds]
        if name in ("errors", "join_errors", "replay_errors", "transport_retries"):
            out[name] = max(values)
        elif name == "stored":
            wrong = [v for v in values if v != rounds[0]["participants"]]
            out[name] = wrong[0] if wrong else value
        elif name in ("error_sample", "join_error_sample"):
            out[name] = [sample for r in rounds for sample in r[name]][:5]
        elif name == "stored_equals_n":
            out[name] = all(values)
        elif name == "peak_connections":
            out[name] = max(values)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = round(statistics.median(values), 2)
    return out


if __name__ == "__main__":
    sys.exit(main())
