"""At most 30 responses a minute from one client address, through the API and the form."""

from __future__ import annotations

import secrets
from datetime import timedelta

import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from scans.models import Response
from scans.services import SUBMISSIONS_PER_MINUTE

from .conftest import node, seed_answers
from .test_api import body, call
from .test_views import post_answers


def test_the_api_answers_429_past_the_limit_and_stores_nothing(campaign):
    client = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        for _ in range(SUBMISSIONS_PER_MINUTE):
            assert call(client, "post", "/responses", body(campaign)).status_code == 201
        refused = call(client, "post", "/responses", body(campaign))
        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert "Wait a minute" in refused.json()["detail"]
        assert Response.objects.count() == SUBMISSIONS_PER_MINUTE
        # Another address is not held back.
        other = Client(REMOTE_ADDR="203.0.113.8")
        assert call(other, "post", "/responses", body(campaign)).status_code == 201
    assert Response.objects.count() == SUBMISSIONS_PER_MINUTE + 1
    with time_machine.travel(timezone.now().replace(second=1) + timedelta(minutes=1), tick=False):
        assert call(client, "post", "/responses", body(campaign)).status_code == 201
    assert Response.objects.count() == SUBMISSIONS_PER_MINUTE + 2


def test_the_form_answers_429_with_a_clear_message(campaign, settings):
    settings.SCAN_SUBMISSIONS_PER_MINUTE = 2
    client = Client(REMOTE_ADDR="198.51.100.4", HTTP_ACCEPT_LANGUAGE="en")
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        assert post_answers(client, url).status_code == 200
        assert post_answers(client, url).status_code == 200
        refused = post_answers(client, url)
        assert refused.status_code == 429
        page = refused.content.decode()
        # The respondent page speaks the campaign's language (Dutch).
        assert "Er zijn te veel antwoorden verstuurd vanaf je verbinding" in page
        # The answers stay in the form to send again later.
        assert "In de gang" in page
    assert Response.objects.count() == 2


def test_the_address_itself_is_not_a_cache_key(campaign, settings):
    # A local-memory cache whatever the suite runs on, so that its keys can be listed.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = Client(REMOTE_ADDR="192.0.2.55")
    call(client, "post", "/responses", body(campaign))
    keys = list(getattr(cache, "_cache", {}).keys())
    assert keys, "the locmem cache holds the counter"
    assert not any("192.0.2.55" in str(k) for k in keys)


def test_a_replayed_key_counts_but_still_stores_once(campaign, settings):
    settings.SCAN_SUBMISSIONS_PER_MINUTE = 3
    client = Client(REMOTE_ADDR="192.0.2.9")
    payload = {
        "code": node(campaign, "Bakkerij").code,
        "client_key": secrets.token_urlsafe(16),
        "answers": seed_answers(),
    }
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        statuses = [call(client, "post", "/responses", payload).status_code for _ in range(4)]
    assert statuses == [201, 200, 200, 429]
    assert Response.objects.count() == 1
