"""The lower bound for live fan-out: a bare ASGI Server-Sent Events broadcaster.

One uvicorn process (uvloop and httptools, as `lerend serve` runs), no framework, no
database, no authorisation: `GET /events` subscribes, `POST /publish` encodes one event once
and awaits every connection's `send` in one loop. bench/live.py runs the same fan-out
against it and against lerend and prints the ratio.

    .venv/bin/python bench/bare_sse.py --port 8765
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import uvicorn

clients: set = set()
state = {"id": 0}
tasks: set = set()

HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
]


async def broadcast(message: dict) -> None:
    for send in list(clients):
        await send(message)


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    if scope["path"] == "/events":
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await send({"type": "http.response.body", "body": b"retry: 2000\n\n", "more_body": True})
        clients.add(send)
        try:
            while (await receive())["type"] != "http.disconnect":
                pass
        finally:
            clients.discard(send)
        return
    if scope["path"] == "/publish" and scope["method"] == "POST":
        state["id"] += 1
        data = json.dumps({"step": state["id"], "sent": time.time()})
        body = f"id: {state['id']}\nevent: step\ndata: {data}\n\n".encode()
        task = asyncio.get_running_loop().create_task(
            broadcast({"type": "http.response.body", "body": body, "more_body": True})
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        reply = json.dumps({"id": state["id"], "clients": len(clients)}).encode()
    else:
        reply = b'{"detail": "Not found."}'
    await send(
        {
            "type": "http.response.start",
            "status": 200 if scope["path"] == "/publish" else 404,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(reply)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": reply})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, lifespan="off", log_level="warning")


if __name__ == "__main__":
    main()
