"""Every 429 says when to try again, also when a page makes its own 429 of a limit."""

from __future__ import annotations

from django.http import HttpResponse
from django.test import RequestFactory

from core import ratelimit
from core.errors import DomainError
from core.middleware import RetryAfterMiddleware


def page_that_hits_a_limit(request):
    try:
        ratelimit.check("test:page", 0, 60, message="slow down")
    except DomainError as error:
        return HttpResponse(error.message, status=429)
    return HttpResponse("ok")


def test_a_page_made_429_carries_the_limits_wait():
    response = RetryAfterMiddleware(page_that_hits_a_limit)(RequestFactory().get("/"))
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_429_without_a_known_limit_gets_allauths_longest_window():
    response = RetryAfterMiddleware(lambda r: HttpResponse(status=429))(RequestFactory().get("/"))
    assert response["Retry-After"] == "300"


def test_an_answer_that_is_not_429_is_left_alone():
    response = RetryAfterMiddleware(lambda r: HttpResponse("ok"))(RequestFactory().get("/"))
    assert not response.has_header("Retry-After")


def test_a_limit_of_an_earlier_request_does_not_leak_into_the_next():
    # Tests that call the limiter outside a request leave the variable set in this
    # thread; what the middleware must do is restore what was there before the request.
    before = ratelimit.last_retry_after.set(None)
    try:
        RetryAfterMiddleware(page_that_hits_a_limit)(RequestFactory().get("/"))
        assert ratelimit.last_retry_after.get() is None
    finally:
        ratelimit.last_retry_after.reset(before)
