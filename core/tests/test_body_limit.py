"""The body limit in the ASGI path: 413 with the limit before the application reads the
body, also for chunked bodies without a length; uploads get their larger limit."""

from __future__ import annotations

import asyncio
import json

import pytest

from core.bodylimit import BodySizeLimit


class App:
    """Records whether it was called and the body it read."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def run(app, *, path="/api/v1/join", headers=(), chunks=(b"",)):
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(k.encode(), v.encode()) for k, v in headers],
    }
    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    read = []
    sent = []

    async def receive():
        if incoming:
            message = incoming.pop(0)
            read.append(message)
            return message
        await asyncio.sleep(3600)  # a client that never sends more

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(BodySizeLimit(app)(scope, receive, send), 5))
    status = sent[0]["status"]
    headers_out = dict(sent[0]["headers"])
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return status, headers_out, body, len(read)


@pytest.fixture
def small(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.LEREND_MAX_UPLOAD_BODY_SIZE = 1000


def test_a_declared_length_over_the_limit_is_413_before_anything_is_read(small):
    app = App()
    status, headers, body, read = run(
        app,
        headers=[
            ("content-type", "application/json"),
            ("content-length", "101"),
            ("accept-language", "en"),
        ],
        chunks=[b"x" * 101],
    )
    assert status == 413
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body) == {
        "detail": "The request body is too large: at most 100 bytes.",
        "code": "body_too_large",
        "limit": 100,
    }
    assert not app.called
    assert read == 0


def test_a_chunked_body_is_cut_off_at_the_limit(small):
    app = App()
    chunks = [b"x" * 60] * 1000  # 60 kB, no length announced
    status, _headers, body, read = run(
        app, headers=[("content-type", "application/json")], chunks=chunks
    )
    assert status == 413
    assert json.loads(body)["limit"] == 100
    assert not app.called
    assert read == 2  # stopped reading as soon as the limit was passed


def test_a_chunked_body_under_the_limit_reaches_the_app_whole(small):
    app = App()
    status, _headers, body, _read = run(
        app, headers=[("content-type", "application/json")], chunks=[b"ab", b"cd", b"ef"]
    )
    assert status == 200 and body == b"ok"
    assert app.body == b"abcdef"


def test_a_body_at_the_limit_passes(small):
    app = App()
    status, *_rest = run(
        app,
        headers=[("content-type", "application/json"), ("content-length", "100")],
        chunks=[b"x" * 100],
    )
    assert status == 200 and app.body == b"x" * 100


def test_uploads_have_their_larger_limit(small):
    app = App()
    multipart = [("content-type", "multipart/form-data; boundary=x"), ("content-length", "900")]
    status, *_rest = run(
        app, path="/api/v1/sessions/ABC234/photos", headers=multipart, chunks=[b"x" * 900]
    )
    assert status == 200
    too_big = [("content-type", "multipart/form-data; boundary=x"), ("content-length", "1001")]
    status, _h, body, _r = run(App(), headers=too_big, chunks=[b"x" * 1001])
    assert status == 413 and json.loads(body)["limit"] == 1000


def test_pages_get_a_page_in_the_visitors_language(small):
    status, headers, body, _read = run(
        App(),
        path="/o/korenbloem/teams/",
        headers=[
            ("content-type", "application/x-www-form-urlencoded"),
            ("content-length", "500"),
            ("accept-language", "nl-BE,nl;q=0.9"),
        ],
    )
    assert status == 413
    assert headers[b"content-type"].startswith(b"text/html")
    assert "maximaal 100 bytes" in body.decode()


def test_the_served_application_has_the_limit():
    """lerend.asgi.application answers 413 itself, for 3 MB of JSON."""
    from lerend.asgi import application

    sent = []

    async def receive():
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/organisations/korenbloem/teams",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"3000000")],
        "query_string": b"",
    }
    asyncio.run(asyncio.wait_for(application(scope, receive, send), 5))
    assert sent[0]["status"] == 413
    assert json.loads(sent[1]["body"])["limit"] == 2_621_440


def test_the_served_application_keeps_its_lasting_objects_out_of_the_collectors_walk():
    """Importing lerend.asgi (what each server process does) freezes what is alive then,
    the URLconf's views and the API included, so full collections do not walk them."""
    import gc
    import sys

    sys.modules.pop("lerend.asgi", None)
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    import lerend.asgi  # noqa: F401

    assert gc.get_freeze_count() > 10_000
    assert "workshops.api" in sys.modules  # imported at start, not at the first request
