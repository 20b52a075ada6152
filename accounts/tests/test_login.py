"""Signing in, sign-in codes, password reset and e-mail verification (allauth)."""

from __future__ import annotations

import os
import subprocess
import sys

from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from conftest import make_user

from .conftest import PASSWORD, extract, is_logged_in, log_in

WRONG = "not the right password"


def test_login_with_email_and_password(client, member_user):
    response = log_in(client, "MO@korenbloem.test")
    assert response.status_code == 302
    assert is_logged_in(client)
    assert int(client.session["_auth_user_id"]) == member_user.pk


def test_wrong_password_error_does_not_reveal_whether_the_account_exists(client, member_user):
    known = log_in(client, member_user.email, WRONG)
    unknown = log_in(client, "nobody@korenbloem.test", WRONG)
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert known.context["form"].non_field_errors()
    assert not is_logged_in(client)


def test_login_failures_are_rate_limited_even_for_the_right_password(client, member_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    for _ in range(3):
        assert log_in(client, member_user.email, WRONG).status_code == 200
    response = log_in(client, member_user.email)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors().as_data()
    assert [e.code for e in errors] == ["too_many_login_attempts"]
    assert not is_logged_in(client)


def test_configured_login_failure_limit_is_per_account_and_per_address():
    limits = django_settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    assert any(limit.endswith("/ip") for limit in limits)
    assert any(limit.endswith("/key") for limit in limits)


def test_the_rate_limit_is_per_account(client, member_user, facilitator_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/5m/key"}
    for _ in range(3):
        log_in(client, member_user.email, WRONG)
    log_in(client, facilitator_user.email)
    assert int(client.session["_auth_user_id"]) == facilitator_user.pk


def test_login_by_emailed_code(client, member_user):
    response = client.post(reverse("account_request_login_code"), {"email": member_user.email})
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [member_user.email]
    code = extract(r"\n\n([A-Z0-9]{4}-[A-Z0-9]{4})\n\n", mail.outbox[0].body)

    wrong = client.post(reverse("account_confirm_login_code"), {"code": "WRONG1"})
    assert wrong.status_code == 200
    assert not is_logged_in(client)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member_user.pk


def test_login_code_for_an_unknown_address_looks_the_same(client, db):
    response = client.post(reverse("account_request_login_code"), {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert response.url == reverse("account_confirm_login_code")
    assert not is_logged_in(client)


def test_password_reset_end_to_end(client, member_user):
    response = client.post(reverse("account_reset_password"), {"email": member_user.email})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    link = extract(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)

    response = client.get(link)  # allauth moves the key out of the address into the session
    assert response.status_code == 302
    set_password_url = response.url
    assert client.get(set_password_url).status_code == 200

    new_password = "a brand new passphrase 42"
    response = client.post(set_password_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    member_user.refresh_from_db()
    assert member_user.check_password(new_password)
    assert not member_user.check_password(PASSWORD)

    client.logout()
    assert log_in(client, member_user.email, new_password).status_code == 302
    assert is_logged_in(client)


def test_password_reset_link_is_single_use(client, member_user):
    client.post(reverse("account_reset_password"), {"email": member_user.email})
    link = extract(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    set_password_url = client.get(link).url
    new = "first new phrase 1"
    client.post(set_password_url, {"password1": new, "password2": new})
    client.logout()
    response = client.get(link, follow=True)
    assert response.context["token_fail"]
    member_user.refresh_from_db()
    assert member_user.check_password(new)


def test_password_reset_for_unknown_address_looks_the_same(client, member_user):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    member_user.refresh_from_db()
    assert member_user.check_password(PASSWORD)


def test_unverified_address_cannot_log_in_and_gets_a_verification_mail(client, db):
    user = User.objects.create_user("nieuw@korenbloem.test", PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = log_in(client, user.email)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]

    link = extract(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified


def test_signup_is_closed_by_default(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@y.test", "password1": "long enough pass 1", "password2": "long enough pass 1"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@y.test").exists()


def test_open_signup_sends_verification_and_does_not_log_in(client, db, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = True
    password = "long enough pass 1"
    response = client.post(
        reverse("account_signup"),
        {"email": "x@y.test", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    assert EmailAddress.objects.get(email="x@y.test").verified is False
    assert len(mail.outbox) == 1


def test_production_settings_hash_passwords_with_argon2():
    env = {k: v for k, v in os.environ.items() if k not in ("LEREND_TESTING", "LEREND_ENV")}
    env["DJANGO_SETTINGS_MODULE"] = "lerend.settings"
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])",
        ],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_password_stored_with_the_production_hashers_is_argon2(db, settings):
    settings.PASSWORD_HASHERS = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    user = make_user("argon@korenbloem.test", PASSWORD)
    assert user.password.startswith("argon2$")
    assert user.check_password(PASSWORD)
