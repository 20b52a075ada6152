"""Submissions are limited per team link (or token) and per device, never per address: an
office behind one address answers together, a script on one link is stopped."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import time_machine
from django.core.cache import cache
from django.test import Client

from scans.models import Response
from scans.services import LINK_LIMIT, LINK_WINDOW

from .conftest import node, seed_answers
from .test_api import body, call
from .test_views import post_answers

# The start of a 5-minute window, so that no test straddles two windows.
WINDOW_START = datetime(2026, 12, 1, 10, 0, 1, tzinfo=UTC)


def device() -> str:
    return secrets.token_urlsafe(16)


def test_three_hundred_people_behind_one_address_all_get_through(campaign):
    client = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel(WINDOW_START, tick=False):
        statuses = [
            call(client, "post", "/responses", body(campaign, device_key=device())).status_code
            for _ in range(300)
        ]
    assert statuses == [201] * 300
    assert Response.objects.filter(campaign=campaign).count() == 300


def test_a_script_on_one_link_is_stopped_whatever_its_addresses(campaign, settings):
    # The default lets an office of 300 through and stops a script of 10,000 after at most
    # LINK_LIMIT in each 5 minutes; shown here with a smaller limit.
    assert 300 <= LINK_LIMIT < 10_000 and LINK_WINDOW == 300
    settings.SCAN_LINK_LIMIT = 12
    with time_machine.travel(WINDOW_START, tick=False):
        statuses = []
        for i in range(20):
            client = Client(REMOTE_ADDR=f"198.51.100.{i}")  # a new address each time
            statuses.append(
                call(client, "post", "/responses", body(campaign, device_key=device())).status_code
            )
        refused = call(Client(), "post", "/responses", body(campaign, device_key=device()))
    assert statuses == [201] * 12 + [429] * 8
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert int(refused["Retry-After"]) > 0
    assert Response.objects.filter(campaign=campaign).count() == 12
    # Another team's link is not held back.
    with time_machine.travel(WINDOW_START, tick=False):
        other = {**body(campaign, device_key=device()), "code": node(campaign, "Winkel").code}
        assert call(Client(), "post", "/responses", other).status_code == 201


def test_one_device_is_limited_too(campaign, settings):
    settings.SCAN_DEVICE_LIMIT = 3
    key = device()
    with time_machine.travel(WINDOW_START, tick=False):
        statuses = [
            call(
                Client(), "post", "/responses", body(campaign, device_key=key, replace=True)
            ).status_code
            for _ in range(5)
        ]
    assert statuses == [201, 201, 201, 429, 429]
    # Replacing never adds: one response for the device.
    assert Response.objects.filter(campaign=campaign, superseded=False).count() == 1


def test_the_form_answers_429_with_a_clear_message(campaign, settings):
    settings.SCAN_LINK_LIMIT = 2
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    with time_machine.travel(WINDOW_START, tick=False):
        assert post_answers(Client(), url).status_code == 200
        assert post_answers(Client(), url).status_code == 200
        refused = post_answers(Client(HTTP_ACCEPT_LANGUAGE="en"), url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = refused.content.decode()
    # The respondent page speaks the campaign's language (Dutch).
    assert "Er zijn te veel antwoorden verstuurd via deze link" in page
    # The answers stay in the form to send again later.
    assert "In de gang" in page
    assert Response.objects.count() == 2


def test_neither_address_nor_device_key_is_a_cache_key(campaign, settings):
    # A local-memory cache whatever the suite runs on, so that its keys can be listed.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    client = Client(REMOTE_ADDR="192.0.2.55")
    key = device()
    assert call(client, "post", "/responses", body(campaign, device_key=key)).status_code == 201
    keys = list(getattr(cache, "_cache", {}).keys())
    assert keys, "the locmem cache holds the counters"
    assert not any("192.0.2.55" in str(k) or key in str(k) for k in keys)


def test_a_replayed_key_counts_but_still_stores_once(campaign, settings):
    settings.SCAN_LINK_LIMIT = 3
    client = Client(REMOTE_ADDR="192.0.2.9")
    payload = {
        "code": node(campaign, "Bakkerij").code,
        "client_key": secrets.token_urlsafe(16),
        "answers": seed_answers(),
    }
    with time_machine.travel(WINDOW_START, tick=False):
        statuses = [call(client, "post", "/responses", payload).status_code for _ in range(4)]
    assert statuses == [201, 200, 200, 429]
    assert Response.objects.count() == 1
