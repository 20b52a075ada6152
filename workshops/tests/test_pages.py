"""Every step of every built-in format renders on all three screens, with and without htmx."""

from __future__ import annotations

import pytest
from django.test import Client

from formats.models import Format
from workshops import services
from workshops.models import Status

BUILTIN_SLUGS = [
    "stimuleren-van-levenslang-leren",
    "al-doende-leren-bewust-maken",
    "al-doende-leren-experiment",
    "al-doende-leren-leercultuur",
    "al-doende-leren-mijn-leren",
    "al-doende-leren-fouten-maken",
    "al-doende-leren-vragen-en-uitspraken",
    "leven-lang-leren-11-tips",
    "quickscan-leervoorwaarden",
]


def _ok(response, what):
    assert response.status_code == 200, (what, response.content[:2000])
    assert b"message-error" not in response.content, (what, response.content.decode()[:4000])
    return response


@pytest.mark.parametrize("slug", BUILTIN_SLUGS)
def test_every_step_renders_on_every_screen(slug, org, facilitator_user, client):
    fmt = Format.objects.filter(is_builtin=True, slug=slug).first()
    if fmt is None:
        pytest.skip(f"{slug} is not a built-in format here")
    live = services.start_session(organisation=org, fmt=fmt, actor=facilitator_user)
    client.force_login(facilitator_user)
    base = f"/o/{org.slug}/workshops/{live.public_id}/"
    _ok(client.get(base), "console lobby")
    assert live.code.encode() in _ok(client.get(base + "present/"), "presenter lobby").content
    _ok(client.get(f"/o/{org.slug}/workshops/"), "list")
    phone = Client()
    assert phone.post(f"/j/{live.code}/", {"name": "Ann"}).status_code == 302
    _ok(phone.get(f"/j/{live.code}/"), "participant lobby")
    for ref in live.steps():
        assert client.post(base + "control/", {"action": "goto", "step": ref.id}).status_code == 302
        if ref.kind in ("groups", "rotation", "experiment"):
            assert client.post(base + "control/", {"action": "groups"}).status_code == 302
        for url in (base, base + "present/", base + "?fragment=1", base + "present/?fragment=1"):
            _ok(client.get(url), (ref.kind, url))
        _ok(phone.get(f"/j/{live.code}/"), (ref.kind, "participant"))
        fragment = _ok(phone.get(f"/j/{live.code}/", headers={"HX-Request": "true"}), ref.kind)
        assert b"<html" not in fragment.content
    assert client.post(base + "control/", {"action": "end"}).status_code == 302
    live.refresh_from_db()
    assert live.status == Status.ENDED
    _ok(client.get(base + "summary/"), "summary")
    assert client.get(base + "summary.pdf").content.startswith(b"%PDF")
    assert client.get(base + "summary.md").status_code == 200
    assert b"summary" in _ok(phone.get(f"/j/{live.code}/"), "participant summary").content
    assert _ok(Client().get(f"/s/{live.public_id}/"), "shared summary")


def test_join_pages(live):
    phone = Client()
    assert phone.get(f"/j/?code={live.code.lower()}").headers["Location"] == f"/j/{live.code}/"
    assert phone.get(f"/j/{live.code.lower()}/").status_code == 302
    page = phone.get(f"/j/{live.code}/")
    assert page.status_code == 200 and b'name="name"' in page.content
    missing = phone.get("/j/ZZZZZZ/")
    assert missing.status_code == 404
    assert b'name="code"' in missing.content
    assert live.participants.count() == 0
    too_long = phone.post(f"/j/{live.code}/", {"name": "x" * 61})
    assert too_long.status_code == 400
    assert live.participants.count() == 0
