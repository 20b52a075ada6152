"""Organisation admins need a TOTP second factor; users with one are asked for a code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.middleware import activation_url
from accounts.models import ApiToken

from .conftest import (
    PASSWORD,
    activate_totp,
    assert_our_page,
    current_code,
    is_logged_in,
    log_in,
    wrong_code,
)

pytestmark = pytest.mark.usefixtures("admin_mfa_required")


def dashboard(org) -> str:
    return reverse("org_dashboard", args=[org.slug])


def test_admin_without_totp_is_sent_to_activation_with_a_message(client, admin_user, org):
    client.force_login(admin_user)
    response = client.get(dashboard(org) + "?tab=a&b=c")
    assert response.status_code == 302
    url = urlsplit(response.url)
    assert url.path == reverse("mfa_activate_totp")
    assert parse_qs(url.query) == {"next": [dashboard(org) + "?tab=a&b=c"]}
    assert "%2F" in url.query and "&b=" not in url.query  # encoded, not split
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["warning"]


def test_admin_without_totp_gets_403_json_from_the_api(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_admin_without_totp_cannot_use_the_api_with_a_token(client, admin_user):
    _token, raw = ApiToken.issue(admin_user, "script")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_admin_with_totp_uses_the_api_with_a_token(client, admin_user):
    activate_totp(admin_user)
    _token, raw = ApiToken.issue(admin_user, "script")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["email"] == admin_user.email


def test_htmx_request_is_redirected_by_htmx(client, admin_user, org):
    client.force_login(admin_user)
    response = client.get(dashboard(org), headers={"HX-Request": "true"})
    assert urlsplit(response["HX-Redirect"]).path == reverse("mfa_activate_totp")


def test_post_is_redirected_without_next(client, admin_user, org):
    client.force_login(admin_user)
    response = client.post(dashboard(org))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_next_is_only_a_local_path(rf):
    request = rf.get("/o/x/")
    request.path = "//evil.example/o/x/"
    assert activation_url(request) == reverse("mfa_activate_totp")


def test_admin_may_still_open_account_pages(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("profile")).status_code == 200


def test_admin_with_totp_reaches_pages(client, admin_user, org):
    activate_totp(admin_user)
    client.force_login(admin_user)
    assert client.get(dashboard(org)).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("who", ["member_user", "facilitator_user"])
def test_members_and_facilitators_are_not_forced(client, org, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(dashboard(org)).status_code == 200
    assert client.get("/api/v1/me").status_code == 200


def test_requirement_can_be_switched_off(client, admin_user, org, settings):
    settings.LEREND_ADMIN_MFA_REQUIRED = False
    client.force_login(admin_user)
    assert client.get(dashboard(org)).status_code == 200


def test_admin_activates_totp_through_the_page(client, admin_user, org):
    log_in(client, admin_user.email)
    # allauth asks for the password again before a second factor is added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert urlsplit(response.url).path == reverse("account_reauthenticate")
    assert_our_page(client.get(response.url))
    client.post(response.url, {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert_our_page(response)
    html = response.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    secret = client.session["mfa.totp.secret"]
    assert f'<code id="totp-secret">{secret}</code>' in html

    response = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=admin_user).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=admin_user, type=Authenticator.Type.TOTP).exists()
    assert client.get(dashboard(org)).status_code == 200


def test_login_with_totp_asks_for_the_code(client, admin_user, org):
    secret = activate_totp(admin_user)
    response = log_in(client, admin_user.email)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not is_logged_in(client)
    assert_our_page(client.get(reverse("mfa_authenticate")))

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_logged_in(client)

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == admin_user.pk
    assert client.get(dashboard(org)).status_code == 200


def test_a_used_code_cannot_be_used_again(client, admin_user):
    secret = activate_totp(admin_user)
    code = current_code(secret)
    log_in(client, admin_user.email)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert is_logged_in(client)
    client.logout()
    log_in(client, admin_user.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert not is_logged_in(client)
