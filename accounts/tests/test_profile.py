"""The account page: details, language, organisations and personal API tokens."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, hash_token
from conftest import make_user
from orgs.models import Membership, Role

from .conftest import activate_totp, assert_our_page


@pytest.fixture
def owner(db):
    return make_user("eva@korenbloem.test", name="Eva")


@pytest.fixture
def token(owner) -> ApiToken:
    return ApiToken.issue(owner, "Rapport-script")[0]


def revoke_url(token: ApiToken) -> str:
    return reverse("token_revoke", args=[token.public_id])


# --- access -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "needs_token"),
    [
        ("get", "profile", False),
        ("post", "profile", False),
        ("post", "token_create", False),
        ("post", "token_revoke", True),
    ],
)
def test_logged_out_is_sent_to_login(client, token, method, name, needs_token):
    url = reverse(name, args=[token.public_id] if needs_token else [])
    response = getattr(client, method)(url, {"label": "x", "name": "x", "language": "en"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login") + "?next=")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_token_urls_use_the_public_id_not_the_integer_id(token):
    assert str(token.public_id) in revoke_url(token)
    assert f"/{token.pk}/" not in revoke_url(token)


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_token_views_only_accept_post(client, owner, token, method):
    client.force_login(owner)
    assert getattr(client, method)(reverse("token_create")).status_code == 405
    assert getattr(client, method)(revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_another_users_token_is_404_and_unchanged(client, token, member_user, headers):
    client.force_login(member_user)
    response = client.post(revoke_url(token), headers=headers)
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_unknown_token_is_404(client, owner):
    client.force_login(owner)
    response = client.post(reverse("token_revoke", args=["00000000-0000-0000-0000-000000000000"]))
    assert response.status_code == 404


# --- the page ---------------------------------------------------------------------------


def test_profile_page_shows_details_links_organisations_and_tokens(
    client, owner, org, other_org, token
):
    Membership.objects.create(user=owner, organisation=org, role=Role.FACILITATOR)
    Membership.objects.create(user=owner, organisation=other_org, role=Role.MEMBER)
    client.force_login(owner)
    response = client.get(reverse("profile"))
    assert_our_page(response)
    html = response.content.decode()
    for name in ("account_change_password", "account_email", "mfa_index"):
        assert f'href="{reverse(name)}"' in html
    assert org.name in html and other_org.name in html
    assert [(m.organisation, m.role) for m in response.context["memberships"]] == [
        (org, Role.FACILITATOR),
        (other_org, Role.MEMBER),
    ]
    assert "Rapport-script" in html
    assert token.prefix in html
    assert token.token_hash not in html


def test_profile_lists_only_own_tokens(client, owner, token, member_user):
    ApiToken.issue(member_user, "Niet van Eva")
    client.force_login(owner)
    response = client.get(reverse("profile"))
    assert list(response.context["tokens"]) == [token]
    assert "Niet van Eva" not in response.content.decode()


def test_profile_shows_revoked_and_last_used(client, owner):
    used, _raw = ApiToken.issue(owner, "used")
    used.last_used_at = timezone.now()
    used.save()
    gone, _raw = ApiToken.issue(owner, "gone")
    gone.revoke()
    client.force_login(owner)
    html = client.get(reverse("profile")).content.decode()
    assert revoke_url(used) in html
    assert revoke_url(gone) not in html  # nothing left to revoke
    assert html.count("/revoke/") == 2  # action and hx-post of the one active token


def test_save_name_and_language_switches_the_interface(client, owner):
    client.force_login(owner)
    response = client.post(reverse("profile"), {"name": "Eva Peeters", "language": "en"})
    assert response.status_code == 302
    assert response.url == reverse("profile")
    owner.refresh_from_db()
    assert (owner.name, owner.language) == ("Eva Peeters", "en")
    cookie = response.cookies[django_settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["samesite"] == "Lax"

    page = client.get(reverse("profile"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    assert "Your account details have been saved." in page.content.decode()


def test_language_choice_starts_at_the_current_language(client, owner):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(owner)
    response = client.get(reverse("profile"))
    form = response.context["profile_form"]
    assert form["language"].value() == "en"
    assert dict(form.fields["language"].choices) == {"nl": "Nederlands", "en": "English"}


def test_language_must_be_one_we_offer(client, owner):
    client.force_login(owner)
    response = client.post(reverse("profile"), {"name": "Eva", "language": "xx"})
    assert response.status_code == 200
    assert "language" in response.context["profile_form"].errors
    assert django_settings.LANGUAGE_COOKIE_NAME not in response.cookies
    owner.refresh_from_db()
    assert owner.language == ""
    assert_our_page(response)


def test_name_too_long_is_refused(client, owner):
    client.force_login(owner)
    response = client.post(reverse("profile"), {"name": "x" * 151, "language": "nl"})
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.name == "Eva"


def test_admin_without_second_factor_is_told_on_the_profile(client, admin_user, settings):
    settings.LEREND_ADMIN_MFA_REQUIRED = True
    client.force_login(admin_user)
    response = client.get(reverse("profile"))
    assert response.context["second_factor_required"]
    assert f'href="{reverse("mfa_activate_totp")}"' in response.content.decode()
    activate_totp(admin_user)
    response = client.get(reverse("profile"))
    assert not response.context["second_factor_required"]
    assert response.context["has_totp"]


# --- creating tokens --------------------------------------------------------------------


def test_create_token_shows_it_once_and_stores_only_its_hash(client, owner):
    client.force_login(owner)
    response = client.post(reverse("token_create"), {"label": "  Export naar HR  "})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert_our_page(response)
    raw = response.context["raw_token"]
    assert raw.startswith("lrn_")
    assert f'<code id="new-token">{raw}</code>' in response.content.decode()

    token = ApiToken.objects.get(user=owner)
    assert token.label == "Export naar HR"
    assert token.token_hash == hash_token(raw)
    assert raw.startswith(token.prefix)
    assert raw not in {token.label, token.prefix, token.token_hash}

    assert raw not in str(dict(client.session))
    profile = client.get(reverse("profile")).content.decode()
    assert raw not in profile
    assert token.prefix in profile


def test_created_token_authenticates_the_api(client, owner):
    client.force_login(owner)
    raw = client.post(reverse("token_create"), {"label": "api"}).context["raw_token"]
    client.logout()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert response.json()["email"] == owner.email


@pytest.mark.parametrize("label", ["", "   ", "x" * 101])
def test_create_token_bad_label(client, owner, label):
    client.force_login(owner)
    response = client.post(reverse("token_create"), {"label": label})
    assert response.status_code == 200
    assert "label" in response.context["token_form"].errors
    assert not ApiToken.objects.exists()
    assert_our_page(response)
    html = response.content.decode()
    assert 'aria-describedby="id_label_helptext id_label_error"' in html or (
        'aria-describedby="id_label_error id_label_helptext"' in html
    )
    assert 'aria-invalid="true"' in html


def test_label_of_100_characters_is_fine(client, owner):
    client.force_login(owner)
    client.post(reverse("token_create"), {"label": "x" * 100})
    assert ApiToken.objects.get(user=owner).label == "x" * 100


def test_html_in_label_is_shown_escaped(client, owner):
    client.force_login(owner)
    label = '<script>alert("x")</script><b>vet</b>'
    response = client.post(reverse("token_create"), {"label": label})
    assert ApiToken.objects.get(user=owner).label == label
    for page in (response, client.get(reverse("profile"))):
        html = page.content.decode()
        assert "<script>alert" not in html
        assert "<b>vet</b>" not in html
        assert "&lt;b&gt;vet&lt;/b&gt;" in html


# --- revoking ---------------------------------------------------------------------------


def test_revoke_without_javascript(client, owner, token):
    client.force_login(owner)
    response = client.post(revoke_url(token))
    assert response.status_code == 302
    assert response.url == reverse("profile")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert not ApiToken.objects.active().filter(pk=token.pk).exists()


def test_revoke_with_htmx_returns_the_list_fragment(client, owner, token):
    other, _raw = ApiToken.issue(owner, "Blijft")
    client.force_login(owner)
    response = client.post(revoke_url(token), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="token-list">')
    assert "<html" not in html and "<h1" not in html
    assert "Rapport-script" in html and "Blijft" in html
    assert revoke_url(other) in html
    assert revoke_url(token) not in html
    token.refresh_from_db()
    assert token.revoked_at is not None
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoking_twice_keeps_the_first_date(client, owner, token):
    client.force_login(owner)
    client.post(revoke_url(token))
    token.refresh_from_db()
    first = token.revoked_at
    client.post(revoke_url(token))
    token.refresh_from_db()
    assert token.revoked_at == first


def test_revoked_token_no_longer_authenticates(client, owner):
    token, raw = ApiToken.issue(owner, "kort")
    client.force_login(owner)
    client.post(revoke_url(token))
    client.logout()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
