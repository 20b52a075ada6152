"""The default cache's own counters for the rate limiter (core.cache), on any set-up."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.core.cache import cache

from core import cache as local_cache
from core import ratelimit

LOCAL = {"default": {"BACKEND": "core.cache.LocMemCache", "LOCATION": "tests-counters"}}
DJANGO = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def local(settings):
    settings.CACHES = LOCAL
    cache.clear()
    yield local_cache.windows("tests-counters")
    cache.clear()


def test_counts_live_beside_the_cache_and_clear_with_it(local):
    with time_machine.travel(1_800_000_010, tick=False):
        assert [ratelimit.count("phone") for _i in range(3)] == [1, 2, 3]
        assert ratelimit.exceeded("phone", 3) == 50
        assert ratelimit.exceeded("phone", 4) == 0
        # Nothing of the counters is in the cache's own entries (no pickling, no culling).
        assert not [key for key in cache._cache if "rl:" in str(key)]  # type: ignore[attr-defined]
        assert len(local.counters) == 1
        cache.clear()
        assert local.counters == {}
        assert ratelimit.count("phone") == 1


def test_a_room_of_phones_keeps_every_counter(local):
    """Django's local-memory cache holds 300 entries and drops the oldest third beyond
    them; the counters of 1,000 phones in one window all stay."""
    with time_machine.travel(1_800_000_000, tick=False):
        for phone in range(1000):
            ratelimit.count(f"phone:{phone}")
        assert [ratelimit.count(f"phone:{phone}") for phone in range(1000)] == [2] * 1000


def test_a_window_ends_and_its_counter_is_dropped_as_they_grow(local, monkeypatch):
    monkeypatch.setattr(local_cache, "PRUNE_AT", 4)
    local.clear()
    with time_machine.travel(1_800_000_000, tick=False):
        for phone in range(3):
            ratelimit.count(f"old:{phone}")
    with time_machine.travel(1_800_000_130, tick=False):  # past two windows: expired
        assert ratelimit.exceeded("old:0", 1) == 0
        ratelimit.count("new:0")  # the fourth counter: the three expired ones go
        assert len(local.counters) == 1
        assert local.prune_at == 4
        assert ratelimit.count("new:0") == 2


def test_threads_share_the_counters(local):
    """Django makes a cache object per thread; the request threads and the writer thread
    still count in the same window."""
    with time_machine.travel(1_800_000_000, tick=False):
        ratelimit.count("shared")
        thread = threading.Thread(target=ratelimit.count, args=("shared",))
        thread.start()
        thread.join()
        assert ratelimit.count("shared") == 3


def test_another_cache_counts_in_its_entries(settings):
    settings.CACHES = DJANGO
    cache.clear()
    with time_machine.travel(1_800_000_000, tick=False):
        assert [ratelimit.count("elsewhere") for _i in range(2)] == [1, 2]
        assert [key for key in cache._cache if "rl:" in str(key)]  # type: ignore[attr-defined]
    assert local_cache.default_windows() is None
    cache.clear()
