"""SITE_URL: set, it is used as it is; unset in development, `lerend serve` derives it from
--host and --port, for scan links, QR codes, e-mailed links and the demo's printout."""

from __future__ import annotations

import os
import signal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from core.management.commands import serve


def test_site_url_for_a_host_and_port():
    assert serve.site_url_for("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert serve.site_url_for("localhost", 9000) == "http://localhost:9000"
    assert serve.site_url_for("::1", 8123) == "http://[::1]:8123"
    everywhere = serve.site_url_for("0.0.0.0", 8123)  # noqa: S104
    assert everywhere.startswith("http://") and everywhere.endswith(":8123")
    assert "0.0.0.0" not in everywhere  # noqa: S104


@pytest.fixture
def fake_server(monkeypatch):
    """`serve` up to the point where uvicorn would start; records what it would serve."""
    seen: dict[str, object] = {}

    def fake_serve(self, host, port, workers):
        seen.update(host=host, port=port, site=settings.SITE_URL, env=os.environ.get("SITE_URL"))

    monkeypatch.setattr(serve.Command, "serve", fake_serve)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    # Whatever the environment says, restore it afterwards.
    monkeypatch.setenv("SITE_URL", "restored-after-the-test")
    monkeypatch.delenv("SITE_URL")
    monkeypatch.setattr(settings, "SITE_URL", settings.SITE_URL)
    return seen


@pytest.mark.django_db(transaction=True)
def test_serve_derives_site_url_when_unset(fake_server, settings):
    settings.SITE_URL_FROM_ENV = False
    settings.PRODUCTION = False
    out = StringIO()
    call_command("serve", "--port", "8765", "--no-worker", "--demo", stdout=out)
    assert fake_server["site"] == "http://127.0.0.1:8765"
    # The worker and uvicorn's worker processes read it from the environment.
    assert fake_server["env"] == "http://127.0.0.1:8765"
    text = out.getvalue()
    assert "Links in e-mails and QR codes use http://127.0.0.1:8765/" in text
    # The demo's printout names the served address.
    assert "Open http://127.0.0.1:8765/" in text

    from scans.tasks import answer_url_for
    from scans.views import team_link

    assert team_link("abc") == "http://127.0.0.1:8765/s/abc/"
    assert answer_url_for("tok") == "http://127.0.0.1:8765/s/i/tok/"


@pytest.mark.django_db(transaction=True)
def test_serve_keeps_a_site_url_that_is_set(fake_server, settings):
    settings.SITE_URL_FROM_ENV = True
    settings.SITE_URL = "https://lerend.example.org"
    call_command("serve", "--port", "8765", "--no-worker", stdout=StringIO())
    assert fake_server["site"] == "https://lerend.example.org"
    assert fake_server["env"] is None
