"""allauth's rate limits: a 429 says when to try again, and counts the client's address as
core.net gives it (X-Forwarded-For believed from LEREND_TRUSTED_PROXIES only)."""

from __future__ import annotations

from django.urls import reverse

from accounts.adapter import AccountAdapter


def reset(client, email: str, **extra):
    return client.post(reverse("account_reset_password"), {"email": email}, **extra)


def test_allauths_429_carries_retry_after(client, member_user):
    statuses = [reset(client, member_user.email).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5
    assert statuses[5] == 429
    response = reset(client, member_user.email)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 300  # the longest of allauth's windows


def test_allauth_counts_the_address_behind_a_trusted_proxy(rf, settings):
    settings.LEREND_TRUSTED_PROXIES = ["10.0.0.0/8"]
    behind = rf.get("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert AccountAdapter(behind).get_client_ip(behind) == "198.51.100.7"
    direct = rf.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert AccountAdapter(direct).get_client_ip(direct) == "203.0.113.9"


def test_two_people_behind_one_proxy_have_their_own_limit(client, settings, member_user):
    """The per-address limit of password resets (20 a minute) is not shared by a room."""
    settings.LEREND_TRUSTED_PROXIES = ["10.0.0.1"]
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "reset_password": "2/m/ip"}
    first = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}
    second = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.2"}
    assert [reset(client, "a@x.test", **first).status_code for _ in range(3)] == [302, 302, 429]
    assert reset(client, "b@x.test", **second).status_code == 302
