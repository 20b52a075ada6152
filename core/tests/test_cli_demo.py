"""`lerend demo` and `lerend demo --code`."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conftest import make_user
from core.management.commands import demo
from orgs.models import AuditEvent, Membership, Organisation, Role, Team


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth remembers used TOTP codes (and rate limits) in the cache."""
    cache.clear()
    yield
    cache.clear()


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def fingerprint() -> dict:
    return {
        "users": sorted(User.objects.values_list("email", "password")),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "organisation__slug", "role")
        ),
        "teams": sorted(Team.objects.values_list("name", "parent__name")),
        "member_teams": sorted(Membership.objects.values_list("user__email", "teams__name")),
        "authenticators": sorted(Authenticator.objects.values_list("user__email", "type")),
        "audit": AuditEvent.objects.count(),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified")),
    }


def test_the_demo(db, settings):
    out, _ = run()
    org = Organisation.objects.get(slug="demo")
    assert org.name == "Demo: Stad Lerendonk"

    roles = dict(org.memberships.values_list("user__email", "role"))
    assert roles["admin@demo.example.org"] == Role.ADMIN
    assert roles["facilitator@demo.example.org"] == Role.FACILITATOR
    assert roles["member@demo.example.org"] == Role.MEMBER
    assert all(email.endswith("@demo.example.org") for email in roles)
    assert not EmailAddress.objects.filter(verified=False).exists()

    departments = Team.objects.filter(organisation=org, parent=None)
    assert departments.count() >= 3
    sizes = []
    for department in departments:
        teams = department.children.all()
        assert 2 <= teams.count() <= 3
        sizes += [team.memberships.count() for team in teams]
        assert not teams.filter(children__isnull=False).exists()
    assert len(set(sizes)) > 3, "teams of different sizes"
    assert min(sizes) < org.anonymity_minimum <= max(sizes)

    for email in ("admin", "facilitator", "member"):
        assert User.objects.get(email=f"{email}@demo.example.org").check_password(
            demo.DEMO_PASSWORD
        )
    colleague = User.objects.exclude(email__in=[e for e, *_ in demo.LOGINS]).first()
    assert not colleague.has_usable_password()

    admin = User.objects.get(email="admin@demo.example.org")
    totp = Authenticator.objects.get(user=admin, type=Authenticator.Type.TOTP)
    code, _ = demo.current_code(demo.DEMO_TOTP_SECRET)
    assert TOTP(totp).validate_code(code)

    assert settings.SITE_URL in out
    assert "admin@demo.example.org" in out and "member@demo.example.org" in out
    assert demo.DEMO_PASSWORD in out
    assert "lerend demo --code" in out
    assert "public" in out


def test_running_the_demo_twice_changes_nothing_and_prints_the_same(db):
    first, _ = run()
    before = fingerprint()
    second, _ = run()
    assert second == first
    assert fingerprint() == before


def test_the_demo_restores_what_is_missing(db):
    run()
    Team.objects.get(name="Gebouwen").memberships.clear()
    Team.objects.get(name="Gebouwen").delete()
    run()
    team = Team.objects.get(name="Gebouwen")
    assert team.parent.name == "Technische dienst"
    assert team.memberships.count() == 0, "existing members are left where they are"


def test_the_demo_works_with_the_admin_login(db, settings):
    settings.LEREND_ADMIN_MFA_REQUIRED = True
    run()
    client = Client()
    client.force_login(User.objects.get(email="admin@demo.example.org"))
    response = client.get("/api/v1/organisations/demo/members")
    assert response.status_code == 200
    assert response.json()["count"] == Membership.objects.count()


def test_the_demo_admin_logs_in_with_the_password_and_the_printed_code(db, settings):
    settings.LEREND_ADMIN_MFA_REQUIRED = True
    run()
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "admin@demo.example.org", "password": demo.DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    code, _ = run("--code")
    response = client.post(reverse("mfa_authenticate"), {"code": code.strip()})
    assert response.status_code == 302
    assert client.get("/api/v1/me").json()["email"] == "admin@demo.example.org"
    assert client.get("/api/v1/organisations/demo/members").status_code == 200


def test_code_prints_the_current_code_only(db):
    run()
    with time_machine.travel(1_800_000_000, tick=False):
        out, err = run("--code")
        expected, seconds = demo.current_code(demo.DEMO_TOTP_SECRET)
    assert out == expected + "\n"
    assert len(expected) == 6 and expected.isdigit()
    assert f"Valid for {seconds} more seconds" in err


def test_code_refuses_without_demo_data(db):
    with pytest.raises(CommandError, match="no demo here"):
        run("--code")


def test_code_refuses_for_a_second_factor_that_is_not_the_demo_one(db):
    run()
    admin = User.objects.get(email="admin@demo.example.org")
    Authenticator.objects.filter(user=admin).delete()
    TOTP.activate(admin, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    with pytest.raises(CommandError, match="not the demo one"):
        run("--code")
    _, err = run()
    assert "another authenticator" in err


def test_an_organisation_called_demo_that_is_not_the_demo_is_left_alone(db):
    real = Organisation.objects.create(name="Demo BV", slug="demo")
    owner = make_user("baas@demobv.test")
    Membership.objects.create(user=owner, organisation=real, role=Role.ADMIN)
    with pytest.raises(CommandError, match="not the demo"):
        run()
    assert list(real.memberships.values_list("user__email", flat=True)) == ["baas@demobv.test"]
    assert not User.objects.filter(email__endswith="@demo.example.org").exists()
    assert not real.teams.exists()
    with pytest.raises(CommandError, match="no demo here"):
        run("--code")


def test_no_demo_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        run()
    with pytest.raises(CommandError, match="production"):
        run("--code")
    assert not Organisation.objects.exists()
