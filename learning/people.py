"""Who has not followed any training in the last 12 months: personal data, admins only.

Every view and export of this list writes an audit event (`learning.untrained_viewed` or
`learning.untrained_exported`), so the organisation can see who looked at it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Max
from django.utils import timezone

from orgs.models import Membership, Organisation
from orgs.services import record

from .models import PersonTally


@dataclass
class Person:
    name: str
    email: str
    last_training: date | None


def untrained(organisation: Organisation, as_of: date | None = None) -> list[Person]:
    """Members and recorded people whose latest followed training (of any kind) ended more
    than 365 days ago, or who have none; sorted by name."""
    as_of = as_of or timezone.localdate()
    cutoff = as_of - timedelta(days=365)
    latest: dict[str, Any] = {
        row["person_key"]: row
        for row in PersonTally.objects.filter(organisation=organisation)
        .values("person_key")
        .annotate(last=Max("last_any"), name=Max("person_name"))
    }
    people = []
    seen = set()
    for membership in Membership.objects.filter(
        organisation=organisation, user__is_active=True
    ).select_related("user"):
        key = f"m:{membership.pk}"
        seen.add(key)
        last = latest.get(key, {}).get("last")
        if last is None or last <= cutoff:
            user = membership.user
            people.append(Person(user.display_name, user.email, last))
    for key, row in latest.items():
        if key in seen or not key.startswith("n:"):
            continue
        if row["last"] is None or row["last"] <= cutoff:
            people.append(Person(row["name"], "", row["last"]))
    people.sort(key=lambda p: (p.name.casefold(), p.email))
    return people


def audit_access(organisation: Organisation, *, actor, exported: bool, count: int) -> None:
    record(
        organisation,
        actor=actor,
        action="learning.untrained_exported" if exported else "learning.untrained_viewed",
        target_label=organisation.name,
        count=count,
    )
