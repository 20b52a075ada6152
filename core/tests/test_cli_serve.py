"""`lerend serve` (a real server in a subprocess) and `lerend worker`."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from orgs.tasks import send_invitation_email

START_SECONDS = 180  # a fresh database migrates every app first; CI runs tests beside it
STOP_SECONDS = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
            return response.status
    except OSError:
        return 0


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Server:
    """`lerend serve` in a subprocess, with its own data directory."""

    def __init__(self, tmp_path: Path, *args: str, extra_env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.data_dir = tmp_path / "data"
        self.output = tmp_path / "output.txt"
        # The embedded defaults (SQLite in LEREND_DATA_DIR, no Redis), whatever the suite runs on.
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("LEREND_") and k not in {"DATABASE_URL", "REDIS_URL"}
        }
        env.update(
            DJANGO_SETTINGS_MODULE="lerend.settings",
            LEREND_DATA_DIR=str(self.data_dir),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra_env or {})
        with self.output.open("wb") as output:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, "-m", "django", "serve", "--port", str(self.port), *args],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.worker_pid: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while get(self.url + "/healthz") != 200:
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.05)
        found = re.search(r"Background worker started \(process (\d+)\)", self.text())
        self.worker_pid = int(found.group(1)) if found else None

    def wait_for_output(self, text: str) -> None:
        deadline = time.monotonic() + START_SECONDS
        while text not in self.text():
            assert self.process.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.05)

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=STOP_SECONDS)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.worker_pid and is_running(self.worker_pid):
            os.kill(self.worker_pid, signal.SIGKILL)


@pytest.fixture
def redis_url() -> str:
    """Redis for a test that needs it: it fails in CI without Redis, and skips elsewhere."""
    from realtime.tests.test_redis import REDIS_URL, redis_answers

    if not redis_answers():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL}; CI must run it")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def serve(tmp_path):
    servers: list[Server] = []

    def start(*args: str, env: dict[str, str] | None = None) -> Server:
        server = Server(tmp_path, *args, extra_env=env)
        servers.append(server)
        server.wait_until_healthy()
        return server

    yield start
    for server in servers:
        server.kill()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_runs_the_app_and_the_worker_and_stops_both(serve, signum):
    server = serve()
    assert server.worker_pid is not None, server.text()
    server.wait_for_output("Starting worker")  # the worker's own log line: it is ready
    assert is_running(server.worker_pid)
    assert f"Starting lerend at http://127.0.0.1:{server.port}/" in server.text()
    assert (server.data_dir / "lerend.sqlite3").exists(), "migrated into LEREND_DATA_DIR"

    assert server.stop(signum) == 0, server.text()
    assert not is_running(server.worker_pid), "the worker was stopped and reaped"
    assert "Background worker stopped (exit code 0)" in server.text()
    assert get(server.url + "/healthz") == 0


def test_several_web_processes_need_redis(settings):
    from django.core.management import CommandError

    settings.REDIS_URL = ""
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("serve", "--workers", "2")


def test_serve_with_the_demo_several_web_processes_and_no_worker(serve, redis_url):
    prefix = f"lerend-test-{os.getpid()}-{time.monotonic_ns()}"
    server = serve(
        "--demo",
        "--no-worker",
        "--workers",
        "2",
        env={"REDIS_URL": redis_url, "LEREND_CACHE_PREFIX": prefix},
    )
    assert server.worker_pid is None
    assert "admin@demo.example.org" in server.text()
    assert get(server.url + "/") == 200
    assert server.stop(signal.SIGTERM) == 0, server.text()
    with sqlite3.connect(server.data_dir / "lerend.sqlite3") as db:
        names = db.execute("SELECT name FROM orgs_organisation").fetchall()
    assert names == [("Demo: Stad Lerendonk",)]


@pytest.mark.parametrize("args", [["--port", "0"], ["--port", "70000"], ["--workers", "0"]])
def test_serve_refuses_bad_numbers(args):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="invalid"):
        call_command("serve", *args)


@pytest.mark.django_db(transaction=True)  # the worker closes the database connection
def test_worker_runs_queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    result = send_invitation_email.enqueue("00000000-0000-0000-0000-000000000000", "key")
    out = StringIO()
    call_command("worker", "--batch", "--no-reload", "--no-startup-delay", stdout=out)
    task = DBTaskResult.objects.get(id=result.id)
    assert task.status == "SUCCESSFUL"
    assert task.return_value is False


def builtin_slugs(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "lerend.sqlite3") as db:
        rows = db.execute("SELECT slug FROM formats_format WHERE is_builtin").fetchall()
    return {slug for (slug,) in rows}


def test_serve_brings_the_built_in_formats_up_to_date(serve, tmp_path):
    server = serve("--no-worker")
    assert server.stop(signal.SIGTERM) == 0, server.text()
    shipped = builtin_slugs(server.data_dir)
    assert len(shipped) == len(list((settings.BASE_DIR / "formats" / "builtin").glob("*.yaml")))
    with sqlite3.connect(server.data_dir / "lerend.sqlite3") as db:
        (mini,) = db.execute(
            "SELECT id FROM formats_format WHERE slug = 'stimuleren-van-levenslang-leren'"
        ).fetchone()
        db.execute("UPDATE formats_format SET current_version_id = NULL WHERE id = ?", [mini])
        db.execute("DELETE FROM formats_formatversion WHERE format_id = ?", [mini])
        db.execute("DELETE FROM formats_format WHERE id = ?", [mini])

    again = serve("--no-worker")
    assert again.stop(signal.SIGTERM) == 0, again.text()
    assert builtin_slugs(server.data_dir) == shipped
