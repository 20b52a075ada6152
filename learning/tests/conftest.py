"""Fixtures for the learning app: teams with sizes, offer items and a logged-in client."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from learning import services
from learning.models import OfferItem
from orgs.models import Membership, Team


def call(client: Client, method: str, path: str, data=None):
    kwargs: dict = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if data is not None:
        kwargs.update(data=json.dumps(data, default=str), content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


@pytest.fixture
def teams(org):
    """Productie (own 0) > Bakkerij (8), Winkel (6); Administratie (3, too small)."""
    productie = Team.objects.create(organisation=org, name="Productie", headcount=0)
    bakkerij = Team.objects.create(
        organisation=org, name="Bakkerij", parent=productie, headcount=8, fte=Decimal("7.5")
    )
    winkel = Team.objects.create(
        organisation=org, name="Winkel", parent=productie, headcount=6, fte=Decimal("4")
    )
    administratie = Team.objects.create(
        organisation=org, name="Administratie", headcount=3, fte=Decimal("2.5")
    )
    return {"productie": productie, "bakkerij": bakkerij, "winkel": winkel, "admin": administratie}


@pytest.fixture
def item(org, admin_user):
    return services.save_offer_item(
        org,
        {
            "title": "HACCP opfrissing",
            "kind": "formal",
            "format": "course",
            "target_group": "Bakkers",
            "competences": "hygiëne, voedselveiligheid",
            "duration_hours": Decimal("7.6"),
        },
        actor=admin_user,
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def add_training(org, team, name, *, end=date(2026, 3, 10), days="1", kind="formal", actor=None):
    return services.record_training(
        org,
        services.TrainingInput(
            person_name=name,
            team=team,
            title="Opleiding",
            kind=kind,
            duration=days,
            unit="days",
            start_date=end,
            end_date=end,
        ),
        actor=actor,
    )


def member_in(org, user, team):
    membership = Membership.objects.get(organisation=org, user=user)
    membership.teams.add(team)
    return membership


__all__ = ["OfferItem", "add_training", "call", "member_in"]
