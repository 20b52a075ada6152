"""Fixtures for the portfolio tests: the people of the privacy matrix and a file root."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_user
from orgs.models import Membership, Role
from portfolio import services


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path) -> Path:
    root = tmp_path / "private" / "portfolio"
    settings.PORTFOLIO_FILES_ROOT = root
    return root


@pytest.fixture
def private_root(settings) -> Path:
    return Path(settings.PORTFOLIO_FILES_ROOT)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner(org):
    """An employee with a portfolio, member of the organisation."""
    user = make_user("eva@korenbloem.test", name="Eva")
    Membership.objects.create(user=user, organisation=org, role=Role.MEMBER)
    return user


@pytest.fixture
def manager(facilitator_user):
    return facilitator_user


@pytest.fixture
def stranger(db):
    """Somebody with an account and no organisation."""
    return make_user("zoe@elders.test")


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def add_entry(user, kind: str = "my_learning", **data):
    values = {"title": "Leren plannen", "answers": {"learned": "Plannen met een bord"}}
    if kind != "my_learning":
        values["answers"] = {}
    values.update(data)
    entry, _created = services.create_entry(owner=user, kind=kind, data=values, actor=user)
    return entry


def code_from_mail(index: int = -1) -> str:
    body = mail.outbox[index].body
    match = re.search(r"\n\n([A-Z0-9]{4}-[A-Z0-9]{4})\n\n", str(body))
    assert match, body
    return match.group(1)
