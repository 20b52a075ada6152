"""`lerend serve` end to end: its worker runs the periodic tick, and links use the served
address when SITE_URL is unset."""

from __future__ import annotations

import signal
import sqlite3
import time

from .test_cli_serve import START_SECONDS, serve  # noqa: F401 (the fixture)


def _runs(db_path, name: str) -> int:
    try:
        with sqlite3.connect(db_path) as db:
            row = db.execute(
                "SELECT runs FROM core_periodicjobrun WHERE name = ?", (name,)
            ).fetchone()
    except sqlite3.Error:  # not migrated yet, or locked for a moment
        return 0
    return row[0] if row else 0


def test_the_served_worker_ticks_and_links_use_the_served_address(serve):  # noqa: F811
    server = serve(env={"SITE_URL": ""})
    assert server.worker_pid is not None, server.text()
    assert f"Links in e-mails and QR codes use http://127.0.0.1:{server.port}/" in server.text()
    db_path = server.data_dir / "lerend.sqlite3"
    deadline = time.monotonic() + START_SECONDS
    while _runs(db_path, "scans.invitation_reminders") < 1:
        assert server.process.poll() is None, server.text()
        assert time.monotonic() < deadline, "the worker never ticked:\n" + server.text()
        time.sleep(0.2)
    assert server.stop(signal.SIGTERM) == 0, server.text()
