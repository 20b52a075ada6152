"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User
from orgs.models import Membership, Organisation, Role


def make_user(email: str, password: str = "correct horse battery", **fields) -> User:
    user = User.objects.create_user(email, password, **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture(autouse=True)
def _no_admin_mfa_by_default(settings):
    """Most tests are not about the second factor; the ones that are switch it back on."""
    settings.LEREND_ADMIN_MFA_REQUIRED = False


@pytest.fixture
def org(db) -> Organisation:
    return Organisation.objects.create(name="Bakkerij De Korenbloem", slug="korenbloem")


@pytest.fixture
def other_org(db) -> Organisation:
    return Organisation.objects.create(name="Garage Peeters", slug="peeters")


def _member(org: Organisation, email: str, role: str) -> User:
    user = make_user(email)
    Membership.objects.create(user=user, organisation=org, role=role)
    return user


@pytest.fixture
def admin_user(org) -> User:
    return _member(org, "an@korenbloem.test", Role.ADMIN)


@pytest.fixture
def facilitator_user(org) -> User:
    return _member(org, "fien@korenbloem.test", Role.FACILITATOR)


@pytest.fixture
def member_user(org) -> User:
    return _member(org, "mo@korenbloem.test", Role.MEMBER)


@pytest.fixture
def outsider_user(other_org) -> User:
    """An admin of another organisation."""
    return _member(other_org, "piet@peeters.test", Role.ADMIN)
