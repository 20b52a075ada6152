"""Accepting an invitation: logged in, logging in, signing up, and every way it can fail."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import make_user
from orgs import services
from orgs.models import Invitation, Membership, Role

from .conftest import page_problems

PASSWORD = "correct horse battery"
NEW_PASSWORD = "een lang en vreemd wachtwoord 42"


@pytest.fixture
def invited(org, admin_user):
    """An open invitation for nieuw@example.test as facilitator; returns (invitation, key)."""
    return services.invite_member(
        org, email="nieuw@example.test", role=Role.FACILITATOR, actor=admin_user
    )


def accept_url(key: str) -> str:
    return reverse("invitation_accept", args=[key])


def test_the_mail_link_is_the_accept_page(
    org, admin_user, client, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://testserver"
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(org, email="nieuw@example.test", role="member", actor=admin_user)
    link = re.search(r"http://testserver(/o/invitations/[\w-]+/)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 200
    assert org.name in response.content.decode()


def test_logged_out_visitor_sees_organisation_role_and_next_steps(client, org, invited):
    _invitation, key = invited
    response = client.get(accept_url(key))
    html = response.content.decode()
    assert response.status_code == 200
    assert org.name in html and "Facilitator" in html
    assert client.session["invitation_key"] == key
    signup = re.search(r'href="(/accounts/signup/[^"]+)"', html).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(signup).query)
    assert query == {"email": ["nieuw@example.test"], "next": [accept_url(key)]}
    login = re.search(r'href="(/accounts/login/[^"]+)"', html).group(1)
    assert parse_qs(urlparse(login).query) == {"next": [accept_url(key)]}
    assert page_problems(response) == []


def test_logged_in_with_the_invited_address_accepts(client, org, invited):
    invitation, key = invited
    user = make_user("NIEUW@example.test")
    client.force_login(user)
    page = client.get(accept_url(key))
    assert "Accept and join" in page.content.decode()
    assert page_problems(page) == []

    response = client.post(accept_url(key))

    assert response.url == reverse("org_dashboard", args=[org.slug])
    assert Membership.objects.get(user=user, organisation=org).role == Role.FACILITATOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert "invitation_key" not in client.session
    assert client.get(response.url).status_code == 200


def test_a_used_link_is_gone(client, org, invited):
    _invitation, key = invited
    user = make_user("nieuw@example.test")
    client.force_login(user)
    client.post(accept_url(key))
    for method in (client.get, client.post):
        response = method(accept_url(key))
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    assert Membership.objects.filter(user=user).count() == 1


def test_an_unknown_key_is_not_found(client, db):
    response = client.get(accept_url("dit-is-geen-sleutel"))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert "invitation_key" not in client.session
    assert page_problems(response) == []


def test_an_expired_link_is_gone(client, org, invited):
    invitation, key = invited
    user = make_user("nieuw@example.test")
    client.force_login(user)
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)):
        page = client.get(accept_url(key))
        post = client.post(accept_url(key))
    assert page.status_code == post.status_code == 410
    assert "expired" in page.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_a_withdrawn_link_is_gone(client, org, admin_user, invited):
    invitation, key = invited
    services.revoke_invitation(invitation, actor=admin_user)
    response = client.get(accept_url(key))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert "invitation_key" not in client.session


def test_logged_in_with_another_address_cannot_accept(client, org, invited, outsider_user):
    invitation, key = invited
    client.force_login(outsider_user)
    page = client.get(accept_url(key))
    html = page.content.decode()
    assert "another address" in html
    assert "Accept and join" not in html
    response = client.post(accept_url(key))
    assert response.status_code == 403
    assert not Membership.objects.filter(user=outsider_user, organisation=org).exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_an_existing_member_cannot_accept_again(client, org, admin_user, member_user):
    _invitation, key = services.invite_member(
        org, email="iemand@example.test", role=Role.ADMIN, actor=admin_user
    )
    # The address became a member's address after the invitation was sent.
    member_user.email = "iemand@example.test"
    member_user.save()
    client.force_login(member_user)
    page = client.get(accept_url(key))
    assert "already a member" in page.content.decode()
    response = client.post(accept_url(key))
    assert response.status_code == 409
    assert Membership.objects.get(user=member_user, organisation=org).role == Role.MEMBER
    assert Invitation.objects.get(organisation=org, email="iemand@example.test").is_pending


def test_posting_while_logged_out_asks_to_log_in(client, org, invited):
    _invitation, key = invited
    response = client.post(accept_url(key))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert Membership.objects.filter(organisation=org).count() == 1


def test_log_in_through_the_invitation_and_accept(client, org, invited):
    _invitation, key = invited
    user = make_user("nieuw@example.test", PASSWORD)
    client.get(accept_url(key))
    response = client.post(
        reverse("account_login"),
        {"login": "nieuw@example.test", "password": PASSWORD, "next": accept_url(key)},
    )
    assert response.status_code == 302
    assert response.url == accept_url(key)
    client.post(accept_url(key))
    assert Membership.objects.get(user=user, organisation=org).role == Role.FACILITATOR


def test_log_in_without_next_still_returns_to_the_invitation(client, org, invited):
    _invitation, key = invited
    make_user("nieuw@example.test", PASSWORD)
    client.get(accept_url(key))
    response = client.post(
        reverse("account_login"), {"login": "nieuw@example.test", "password": PASSWORD}
    )
    assert response.url == accept_url(key)


def test_sign_up_through_the_invitation_ends_as_a_verified_member(client, org, invited, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = False
    invitation, key = invited
    page = client.get(accept_url(key))
    signup_url = re.search(r'href="(/accounts/signup/[^"]+)"', page.content.decode()).group(1)
    signup_url = signup_url.replace("&amp;", "&")

    form = client.get(signup_url)
    assert form.status_code == 200
    assert 'value="nieuw@example.test"' in form.content.decode()

    response = client.post(
        signup_url,
        {
            "email": "nieuw@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "next": accept_url(key),
        },
    )
    assert response.status_code == 302
    assert response.url == accept_url(key)
    user = User.objects.get(email="nieuw@example.test")
    assert EmailAddress.objects.get(user=user).verified
    assert int(client.session["_auth_user_id"]) == user.pk
    assert mail.outbox == []  # no confirmation mail: the link proved the address

    response = client.post(accept_url(key))
    assert response.url == reverse("org_dashboard", args=[org.slug])
    assert Membership.objects.get(user=user, organisation=org).role == Role.FACILITATOR
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_sign_up_through_the_invitation_needs_the_invited_address(client, org, invited, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = False
    _invitation, key = invited
    client.get(accept_url(key))
    response = client.post(
        reverse("account_signup"),
        {"email": "ander@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "nieuw@example.test" in str(response.context["form"].errors)
    assert not User.objects.filter(email="ander@example.test").exists()


def test_sign_up_stays_closed_without_an_invitation(client, db, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = False
    client.post(
        reverse("account_signup"),
        {"email": "los@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(email="los@example.test").exists()


def test_sign_up_stays_closed_with_an_unusable_invitation_in_the_session(
    client, org, admin_user, invited, settings
):
    settings.ACCOUNT_SIGNUP_ENABLED = False
    invitation, key = invited
    client.get(accept_url(key))
    services.revoke_invitation(invitation, actor=admin_user)
    client.post(
        reverse("account_signup"),
        {"email": "nieuw@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert not User.objects.filter(email="nieuw@example.test").exists()


def test_open_sign_up_with_another_address_is_not_verified_by_the_invitation(
    client, org, invited, settings
):
    settings.ACCOUNT_SIGNUP_ENABLED = True
    _invitation, key = invited
    client.get(accept_url(key))
    client.post(
        reverse("account_signup"),
        {"email": "ander@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user = User.objects.get(email="ander@example.test")
    assert not EmailAddress.objects.get(user=user).verified


def test_the_invitation_mail_in_dutch_and_english(
    org, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(org, email="nl@example.test", role="member", actor=admin_user)
    org.language = "en"
    org.name = "Bakker & Zonen"
    org.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(org, email="en@example.test", role="member", actor=admin_user)
    dutch, english = mail.outbox
    assert "/o/invitations/" in dutch.body and "/o/invitations/" in english.body
    assert english.alternatives[0][1] == "text/html"
    assert "\n" not in english.subject
    assert "Bakker & Zonen" in english.subject and "Bakker & Zonen" in english.body
    assert "Bakker &amp; Zonen" in english.alternatives[0][0]
    expires = timezone.localtime(Invitation.objects.get(email="en@example.test").expires_at)
    assert str(expires.year) in english.body
