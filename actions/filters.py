"""The filters of the actions list, shared by the page, the exports and the API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import OPEN_STATUSES, Kind, Source, Status, Theme


def apply(qs: QuerySet, params: Mapping[str, Any], today: date | None = None) -> QuerySet:
    """Filter by status, kind, owner (membership id), team, theme, source, overdue/week.

    Unknown values are ignored rather than refused, as in a shared link from an older page."""
    today = today or timezone.localdate()
    status = params.get("status") or ""
    if status in Status.values:
        qs = qs.filter(status=status)
    kind = params.get("kind") or ""
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    theme = params.get("theme") or ""
    if theme in Theme.values:
        qs = qs.filter(theme=theme)
    source = params.get("source") or ""
    if source in Source.values:
        qs = qs.filter(source=source)
    owner = _uuid(params.get("owner"))
    if owner:
        qs = qs.filter(owner__memberships__public_id=owner)
    email = params.get("owner_email") or ""
    if isinstance(email, str) and email.strip():
        qs = qs.filter(owner__email__iexact=email.strip()[:254])
    team = _uuid(params.get("team"))
    if team:
        qs = qs.filter(team__public_id=team)
    when = params.get("when") or ""
    if when == "overdue" or params.get("overdue") in (True, "1", "true"):
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    elif when == "week":
        start = today - timedelta(days=today.weekday())
        qs = qs.filter(due_date__gte=start, due_date__lte=start + timedelta(days=6))
    return qs


def _uuid(value: Any) -> str | None:
    import uuid

    if not value:
        return None
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def counts(qs: QuerySet, today: date | None = None) -> dict[str, int]:
    """How many per status, and overdue, in one query."""
    today = today or timezone.localdate()
    return qs.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status=Status.OPEN)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        done=Count("pk", filter=Q(status=Status.DONE)),
        dropped=Count("pk", filter=Q(status=Status.DROPPED)),
        overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, due_date__lt=today)),
    )


def share_done(qs: QuerySet) -> list[dict[str, Any]]:
    """Per team and theme: how many agreements, how many done (dropped ones left out)."""
    rows = (
        qs.filter(kind=Kind.AGREEMENT)
        .exclude(status=Status.DROPPED)
        .values("team__name", "theme")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=Status.DONE)))
        .order_by("team__name", "theme")
    )
    out = []
    for row in rows:
        total = row["total"]
        out.append(
            {
                "team": row["team__name"] or "",
                "theme": Theme(row["theme"]).label if row["theme"] in Theme.values else "",
                "total": total,
                "done": row["done"],
                "percent": round(100 * row["done"] / total) if total else 0,
            }
        )
    return out
