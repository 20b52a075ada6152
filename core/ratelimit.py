"""One rate limiter: fixed windows counted in the cache, with the seconds to wait.

    from core import ratelimit
    ratelimit.check(f"scan-link:{link.pk}", 600, 300, message=_("..."))

`check` counts one event in the bucket and raises `RateLimited` (a 429 `DomainError`
carrying `retry_after`) once the bucket holds more than `limit` events in the current
window; every 429 answer sends that figure as `Retry-After`. `exceeded` only looks, for
limits that count failures (wrong codes) but must not count the attempt itself. Buckets
are hashed, so an address or a code never appears in a cache key. With the default cache
(`core.cache.LocMemCache`) the counters are the process's own; with Redis they are shared.
"""

from __future__ import annotations

import functools
import hashlib
import math
import time
from contextvars import ContextVar

from django.core.cache import cache
from django.utils.functional import Promise

from .cache import default_windows
from .errors import DomainError

last_retry_after: ContextVar[int | None] = ContextVar("last_retry_after", default=None)
"""The wait of the last limit hit in this request, for a page that turns the error into a
429 of its own (core.middleware.RetryAfterMiddleware sends it as `Retry-After`)."""


class RateLimited(DomainError):
    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="rate_limited", status=429)
        self.retry_after = retry_after
        last_retry_after.set(retry_after)


def _window(bucket: str, window: int) -> tuple[str, int]:
    now = time.time()
    start = int(now // window) * window
    retry_after = max(1, math.ceil(start + window - now))
    return f"rl:{window}:{_digest(bucket)}:{start}", retry_after


@functools.lru_cache(maxsize=4096)
def _digest(bucket: str) -> str:
    """A room's phones count in the same buckets again and again: each is hashed once."""
    return hashlib.sha256(bucket.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def count(bucket: str, window: int = 60) -> int:
    """Add one event to the bucket's current window; returns the window's count."""
    key, _retry = _window(bucket, window)
    local = default_windows()  # the default cache's counters, in the process
    if local is not None:
        return local.count(key, window * 2)
    if cache.add(key, 1, window * 2):  # the window's first: one cache call, not two
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window * 2)
        return 1


def exceeded(bucket: str, limit: int, window: int = 60) -> int:
    """Seconds to wait if the bucket already holds `limit` events, else 0 (counts nothing)."""
    key, retry_after = _window(bucket, window)
    local = default_windows()
    held = local.peek(key) if local is not None else cache.get(key) or 0
    return retry_after if held >= limit else 0


def check(bucket: str, limit: int, window: int = 60, *, message: str | Promise) -> None:
    """Count one event; raise `RateLimited` past `limit` in this window. A hot path passes
    `message` lazily (`gettext_lazy`): it is translated only when the limit is hit."""
    if count(bucket, window) > limit:
        _key, retry_after = _window(bucket, window)
        raise RateLimited(str(message), retry_after=retry_after)
