"""Fixtures for the scan tests: a team tree, the built-in questionnaire, campaigns."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from django.core.cache import cache

from orgs.models import Membership, Role, Team
from scans import services
from scans.models import Campaign, CampaignNode, Questionnaire


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The submission rate limit counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def builtin(db) -> Questionnaire:
    return Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")


@pytest.fixture
def teams(org) -> dict[str, Team]:
    """Productie (Bakkerij, Winkel, Levering) and Administratie (Boekhouding)."""
    made: dict[str, Team] = {}
    made["productie"] = Team.objects.create(organisation=org, name="Productie")
    made["administratie"] = Team.objects.create(organisation=org, name="Administratie")
    for name, parent in [
        ("Bakkerij", "productie"),
        ("Winkel", "productie"),
        ("Levering", "productie"),
        ("Boekhouding", "administratie"),
    ]:
        made[name.lower()] = Team.objects.create(organisation=org, name=name, parent=made[parent])
    return made


@pytest.fixture
def campaign(org, builtin, teams, admin_user) -> Campaign:
    c = services.create_campaign(
        org,
        questionnaire=builtin,
        name="Meting 2026",
        teams=[teams["bakkerij"], teams["winkel"], teams["levering"], teams["boekhouding"]],
        actor=admin_user,
    )
    services.open_campaign(c, actor=admin_user)
    return c


def node(campaign: Campaign, name: str) -> CampaignNode:
    return CampaignNode.objects.get(campaign=campaign, name=name)


def seed_answers(**overrides: Any) -> dict[str, Any]:
    """A complete valid set of answers to the built-in questionnaire."""
    answers: dict[str, Any] = {
        "toegang-informatie": "ja",
        "deelnemen-overleg": "nee",
        "tijd-samenwerking": "ja",
        "aandacht-leren": "ja",
        "mentorschap": "nee",
        "ontmoeten": ["koffie", "teambuilding"],
        "nieuwe-kennis": ["intranet"],
    }
    answers.update(overrides)
    return answers


def respond(campaign: Campaign, name: str, count: int = 1, **overrides: Any) -> None:
    code = node(campaign, name).code
    for _ in range(count):
        services.submit_response(
            code=code, client_key=secrets.token_urlsafe(16), answers=seed_answers(**overrides)
        )


@pytest.fixture
def facilitator_membership(facilitator_user, org) -> Membership:
    return Membership.objects.get(user=facilitator_user, organisation=org, role=Role.FACILITATOR)


def examples(n: int) -> int:
    """A property test's example count for the HYPOTHESIS_PROFILE in use: "ci" runs a
    quarter, "deep" ten times as many, anything else `n`."""
    import os

    profile = os.environ.get("HYPOTHESIS_PROFILE", "")
    if profile == "ci":
        return max(5, n // 4)
    if profile == "deep":
        return n * 10
    return n
