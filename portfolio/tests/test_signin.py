"""Signing in to "Mijn leren" by e-mail and one-time code (allauth's login by code)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import User
from orgs.models import Membership

from .conftest import code_from_mail

START = "/mijn-leren/start/"


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_new_address_gets_a_portfolio_account_with_open_signup_off(client, db, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = False
    response = client.post(START, {"email": "Nieuw@Voorbeeld.test"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_confirm_login_code"))
    user = User.objects.get(email="nieuw@voorbeeld.test")
    assert not user.has_usable_password()
    assert not EmailAddress.objects.get(user=user).verified
    assert not is_logged_in(client)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nieuw@voorbeeld.test"]

    response = client.post(
        reverse("account_confirm_login_code"), {"code": code_from_mail(), "next": "/mijn-leren/"}
    )
    assert response.status_code == 302
    assert response.url == "/mijn-leren/"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert EmailAddress.objects.get(user=user).verified
    # Made without a role anywhere.
    assert Membership.objects.filter(user=user).count() == 0
    assert client.get("/mijn-leren/").status_code == 200


def test_a_known_address_gets_a_code_and_no_second_account(client, owner):
    response = client.post(START, {"email": owner.email})
    assert response.status_code == 302
    assert User.objects.filter(email=owner.email).count() == 1
    client.post(reverse("account_confirm_login_code"), {"code": code_from_mail()})
    assert int(client.session["_auth_user_id"]) == owner.pk
    assert owner.has_usable_password()  # the password stays as it was


def test_known_and_new_addresses_look_the_same(client, owner):
    known = client.post(START, {"email": owner.email})
    client.cookies.clear()
    new = client.post(START, {"email": "iemand@nieuw.test"})
    assert (known.status_code, known.url) == (new.status_code, new.url)


def test_a_wrong_code_does_not_sign_in_and_three_wrong_codes_end_the_attempt(client, owner):
    client.post(START, {"email": owner.email})
    code = code_from_mail()
    for _ in range(3):
        client.post(reverse("account_confirm_login_code"), {"code": "AAAA-AAAA"})
    assert not is_logged_in(client)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert not is_logged_in(client)
    assert response.status_code in (200, 302)


def test_codes_per_address_are_rate_limited(client, owner):
    # From fresh sessions (one session with a pending code gets no second mail at all).
    for _ in range(3):
        client.cookies.clear()
        assert client.post(START, {"email": owner.email}).status_code == 302
    client.cookies.clear()
    response = client.post(START, {"email": owner.email})
    assert response.status_code == 200  # the form again, with allauth's message
    assert 'class="errorlist' in response.content.decode()
    assert len(mail.outbox) == 3


def test_new_accounts_per_client_are_rate_limited(client, db):
    for i in range(10):
        client.cookies.clear()
        assert client.post(START, {"email": f"p{i}@nieuw.test"}).status_code == 302
    client.cookies.clear()
    response = client.post(START, {"email": "p10@nieuw.test"})
    assert response.status_code == 200
    assert "Too many new accounts" in response.content.decode()
    assert not User.objects.filter(email="p10@nieuw.test").exists()


def test_bad_addresses_are_refused_with_a_message(client, db):
    for value in ["", "not-an-address", "a@b", "x" * 300 + "@x.test", "a\x00@x.test"]:
        response = client.post(START, {"email": value})
        assert response.status_code == 200
        assert 'class="errorlist' in response.content.decode()
    assert User.objects.count() == 0


def test_the_start_page_renders_in_dutch(client, db):
    response = client.get(START, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert "Mijn leren" in response.content.decode()


def test_a_portfolio_page_sends_a_visitor_to_sign_in_by_code_and_back(client, owner):
    response = client.get("/mijn-leren/gesprekken/")
    assert response.status_code == 302
    assert response.url == "/mijn-leren/start/?next=/mijn-leren/gesprekken/"
    response = client.post(
        START + "?next=/mijn-leren/gesprekken/",
        {"email": owner.email, "next": "/mijn-leren/gesprekken/"},
    )
    assert (
        response.url
        == reverse("account_confirm_login_code") + "?next=%2Fmijn-leren%2Fgesprekken%2F"
    )
    response = client.post(
        reverse("account_confirm_login_code"),
        {"code": code_from_mail(), "next": "/mijn-leren/gesprekken/"},
    )
    assert response.url == "/mijn-leren/gesprekken/"


def test_an_outside_next_is_ignored(client, owner):
    response = client.post(START, {"email": owner.email, "next": "https://evil.test/"})
    assert response.url == reverse("account_confirm_login_code") + "?next=%2Fmijn-leren%2F"


def test_a_signed_in_person_goes_straight_to_the_portfolio(client, owner):
    client.force_login(owner)
    response = client.get(START)
    assert response.status_code == 302 and response.url == "/mijn-leren/"
