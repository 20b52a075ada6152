"""The phone's form path (`POST /j/<code>/do/` from live.js) on the fast path: Django's CSRF
check decides, the fields are read as Django reads them, and what it leaves goes to Django."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import httpx
import pytest

from workshops import services
from workshops.events import participant_cookie_name
from workshops.fastpath import FastPath
from workshops.models import Note

from .conftest import go, key, mini

CSRF = "k" * 32  # a secret of the cookie's own length, as the phone's page holds


@pytest.fixture
def board(org, facilitator_user, transactional_db):
    session = services.start_session(organisation=org, fmt=mini(), actor=facilitator_user)
    return session, go(session, "board", actor=facilitator_user)


def _post(session, token, body: bytes | str, **headers: str) -> list[httpx.Response]:
    async def django_fallback(scope, receive, send):  # what Django would answer
        await send({"type": "http.response.start", "status": 599, "headers": []})
        await send({"type": "http.response.body", "body": b"django"})

    sent = {
        "X-Requested-With": "fetch",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": CSRF,
        "Cookie": f"{participant_cookie_name(session.code)}={token}; csrftoken={CSRF}",
        **headers,
    }

    async def twice() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=FastPath(django_fallback))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            url = f"/j/{session.code}/do/"
            return [await c.post(url, content=body, headers=sent) for _i in range(2)]

    return asyncio.run(twice())


def _form(ref, **fields: str) -> str:
    return urlencode({"what": "note", "step": ref.id, "question": "1", **fields})


def test_a_note_from_the_phones_form_is_stored_once(board):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    body = _form(ref, text="Leren + delen & één", key=key())
    assert [r.status_code for r in _post(session, token, body)] == [204, 204]
    assert list(Note.objects.values_list("question", "text")) == [(1, "Leren + delen & één")]


def test_the_last_of_a_repeated_field_counts_as_in_django(board):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    body = _form(ref, text="eerst", key=key()) + "&" + urlencode({"text": "laatst"})
    assert _post(session, token, body)[0].status_code == 204
    assert list(Note.objects.values_list("text", flat=True)) == ["laatst"]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-CSRFToken": "x" * 32},  # a token that does not match the cookie's
        {"X-CSRFToken": ""},
        {"Origin": "https://evil.example"},
    ],
)
def test_a_form_the_csrf_check_refuses_goes_to_django_and_stores_nothing(board, headers):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    responses = _post(session, token, _form(ref, text="nee", key=key()), **headers)
    assert [r.status_code for r in responses] == [599, 599]
    assert Note.objects.count() == 0


def test_a_body_django_would_read_otherwise_goes_to_django(board, settings):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    too_many = _form(ref, text="veel", key=key(), a="1", b="2")
    not_utf8 = _form(ref, key=key()).encode() + b"&text=%FF\xff"
    assert _post(session, token, too_many)[0].status_code == 599
    assert _post(session, token, not_utf8)[0].status_code == 599
    assert Note.objects.count() == 0


def test_the_csrf_check_follows_a_change_of_the_trusted_origins(board, settings):
    session, ref = board
    _participant, token = services.join_session(code=session.code)
    proxy = {"Origin": "https://room.example"}
    assert _post(session, token, _form(ref, text="a", key=key()), **proxy)[0].status_code == 599
    settings.CSRF_TRUSTED_ORIGINS = ["https://room.example"]
    assert _post(session, token, _form(ref, text="b", key=key()), **proxy)[0].status_code == 204
    assert list(Note.objects.values_list("text", flat=True)) == ["b"]
