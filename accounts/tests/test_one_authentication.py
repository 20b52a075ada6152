"""One authentication answer per API request: a bearer token alone decides who acts.

Every pairing of a token (none, the admin's, a member's, an invalid one) with a session
cookie (none, the admin's, the member's), for an admin with and without a second factor:
who the API says you are, whether a change goes through (and is stored, by whom), and the
CSRF rule, which applies to the session only.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import ApiToken
from orgs.models import AuditEvent, Team

from .conftest import activate_totp

pytestmark = pytest.mark.usefixtures("admin_mfa_required")

TOKENS = ["none", "admin", "member", "invalid"]
COOKIES = ["none", "admin", "member"]


def expected_actor(token: str, cookie: str) -> str | None:
    if token != "none":
        return None if token == "invalid" else token
    return None if cookie == "none" else cookie


@pytest.fixture
def people(admin_user, member_user):
    return {"admin": admin_user, "member": member_user}


def make_client(people, token: str, cookie: str) -> tuple[Client, dict]:
    client = Client(enforce_csrf_checks=True)
    if cookie != "none":
        client.force_login(people[cookie])
    headers = {"Accept-Language": "en"}
    if token == "invalid":
        headers["Authorization"] = "Bearer lrn_not-a-real-token"
    elif token != "none":
        _record, raw = ApiToken.issue(people[token], "script")
        headers["Authorization"] = f"Bearer {raw}"
    return client, headers


@pytest.mark.parametrize("mfa", [True, False], ids=["admin-mfa", "admin-no-mfa"])
@pytest.mark.parametrize("cookie", COOKIES, ids=[f"cookie-{c}" for c in COOKIES])
@pytest.mark.parametrize("token", TOKENS, ids=[f"token-{t}" for t in TOKENS])
def test_the_token_alone_decides_who_acts(people, org, token, cookie, mfa):
    if mfa:
        activate_totp(people["admin"])
    client, headers = make_client(people, token, cookie)
    actor = expected_actor(token, cookie)

    me = client.get("/api/v1/me", headers=headers)
    # A change without a CSRF token: only a session needs one.
    created = client.post(
        f"/api/v1/organisations/{org.slug}/teams",
        data=json.dumps({"name": "Logistiek"}),
        content_type="application/json",
        headers=headers,
    )

    team = Team.objects.filter(organisation=org, name="Logistiek").first()
    if actor is None:
        assert me.status_code == 401, me.content
        assert me.json()["code"] == "not_authenticated"
        assert created.status_code == 401
        assert team is None
        return
    if actor == "admin" and not mfa:
        assert me.status_code == 403
        assert me.json()["code"] == "second_factor_required"
        assert created.status_code == 403
        assert created.json()["code"] == "second_factor_required"
        assert team is None
        return
    assert me.status_code == 200, me.content
    assert me.json()["email"] == people[actor].email
    if token == "none":
        # The session alone: the CSRF rule holds.
        assert created.status_code == 403
        assert created.json()["code"] == "csrf_failed"
        assert team is None
    elif actor == "member":
        assert created.status_code == 403
        assert created.json()["code"] == "permission_denied"
        assert team is None
    else:
        assert created.status_code == 201, created.content
        assert team is not None
        event = AuditEvent.objects.get(organisation=org, action="team.created")
        assert event.actor == people["admin"]


def test_a_session_with_its_csrf_token_still_acts(people, org):
    """The session path is unchanged: with the CSRF header a change goes through."""
    activate_totp(people["admin"])
    client, headers = make_client(people, "none", "admin")
    csrf = "k" * 32  # a CSRF secret as the cookie carries it
    client.cookies["csrftoken"] = csrf
    response = client.post(
        f"/api/v1/organisations/{org.slug}/teams",
        data=json.dumps({"name": "Logistiek"}),
        content_type="application/json",
        headers={**headers, "X-CSRFToken": csrf},
    )
    assert response.status_code == 201, response.content
    assert Team.objects.filter(organisation=org, name="Logistiek").exists()


def test_an_empty_bearer_header_sets_the_session_aside(people, org):
    activate_totp(people["admin"])
    client, headers = make_client(people, "none", "admin")
    response = client.get("/api/v1/me", headers={**headers, "Authorization": "Bearer "})
    assert response.status_code == 401


def test_a_token_request_does_not_touch_the_session(people):
    """The cookie's session is neither read for the user nor written back."""
    client, headers = make_client(people, "member", "admin")
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200
    assert response.json()["email"] == people["member"].email
    assert "sessionid" not in response.cookies


def test_web_pages_ignore_the_authorization_header(people, org):
    """Outside the API a page is the session's: a token does not log anybody in there."""
    activate_totp(people["admin"])
    client, _headers = make_client(people, "none", "none")
    _record, raw = ApiToken.issue(people["admin"], "script")
    response = client.get(f"/o/{org.slug}/", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 302
    assert "/accounts/login/" in response.url
