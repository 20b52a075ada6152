"""The participant's hot path: a room of phones posting notes and votes at once.

`FastPath` wraps the ASGI application (realtime/asgi.py puts it in front of Django) and
answers, on the event loop and without Django's request thread or middleware stack:

- `POST /api/v1/sessions/<code>/notes` and `/votes` with a participant's bearer token;
- `POST /j/<code>/do/` from the phone's page (`X-Requested-With: fetch`, the participant
  cookie, Django's own CSRF check) for `what` = note or vote.

The participant and their session are resolved from the token's hash in one query and
cached in the process (`participant_for_token`); the contribution is built by the same
service functions as the pages' and handed to the group-commit writer (`writer`), which
stores it with its event in a batch and answers after the commit. Anything else (another
credential, a body the schema refuses, a form without JavaScript) goes to Django
unchanged, so error answers keep their one shape; the body already read is handed on.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.cookie import parse_cookie
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header
from pydantic import BaseModel, ValidationError, create_model

from core.errors import DomainError
from core.net import client_address

from . import participants, services
from .api_schemas import JoinIn, NoteIn, VoteIn, note_out
from .events import participant_cookie_name
from .models import hash_token, normalise_code
from .participants import participant_for_token
from .writer import writer

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]

JOIN_PATH = "/api/v1/join"
API_PATH = re.compile(r"^/api/v1/sessions/(?P<code>[A-Za-z0-9]{1,20})/(?P<what>notes|votes)$")
FORM_PATH = re.compile(r"^/j/(?P<code>[A-Za-z0-9]{1,20})/do/$")
MAX_BODY = 64 * 1024


def forget_cache() -> None:
    from .events import _by_code

    participants.forget()
    _by_code.clear()


def _headers(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[key] = out[key] + ("; " if key == "cookie" else ", ") + text if key in out else text
    return out


def _language(headers: dict[str, str], cookies: dict[str, str]) -> str:
    """The language cookie's, else the browser's first supported language, else Dutch."""
    return _language_of(
        cookies.get(settings.LANGUAGE_COOKIE_NAME, ""), headers.get("accept-language", "")
    )


@functools.lru_cache(maxsize=256)
def _language_of(cookie: str, accept: str) -> str:
    """A room's phones send a handful of distinct headers: each is parsed once."""
    for code in [cookie, *(code for code, _q in parse_accept_lang_header(accept))]:
        if code and code != "*":
            try:
                return get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


async def _respond(send: Send, status: int, body: bytes = b"", extra: list | None = None) -> None:
    headers = [
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"content-length", str(len(body)).encode()),
    ]
    if body:
        headers.append((b"content-type", b"application/json"))
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})


async def _error(send: Send, error: Any) -> None:
    body = json.dumps({"detail": error.message, "code": error.code}, ensure_ascii=False)
    extra = []
    if getattr(error, "retry_after", None):
        extra.append((b"retry-after", str(error.retry_after).encode()))
    await _respond(send, error.status, body.encode(), extra)


class _NotMine(Exception):
    """This request is Django's to answer."""


class FastPath:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        api = API_PATH.match(path)
        form = None if api else FORM_PATH.match(path)
        if api is None and form is None and path != JOIN_PATH:
            await self.app(scope, receive, send)
            return
        body, complete = await self._read(receive)
        if complete:
            try:
                if path == JOIN_PATH:
                    await self._join(scope, send, body)
                elif api is not None:
                    await self._api(scope, send, api["code"], api["what"], body)
                else:
                    assert form is not None
                    await self._form(scope, send, form["code"], body)
                return
            except _NotMine:
                pass
        await self.app(scope, _replaying(body, complete, receive), send)

    @staticmethod
    async def _read(receive: Receive) -> tuple[bytes, bool]:
        """The body, if it fits in MAX_BODY; else what was read (complete=False)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), True
            if size > MAX_BODY:
                return b"".join(chunks), False

    async def _participant(self, token: str) -> Any:
        participant = participants.cached(hash_token(token)) if token else None
        if participant is None and token:
            participant = await _in_thread(participant_for_token, token)
        if participant is None:
            raise _NotMine
        return participant

    async def _api(self, scope: Scope, send: Send, code: str, what: str, body: bytes) -> None:
        headers = _headers(scope)
        scheme, _sep, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or "json" not in headers.get("content-type", ""):
            raise _NotMine
        participant = await self._participant(token.strip())
        session = participant.session
        if session.code != normalise_code(code):
            raise _NotMine
        try:
            data = json.loads(body)
            payload: Any = _plain(NoteIn if what == "notes" else VoteIn).model_validate(data)
        except (ValueError, ValidationError):
            raise _NotMine from None
        language = _language(headers, {})

        def build() -> Any:
            if what == "notes":
                item = services.note(
                    session,
                    participant=participant,
                    step_id=payload.step,
                    question=payload.question,
                    text=payload.text,
                    key=payload.key,
                )
            else:
                item = services.vote(
                    session,
                    participant=participant,
                    step_id=payload.step,
                    choice=payload.choice,
                    key=payload.key,
                    item=payload.item,
                )
            return partial(services.contribute, item)

        result = await self._write(send, build, language)
        if result is None:
            return
        value = result.value
        if what == "notes":
            out = note_out(value)
        else:
            out = {"step": value.step_id, "item": value.item, "choice": value.choice}
        await _respond(send, 201 if result.created else 200, json.dumps(out).encode())

    async def _join(self, scope: Scope, send: Send, body: bytes) -> None:
        """`POST /api/v1/join` with a JSON body: the participant and the cookie."""
        headers = _headers(scope)
        if "json" not in headers.get("content-type", ""):
            raise _NotMine
        try:
            payload: Any = _plain(JoinIn).model_validate(json.loads(body))
        except (ValueError, ValidationError):
            raise _NotMine from None
        address = client_address(ASGIRequest(scope, io.BytesIO(b"")))
        job = partial(
            services.join_session, code=payload.code, name=payload.name or "", address=address
        )
        joined = await self._write(send, lambda: job, _language(headers, {}))
        if joined is None:
            return
        participant, token = joined
        participants.remember(hash_token(token), participant)
        session = participant.session
        out = {
            "participant": participant.public_id,
            "token": token,
            "name": participant.display_name,
            "session": {"code": session.code, "title": session.title, "status": session.status},
        }
        cookie = (
            f"{participant_cookie_name(session.code)}={token}; Max-Age={7 * 24 * 3600}; "
            "Path=/; HttpOnly; SameSite=Lax"
            + ("; Secure" if scope.get("scheme") == "https" else "")
        )
        await _respond(
            send, 201, json.dumps(out).encode(), [(b"set-cookie", cookie.encode("latin-1"))]
        )

    async def _form(self, scope: Scope, send: Send, code: str, body: bytes) -> None:
        headers = _headers(scope)
        if headers.get("x-requested-with") != "fetch" or normalise_code(code) != code:
            raise _NotMine
        if "application/x-www-form-urlencoded" not in headers.get("content-type", ""):
            raise _NotMine
        cookies = parse_cookie(headers.get("cookie", ""))
        participant = await self._participant(cookies.get(participant_cookie_name(code), ""))
        session = participant.session
        if session.code != code:
            raise _NotMine
        data = _csrf_checked_form(scope, body, cookies)
        what = data.get("what", "")
        if what not in ("note", "vote"):
            raise _NotMine
        language = _language(headers, cookies)

        def build() -> Any:
            if what == "note":
                item = services.note(
                    session,
                    participant=participant,
                    step_id=data.get("step", ""),
                    question=_int(data.get("question"), -1),
                    text=data.get("text", ""),
                    key=data.get("key", ""),
                )
            else:
                item = services.vote(
                    session,
                    participant=participant,
                    step_id=data.get("step", ""),
                    choice=data.get("choice", ""),
                    item=data.get("item", ""),
                    key=data.get("key", ""),
                )
            return partial(services.contribute, item)

        if await self._write(send, build, language) is not None:
            await _respond(send, 204)

    @staticmethod
    async def _write(send: Send, build: Callable[[], Any], language: str) -> Any:
        """Hand the contribution to the writer; answer its DomainError here (None)."""
        try:
            with _speaking(language):
                job = build()
            return await writer.submit_async(job, language)
        except DomainError as error:
            with _speaking(language):
                await _error(send, error)
            return None


def _speaking(language: str) -> Any:
    """`translation.override`, or nothing when the language is already active (on the
    event loop it mostly is: every override copies the context's locals twice)."""
    if translation.get_language() == language:
        return contextlib.nullcontext()
    return translation.override(language)


@functools.cache
def _plain(schema: type[BaseModel]) -> type[BaseModel]:
    """The API's input schema as a plain pydantic model: the same fields and rules, without
    django-ninja's wrapper for ORM objects (which, with extra fields forbidden, validates
    every body twice). A body it refuses goes to Django, which answers in the API's shape.
    A schema with validators or serialisers of its own is used as it is (they would be
    lost in the copy)."""
    decorators = schema.__pydantic_decorators__
    own = [
        name
        for kind in ("validators", "field_validators", "root_validators", "model_validators")
        for name in getattr(decorators, kind)
    ]
    if own != ["_run_root_validator"] or decorators.field_serializers:
        return schema
    fields: dict[str, Any] = {
        name: (field.annotation, field) for name, field in schema.model_fields.items()
    }
    return create_model(f"Plain{schema.__name__}", __config__=schema.model_config, **fields)


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _csrf_checked_form(scope: Scope, body: bytes, cookies: dict[str, str]) -> dict[str, str]:
    """The form's fields, once Django's CSRF check passed (else Django answers). The body is
    read as Django's QueryDict reads it (UTF-8, blank values kept, the last of a repeated
    field, at most DATA_UPLOAD_MAX_NUMBER_FIELDS), into a plain dict: a third of the check's
    cost went to building the QueryDict. Anything unusual goes to Django unchanged."""
    try:
        fields = dict(
            parse_qsl(
                body.decode(),
                keep_blank_values=True,
                max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            )
        )
    except ValueError:  # not UTF-8, or too many fields: Django's answer
        raise _NotMine from None
    request = ASGIRequest(scope, io.BytesIO(body))
    request.COOKIES = cookies
    request.POST = fields  # type: ignore[assignment]  # what the check reads (its setter)
    middleware = _csrf()
    try:
        middleware.process_request(request)
        if middleware.process_view(request, _form_view, (), {}) is not None:  # type: ignore[arg-type]
            raise _NotMine  # refused: Django's own 403 page answers
        return fields
    except DisallowedHost:
        raise _NotMine from None


@functools.cache
def _csrf() -> CsrfViewMiddleware:
    """One instance for the process, as Django keeps its middleware (it caches the trusted
    origins it parses from the settings)."""
    return CsrfViewMiddleware(lambda _request: None)  # type: ignore[arg-type, return-value]


@receiver(setting_changed)
def _forget_csrf(*, setting: str, **_kwargs: Any) -> None:
    if setting.startswith("CSRF_") or setting == "ALLOWED_HOSTS":
        _csrf.cache_clear()


def _form_view() -> None:
    """Stands for the participant's form view in the CSRF check."""


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


async def _in_thread(func: Callable[..., Any], *args: Any) -> Any:
    from realtime.asgi import _call_with_db, _executor

    return await sync_to_async(_call_with_db, thread_sensitive=False, executor=_executor)(
        func, *args
    )
