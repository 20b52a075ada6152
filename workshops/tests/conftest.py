from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from formats.models import Format
from workshops import services
from workshops.models import LiveSession

MINI = "stimuleren-van-levenslang-leren"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def mini() -> Format:
    """The built-in mini-vorming (seed 000); loaded again after a transactional flush."""
    fmt = Format.objects.filter(slug=MINI, is_builtin=True).first()
    if fmt is None:
        from formats.services import load_builtins

        load_builtins()
        fmt = Format.objects.get(slug=MINI, is_builtin=True)
    return fmt


@pytest.fixture
def mini_format(db) -> Format:
    return mini()


@pytest.fixture
def live(org, facilitator_user, mini_format) -> LiveSession:
    return services.start_session(organisation=org, fmt=mini_format, actor=facilitator_user)


def key() -> str:
    return str(uuid.uuid4())


def step_of(session: LiveSession, kind: str, nth: int = 0):
    return [ref for ref in session.steps() if ref.kind == kind][nth]


def go(session: LiveSession, kind: str, nth: int = 0, actor=None):
    ref = step_of(session, kind, nth)
    services.go_to_step(session, step_id=ref.id, actor=actor)
    return ref


@pytest.fixture
def join(live):
    """join(name="") -> (participant, token, api client with the Bearer token)."""

    def _join(name: str = "", session: LiveSession | None = None):
        participant, token = services.join_session(code=(session or live).code, name=name)
        client = Client(headers={"Authorization": f"Bearer {token}"})
        return participant, token, client

    return _join


@pytest.fixture(autouse=True)
def _fresh_participant_cache():
    """Rolled-back tests reuse primary keys: start every test with an empty cache."""
    from workshops.fastpath import forget_cache

    forget_cache()
    yield
    forget_cache()
