"""A burst of notes against a real server (`lerend serve`, a subprocess): killed in the
middle and restarted, the client's replays store each note exactly once; on PostgreSQL
with two processes every note is stored once and the connections stay within the pool's
bound (skipped unless DATABASE_URL is PostgreSQL)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_notes", ROOT / "bench" / "notes.py")
assert _spec and _spec.loader
notes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notes)

pytestmark = pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "lerend").exists(), reason="no .venv")


async def _setup(base: str, token: str, n: int) -> tuple[str, dict, list[str]]:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        code = (
            await client.post(
                "/api/v1/sessions",
                json={"format": notes.FORMAT, "organisation": "bench"},
                headers=auth,
            )
        ).json()["code"]
        for _i in range(10):
            await client.post(f"/api/v1/sessions/{code}/next", headers=auth)
            step = (await client.get(f"/api/v1/sessions/{code}/state", headers=auth)).json()["step"]
            if step["kind"] == "board":
                break
        tokens = []
        for _i in range(n):
            r = await client.post("/api/v1/join", json={"code": code})
            r.raise_for_status()
            tokens.append(r.json()["token"])
    return code, step, tokens


async def _post_all(base, code, step, tokens, keys, *, stop_after=None, proc=None):
    """Post every note (20 in flight); kill the server after `stop_after` answers."""
    statuses: list[int | str] = []
    gate = asyncio.Semaphore(20)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def one(i: int) -> None:
            async with gate:
                try:
                    r = await client.post(
                        f"/api/v1/sessions/{code}/notes",
                        json={"step": step["id"], "text": f"note {i}", "key": keys[i]},
                        headers={"Authorization": f"Bearer {tokens[i]}"},
                    )
                    statuses.append(r.status_code)
                except httpx.TransportError:
                    statuses.append("lost")
                if stop_after is not None and len(statuses) == stop_after and proc is not None:
                    proc.send_signal(signal.SIGKILL)

        await asyncio.gather(*(one(i) for i in range(len(tokens))))
    return statuses


async def _stored(base: str, token: str, code: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        summary = (
            await client.get(
                f"/api/v1/sessions/{code}/summary", headers={"Authorization": f"Bearer {token}"}
            )
        ).json()
    board = next(s for s in summary["steps"] if s["kind"] == "board")
    return [n for q in board.get("questions", []) for n in q["notes"]]


def _env(data_dir: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(LEREND_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="lerend.settings", **extra)
    env.pop("LEREND_TESTING", None)
    return env


def test_kill_during_a_burst_then_replay_stores_each_note_once():
    n = 120
    with tempfile.TemporaryDirectory(prefix="lerend-kill-") as data_dir:
        env = _env(data_dir)
        token = notes.prepare(env)
        port = notes.free_port()
        base = f"http://127.0.0.1:{port}"
        proc = notes.start_server(env, port)
        try:
            code, step, tokens = asyncio.run(_setup(base, token, n))
            keys = [str(uuid.uuid4()) for _t in tokens]
            first = asyncio.run(
                _post_all(base, code, step, tokens, keys, stop_after=n // 3, proc=proc)
            )
            proc.wait(30)
            assert "lost" in first or len([s for s in first if s in (200, 201)]) < n
        finally:
            notes.stop_server(proc)
        proc = notes.start_server(env, port)
        try:
            again = asyncio.run(_post_all(base, code, step, tokens, keys))
            assert set(again) <= {200, 201}, again
            stored = asyncio.run(_stored(base, token, code))
        finally:
            notes.stop_server(proc)
    assert sorted(stored) == sorted(f"note {i}" for i in range(n))


PG = os.environ.get("DATABASE_URL", "")


@pytest.mark.skipif(not PG.startswith("postgres"), reason="needs DATABASE_URL on PostgreSQL")
def test_burst_on_postgresql_with_two_processes_stays_within_the_pool():
    import psycopg

    pool_size = 4
    name = f"lerend_burst_{uuid.uuid4().hex[:8]}"
    admin_url = PG.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = PG.rsplit("/", 1)[0] + "/" + name
    try:
        with tempfile.TemporaryDirectory(prefix="lerend-pg-") as data_dir:
            env = _env(data_dir, DATABASE_URL=url, LEREND_DB_POOL_SIZE=str(pool_size))
            if os.environ.get("REDIS_URL"):
                env["REDIS_URL"] = os.environ["REDIS_URL"]
                env["LEREND_CACHE_PREFIX"] = name
            token = notes.prepare(env)
            port = notes.free_port()
            base = f"http://127.0.0.1:{port}"
            workers = 2 if env.get("REDIS_URL") else 1
            command = [str(notes.LEREND), "serve", "--no-worker", "--port", str(port)]
            proc = notes.start_server(env, port, [*command, "--workers", str(workers)])
            peak = [0]
            try:
                code, step, tokens = asyncio.run(_setup(base, token, 300))
                keys = [str(uuid.uuid4()) for _t in tokens]

                async def watch_and_post():
                    async def watch():
                        async with await psycopg.AsyncConnection.connect(admin_url) as c:
                            while True:
                                row = await (
                                    await c.execute(
                                        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                                        [name],
                                    )
                                ).fetchone()
                                peak[0] = max(peak[0], row[0])
                                await asyncio.sleep(0.05)

                    watcher = asyncio.ensure_future(watch())
                    try:
                        return await _post_all(base, code, step, tokens, keys)
                    finally:
                        watcher.cancel()

                statuses = asyncio.run(watch_and_post())
                stored = asyncio.run(_stored(base, token, code))
            finally:
                notes.stop_server(proc)
        assert set(statuses) == {201}
        assert sorted(stored) == sorted(f"note {i}" for i in range(300))
        print(f"peak PostgreSQL connections: {peak[0]} (bound {workers * pool_size})")
        assert 0 < peak[0] <= workers * pool_size
    finally:
        time.sleep(0.5)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
