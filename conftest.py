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


def _is_transactional(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker is not None and marker.kwargs.get("transaction"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A transactional test ends by emptying the database, built-in content included.

    The built-in formats and questionnaires come from data migrations, which a flush does
    not run again; load them back, once the test's fixtures (and so the flush) are torn
    down, so that whatever test this worker runs next finds them as after a fresh migrate.
    pytest-xdist hands modules to workers in any order, so "transactional tests last" no
    longer holds.
    """
    result = yield
    # After the last test the session's fixtures are gone too, the test database with them.
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        from formats.services import load_builtins
        from scans.builtin import sync_builtin_questionnaires
        from scans.models import Questionnaire, QuestionnaireVersion

        with item.config.stash[blocking_manager_key].unblock():
            load_builtins()
            sync_builtin_questionnaires(Questionnaire, QuestionnaireVersion)
    return result


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
