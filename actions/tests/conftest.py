from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from actions import services
from actions.models import Action, Kind
from formats.models import Format
from orgs.models import Membership, Team
from workshops import services as workshop_services
from workshops.models import LiveSession

MINI = "stimuleren-van-levenslang-leren"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def team(org) -> Team:
    return Team.objects.create(organisation=org, name="Bakkers")


@pytest.fixture
def owner_user(org):
    """A member who owns agreements."""
    from conftest import _member

    return _member(org, "olivia@korenbloem.test", "member")


def membership_id(user, org) -> str:
    return str(Membership.objects.get(user=user, organisation=org).public_id)


@pytest.fixture
def agreement(org, owner_user, facilitator_user, team) -> Action:
    return services.create_action(
        org,
        {"text": "Opleidingsbudget bespreken", "owner": owner_user, "team": team},
        actor=facilitator_user,
    ).action


def mini() -> Format:
    fmt = Format.objects.filter(slug=MINI, is_builtin=True).first()
    if fmt is None:
        from formats.services import load_builtins

        load_builtins()
        fmt = Format.objects.get(slug=MINI, is_builtin=True)
    return fmt


@pytest.fixture
def live(org, facilitator_user) -> LiveSession:
    return workshop_services.start_session(organisation=org, fmt=mini(), actor=facilitator_user)


@pytest.fixture
def personal(live) -> tuple[Action, str]:
    """A shared personal action with an address, and its private token."""
    action = Action.objects.create(
        organisation=live.organisation,
        kind=Kind.PERSONAL,
        text="Ik volg een cursus Excel",
        session=live,
        contact_email="deelnemer@example.test",
        shared=True,
    )
    raw = action.issue_link()
    action.save()
    return action, raw


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def run_on_commit(monkeypatch):
    """Tests run inside a transaction that never commits: run on-commit work at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
