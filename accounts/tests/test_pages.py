"""Every allauth page renders inside base.html: one h1, labelled inputs, no inline script
or style (the CSP forbids them), in Dutch by default and in English on request."""

from __future__ import annotations

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings as django_settings
from django.urls import reverse

from accounts.models import User

from .conftest import (
    PASSWORD,
    activate_totp,
    assert_our_page,
    audit,
    current_code,
    log_in,
    wrong_code,
)

LOGGED_OUT_PAGES = [
    "account_login",
    "account_request_login_code",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "account_signup",
]

LOGGED_IN_PAGES = [
    "account_logout",
    "account_email",
    "account_change_password",
    "account_reauthenticate",
    "mfa_index",
]


@pytest.mark.parametrize("name", LOGGED_OUT_PAGES)
def test_logged_out_pages(client, db, name):
    assert_our_page(client.get(reverse(name)))


def test_open_signup_page(client, db, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = True
    response = client.get(reverse("account_signup"))
    assert_our_page(response)
    assert 'name="password1"' in response.content.decode()


@pytest.mark.parametrize("name", LOGGED_IN_PAGES)
def test_logged_in_pages(client, member_user, name):
    log_in(client, member_user.email)
    assert_our_page(client.get(reverse(name)))


def test_login_page_labels_errors_and_sign_in_code(client, member_user):
    response = log_in(client, member_user.email, "wrong password!")
    assert_our_page(response)
    html = response.content.decode()
    assert '<label for="id_login">' in html
    assert '<label for="id_password">' in html
    assert 'role="alert"' in html
    assert f'href="{reverse("account_request_login_code")}"' in html
    assert f'href="{reverse("account_reset_password")}"' in html


def test_login_page_in_english(client, db):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("account_login"))
    assert '<html lang="en">' in response.content.decode()
    assert "<h1>Log in</h1>" in response.content.decode()  # our word, not allauth's "Sign In"


def test_login_page_in_dutch_by_default(client, db, settings):
    settings.LANGUAGE_CODE = "nl"  # the product's default; the test settings read English
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="nl">' in html
    assert "<h1>Sign In</h1>" not in html  # allauth's Dutch catalogue (or ours) applies


def test_field_errors_are_tied_to_their_input(client, member_user):
    log_in(client, member_user.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "nope", "password1": "short", "password2": "other"},
    )
    assert_our_page(response)
    page = audit(response)
    described = {f["id"]: f.get("aria-describedby", "") for f in page.inputs}
    assert "id_oldpassword_error" in described["id_oldpassword"]


def test_password_reset_from_key_page(client, member_user):
    key = default_token_generator.make_token(member_user)
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(member_user), "key": key},
    )
    response = client.get(url, follow=True)
    assert_our_page(response)
    assert 'name="password1"' in response.content.decode()


def test_bad_password_reset_key_page(client, member_user):
    url = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(member_user), "key": "bad-key"},
    )
    response = client.get(url, follow=True)
    assert_our_page(response)
    assert response.context["token_fail"]


def test_email_confirm_page(client, db):
    user = User.objects.create_user("nieuw@korenbloem.test", PASSWORD)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key
    assert_our_page(client.get(reverse("account_confirm_email", args=[key])))
    assert_our_page(client.get(reverse("account_confirm_email", args=["nonsense"])))


def test_confirm_login_code_page(client, member_user):
    client.post(reverse("account_request_login_code"), {"email": member_user.email})
    assert_our_page(client.get(reverse("account_confirm_login_code")))


def test_mfa_pages_with_totp(client, member_user):
    secret = activate_totp(member_user)
    RecoveryCodes.activate(member_user)
    log_in(client, member_user.email)
    assert_our_page(client.get(reverse("mfa_authenticate")))
    assert_our_page(client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)}))
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert "_auth_user_id" in client.session

    assert_our_page(client.get(reverse("mfa_index")))
    assert_our_page(client.get(reverse("mfa_reauthenticate")))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    for name in ("mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_generate_recovery_codes"):
        assert_our_page(client.get(reverse(name)))


def test_manage_pages_link_back_to_the_account_page(client, member_user):
    log_in(client, member_user.email)
    html = client.get(reverse("account_email")).content.decode()
    assert f'href="{reverse("profile")}"' in html


def test_totp_activation_page_has_qr_and_secret(client, member_user):
    log_in(client, member_user.email)
    reauth = client.get(reverse("mfa_activate_totp")).url
    client.post(reauth, {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert_our_page(response)
    page = audit(response)
    qr = [img for img in page.images if img["src"].startswith("data:image/svg+xml;base64,")]
    assert len(qr) == 1 and qr[0]["alt"]
    assert client.session["mfa.totp.secret"] in response.content.decode()
