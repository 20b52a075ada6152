"""A limit on request bodies, in the ASGI path and in Django.

`BodySizeLimit` wraps the ASGI application (lerend/asgi.py). A request whose
`Content-Length` is over the limit gets 413 at once, before anything reads its body; a
body without a length (chunked) is counted as it arrives and answered 413 as soon as it
passes the limit, so no body over the limit reaches Django. Multipart bodies (photos and
other uploads, which keep their own 10 MB limit on the file) get a larger limit than the
rest (JSON, forms). The API (/api/) answers in its JSON error shape, with the limit in
bytes; pages get a short page.

`RequestTooBigMiddleware` maps Django's own DATA_UPLOAD_MAX_MEMORY_SIZE the same way, for
a server that runs Django without this ASGI wrapper (WSGI, the test client): a declared
length over the limit is refused before a view runs, and `RequestDataTooBig` raised in a
view (a chunked body) becomes the same 413.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from html import escape
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

API_PREFIX = "/api/"


def limits() -> tuple[int, int]:
    """(the limit for most bodies, the limit for multipart uploads), in bytes."""
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE), int(settings.LEREND_MAX_UPLOAD_BODY_SIZE)


def limit_for(content_type: str) -> int:
    body, upload = limits()
    return upload if content_type.lower().startswith("multipart/form-data") else body


def too_big_detail(limit: int) -> str:
    return _("The request body is too large: at most %(limit)d bytes.") % {"limit": limit}


def too_big_content(path: str, limit: int) -> tuple[bytes, str]:
    """The body and content type of a 413 answer, in the active language."""
    detail = too_big_detail(limit)
    if path.startswith(API_PREFIX):
        body = {"detail": detail, "code": "body_too_large", "limit": limit}
        return json.dumps(body).encode(), "application/json"
    title = _("Too large")
    page = (
        f'<!doctype html><html lang="{translation.get_language() or "nl"}"><head>'
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{escape(title)}</title></head><body><main><h1>{escape(title)}</h1>"
        f'<p>{escape(detail)}</p><p><a href="/">{escape(_("Home"))}</a></p>'
        f"</main></body></html>"
    )
    return page.encode(), "text/html; charset=utf-8"


def _language(headers: dict[bytes, bytes]) -> str:
    """The language for an answer sent before Django runs: the language cookie, else the
    browser's first supported language, else Dutch."""
    from django.utils.translation.trans_real import (
        get_supported_language_variant,
        parse_accept_lang_header,
    )

    cookie_name = settings.LANGUAGE_COOKIE_NAME.encode()
    for part in headers.get(b"cookie", b"").split(b";"):
        name, _sep, value = part.strip().partition(b"=")
        if name == cookie_name:
            try:
                return get_supported_language_variant(value.decode("latin-1"))
            except LookupError:
                break
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(accept):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class BodySizeLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        limit = limit_for(headers.get(b"content-type", b"").decode("latin-1"))
        length = headers.get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared > limit:
                await self._refuse(scope, headers, send, limit)
                return
            if declared >= 0:
                await self.app(scope, receive, send)
                return
        # No (usable) length: read the body here, up to the limit, then hand it on.
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                buffered.append(message)  # a disconnect: let the application see it
                break
            size += len(message.get("body", b""))
            if size > limit:
                await self._refuse(scope, headers, send, limit)
                return
            buffered.append(message)
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            if buffered:
                return buffered.pop(0)
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(
        self, scope: Scope, headers: dict[bytes, bytes], send: Send, limit: int
    ) -> None:
        with translation.override(_language(headers)):
            body, content_type = too_big_content(scope.get("path", ""), limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def too_big_response(request: HttpRequest, limit: int) -> HttpResponse:
    body, content_type = too_big_content(request.path, limit)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(json.loads(body), status=413)
    return HttpResponse(body, content_type=content_type, status=413)


class RequestTooBigMiddleware:
    """Django's body limit as a 413 (JSON on the API, a page elsewhere)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = limit_for(request.META.get("CONTENT_TYPE", ""))
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return too_big_response(request, limit)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            # Django's limit, which leaves the files of a multipart body out.
            return too_big_response(request, limits()[0])
        return None
