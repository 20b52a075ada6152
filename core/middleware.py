"""Project-wide middleware that belongs to no single app."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .ratelimit import last_retry_after


@lru_cache(maxsize=1)
def _longest_allauth_window() -> int:
    """The longest window of allauth's rate limits, in seconds: allauth answers 429 without
    saying which limit was hit, so this is when every one of them has room again."""
    from allauth.core.internal.ratelimit import parse_rates

    longest = 0.0
    for rates in getattr(settings, "ACCOUNT_RATE_LIMITS", {}).values():
        for rate in parse_rates(rates) if rates else []:
            longest = max(longest, rate.duration)
    return max(1, math.ceil(longest or 60))


class RetryAfterMiddleware:
    """Every 429 says when to try again (`Retry-After`, in seconds).

    Our own limits (core.ratelimit) and ninja's throttles set the exact figure; a page that
    turns a `RateLimited` into a 429 of its own gets that limit's wait; a 429 without
    either (allauth's login, sign-up and code limits) gets the longest window of allauth's
    limits.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = last_retry_after.set(None)
        try:
            response = self.get_response(request)
            if response.status_code == 429 and not response.has_header("Retry-After"):
                wait = last_retry_after.get() or _longest_allauth_window()
                response["Retry-After"] = str(wait)
        finally:
            last_retry_after.reset(token)
        return response
