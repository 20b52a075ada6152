"""One access helper per object: another organisation's object (or an unknown id) is 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model
from django.http import Http404

from orgs.models import Membership, Organisation

from .models import (
    Budget,
    ContactPoint,
    OfferItem,
    RouteStep,
    TrainingPlan,
    TrainingRecord,
)

M = TypeVar("M", bound=Model)


def _get(model: type[M], organisation: Organisation, public_id: Any) -> M:
    try:
        found = model._default_manager.filter(  # type: ignore[attr-defined]
            organisation=organisation, public_id=public_id
        ).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise Http404
    return found  # type: ignore[no-any-return]


def get_offer_item(membership: Membership, public_id: Any) -> OfferItem:
    return _get(OfferItem, membership.organisation, public_id)


def get_contact(membership: Membership, public_id: Any) -> ContactPoint:
    return _get(ContactPoint, membership.organisation, public_id)


def get_route_step(membership: Membership, public_id: Any) -> RouteStep:
    return _get(RouteStep, membership.organisation, public_id)


def get_budget(membership: Membership, public_id: Any) -> Budget:
    return _get(Budget, membership.organisation, public_id)


def get_training(membership: Membership, public_id: Any) -> TrainingRecord:
    return _get(TrainingRecord, membership.organisation, public_id)


def get_plan(membership: Membership, public_id: Any) -> TrainingPlan:
    return _get(TrainingPlan, membership.organisation, public_id)
