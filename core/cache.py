"""The default cache: Django's local-memory cache, with counters for the rate limiter.

`core.ratelimit` counts every contribution of a room (a note, a vote) in the cache. In
Django's local-memory cache a count costs an `add` or an `incr`: a validated key, a
pickled value and a lock, 7-10 µs a time (timed), a twentieth of what the writer spends
on a note. It also holds 300 entries and drops the least recently used third once full,
so in a room of 1,000 phones a participant's counter could vanish mid-window. Here the
counters live in a dict of their own, in the process as the cache is (`Windows`): a
count is one lock and one dict update, expired windows are dropped as the dict grows,
and the cache's `clear()` (which tests call to start afresh) empties them too. With
Redis (`REDIS_URL`) the rate limiter counts in Redis, shared by the processes, as before.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS
from django.core.cache.backends.locmem import LocMemCache as DjangoLocMemCache

PRUNE_AT = 10_000
"""Counters held before the expired ones are dropped (then again at twice what is left)."""


class Windows:
    """The rate limiter's counters of one cache location, shared by the process's threads."""

    def __init__(self) -> None:
        self.counters: dict[str, tuple[float, int]] = {}
        self.prune_at = PRUNE_AT
        self.lock = threading.Lock()

    def count(self, key: str, timeout: int) -> int:
        """Add one to the counter `key` (created for `timeout` seconds); its new value."""
        now = time.time()
        with self.lock:
            expires, value = self.counters.get(key, (0.0, 0))
            if expires <= now:
                expires, value = now + timeout, 0
            value += 1
            self.counters[key] = (expires, value)
            if len(self.counters) >= self.prune_at:
                self.counters = {k: v for k, v in self.counters.items() if v[0] > now}
                self.prune_at = max(PRUNE_AT, 2 * len(self.counters))
        return value

    def peek(self, key: str) -> int:
        """The counter's value, 0 if it is unset or expired (counts nothing)."""
        with self.lock:
            expires, value = self.counters.get(key, (0.0, 0))
        return value if expires > time.time() else 0

    def clear(self) -> None:
        with self.lock:
            self.counters = {}
            self.prune_at = PRUNE_AT


_windows: dict[str, Windows] = {}
_windows_lock = threading.Lock()
BACKEND = f"{__name__}.LocMemCache"


def windows(location: str) -> Windows:
    """The counters of a cache location (Django shares a local-memory cache's storage
    between the backend objects it makes for each thread; these are shared likewise)."""
    found = _windows.get(location)
    if found is None:
        with _windows_lock:
            found = _windows.setdefault(location, Windows())
    return found


def default_windows() -> Windows | None:
    """The default cache's counters if it is this cache, else None (the rate limiter then
    counts in the cache). Read from the settings, not from Django's cache handler, whose
    per-thread look-up costs more than the count."""
    config = settings.CACHES.get(DEFAULT_CACHE_ALIAS, {})
    if config.get("BACKEND") != BACKEND:
        return None
    return windows(config.get("LOCATION", ""))


class LocMemCache(DjangoLocMemCache):
    def __init__(self, name: str, params: dict) -> None:
        super().__init__(name, params)
        self._location = name

    def clear(self) -> None:
        super().clear()
        windows(self._location).clear()
