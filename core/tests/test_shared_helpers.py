"""The text cleaner, the rate limiter and the client address."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.test import RequestFactory

from core import ratelimit
from core.net import client_address
from core.text import TextError, clean_name, clean_text


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("\ud800", "surrogate"),
        ("Team\x00", "control"),
        ("bel\x07", "control"),
        ("two\nlines", "control"),
        ("\u200b\u200c\ufeff", "empty"),
        ("   ", "empty"),
        ("abc\u202edcb", "bidi"),
        ("x\u2066y", "bidi"),
        ("a" * 151, "too_long"),
    ],
)
def test_clean_name_refuses(value, code):
    with pytest.raises(TextError) as error:
        clean_name(value)
    assert error.value.code == code
    assert error.value.message


def test_clean_name_normalises_and_strips():
    assert clean_name("  Cafe\u0301 ") == "Café"
    assert clean_name("", required=False) == ""
    assert clean_name("<script>x</script>") == "<script>x</script>"  # escaped on output


def test_clean_text_keeps_lines_and_tabs():
    assert clean_text("one\r\ntwo\tthree\rfour") == "one\ntwo\tthree\nfour"
    with pytest.raises(TextError):
        clean_text("a\x1bb")


@pytest.fixture
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_rate_limit_counts_per_bucket_and_gives_retry_after(clean_cache):
    with time_machine.travel(1_800_000_010, tick=False):
        for _ in range(3):
            ratelimit.check("a", 3, 60, message="slow down")
        ratelimit.check("b", 3, 60, message="slow down")  # another bucket is apart
        with pytest.raises(ratelimit.RateLimited) as error:
            ratelimit.check("a", 3, 60, message="slow down")
    assert error.value.status == 429
    assert error.value.retry_after == 50  # the window started at ...000 and lasts 60 s
    with time_machine.travel(1_800_000_061, tick=False):
        ratelimit.check("a", 3, 60, message="slow down")  # a new window


def test_exceeded_only_looks(clean_cache):
    with time_machine.travel(1_800_000_000, tick=False):
        assert ratelimit.exceeded("wrong", 2) == 0
        ratelimit.count("wrong")
        ratelimit.count("wrong")
        assert ratelimit.exceeded("wrong", 2) == 60
        assert ratelimit.exceeded("wrong", 3) == 0


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "10.0.0.5", "1.2.3.4", "10.0.0.5"),  # nobody trusted: the header is ignored
        (["10.0.0.5"], "10.0.0.5", "1.2.3.4", "1.2.3.4"),
        (["10.0.0.0/8"], "10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9", "1.2.3.4"),
        (["10.0.0.5"], "9.9.9.9", "1.2.3.4", "9.9.9.9"),  # not from the proxy
        (["10.0.0.5"], "10.0.0.5", "", "10.0.0.5"),
        (["10.0.0.5"], "10.0.0.5", "junk, 1.2.3.4", "1.2.3.4"),
        (["10.0.0.5"], "10.0.0.5", "1.2.3.4, junk", "10.0.0.5"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
    ],
)
def test_client_address(settings, trusted, remote, forwarded, expected):
    settings.LEREND_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
