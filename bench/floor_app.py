"""The floor for bench/notes.py: a bare ASGI app that parses the same JSON body and inserts
one SQLite row per request (WAL, synchronous=NORMAL, one commit each), nothing else.

    FLOOR_DB=/tmp/floor.sqlite3 uvicorn bench.floor_app:app --port 8123
"""

from __future__ import annotations

import json
import os
import sqlite3

_db = sqlite3.connect(
    os.environ.get("FLOOR_DB", "floor.sqlite3"), isolation_level=None, check_same_thread=False
)
_db.executescript(
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, key TEXT UNIQUE, step TEXT,"
    " question INTEGER, text TEXT);"
)


async def _reply(send, status: int, body: bytes) -> None:  # type: ignore[no-untyped-def]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["method"] == "GET":
        (count,) = _db.execute("SELECT count(*) FROM note").fetchone()
        await _reply(send, 200, json.dumps({"stored": count}).encode())
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    data = json.loads(body)
    _db.execute("BEGIN")
    _db.execute(
        "INSERT OR IGNORE INTO note (key, step, question, text) VALUES (?, ?, ?, ?)",
        (data.get("key"), data.get("step"), data.get("question", 0), data.get("text", "")),
    )
    _db.execute("COMMIT")
    await _reply(send, 201, json.dumps({"key": data.get("key")}).encode())
