"""The SSE endpoint with the fake provider, served by a uvicorn subprocess in the tests.

Besides the event stream it answers `POST /publish?channel=&id=&event=&data=`, which calls
`realtime.hub.publish` from a worker thread as Django code would. The hub is the default
one: it reads REDIS_URL and LEREND_CACHE_PREFIX through the Django settings.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lerend.settings_test")
django.setup()

from asgiref.sync import sync_to_async  # noqa: E402

from realtime import hub  # noqa: E402
from realtime.asgi import make_application  # noqa: E402
from realtime.tests import fakeprovider  # noqa: E402


async def control(scope, receive, send):
    if scope["type"] != "http":
        return
    status, body = 404, b"no"
    if scope["method"] == "POST" and scope["path"] == "/publish":
        q = dict(parse_qsl(scope["query_string"].decode()))
        await sync_to_async(hub.publish, thread_sensitive=False)(
            q["channel"], int(q["id"]), q["event"], q["data"]
        )
        status, body = 200, b"ok"
    elif scope["path"] == "/stats":
        status, body = 200, str(hub.hub.connection_count).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


application = make_application(control, provider=fakeprovider)
