"""Stopping the server ends the event streams instead of waiting for them forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from realtime.tests.conftest import SSEClient, free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lifespan", ["on", "off"])
def test_sigterm_ends_open_streams_and_the_server_stops(lifespan):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env["PYTHONPATH"] = str(ROOT)
    # No --timeout-graceful-shutdown: uvicorn would wait for the streams for ever.
    proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "uvicorn",
            "realtime.tests.serverapp:application",
            "--port",
            str(port),
            "--lifespan",
            lifespan,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/stats", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        clients = [SSEClient(port, "/api/v1/sessions/ABC234/events") for _ in range(3)]
        for client in clients:
            assert client.read_head() == 200
            assert client.next().retry == 2000
        deadline = time.monotonic() + 5
        while httpx.get(f"http://127.0.0.1:{port}/stats", timeout=1).text != "3":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        for client in clients:
            with pytest.raises(EOFError, match="stream ended"):
                client.next(timeout=5)
            client.close()
        # uvicorn stops, then re-raises the signal it caught (lerend serve turns it into exit 0).
        assert proc.wait(timeout=5) in (0, -signal.SIGTERM)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
