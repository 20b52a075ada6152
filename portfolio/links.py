"""What the portfolio reads from other apps, when they are installed.

- `actions`: personal actions the owner claimed (`Action.claimed_by`), kept in sync
  through `actions.services.record_progress`;
- `learning`: items of the learning offer of the owner's organisations whose competence
  keywords appear in a competences entry.

Without the app, each function answers "nothing" and the page hides its section.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone


def actions_installed() -> bool:
    return apps.is_installed("actions")


def learning_installed() -> bool:
    return apps.is_installed("learning")


def claimed_actions(user: Any) -> list[Any]:
    if not actions_installed() or not user.is_authenticated:
        return []
    from actions.models import Action  # type: ignore[import-not-found]

    return list(
        Action.objects.filter(claimed_by=user, kind="personal").order_by("due_date", "created_at")
    )


def get_claimed_action(user: Any, public_id: Any) -> Any:
    from django.http import Http404

    if not actions_installed():
        raise Http404
    from actions.models import Action  # type: ignore[import-not-found]

    action = Action.objects.filter(claimed_by=user, kind="personal", public_id=public_id).first()
    if action is None:
        raise Http404
    return action


def matching_offer(user: Any, text: str) -> list[Any]:
    """Active offer items of the user's organisations with a competence keyword in `text`."""
    if not learning_installed() or not text.strip():
        return []
    from learning.models import OfferItem  # type: ignore[import-not-found]

    today = timezone.localdate()
    lowered = text.lower()
    items = (
        OfferItem.objects.filter(
            organisation__memberships__user=user,
        )
        .filter(
            Q(active_from__isnull=True) | Q(active_from__lte=today),
            Q(active_until__isnull=True) | Q(active_until__gte=today),
        )
        .select_related("organisation")
        .distinct()
    )
    matches = []
    for item in items:
        keywords = [k.strip().lower() for k in (item.competences or "").split(",") if k.strip()]
        if any(keyword in lowered for keyword in keywords):
            matches.append(item)
    return matches[:20]


def offer_url(item: Any) -> str:
    """The organisation's public offer page, or "" when the organisation switched it off."""
    from django.urls import reverse

    from learning.models import settings_for  # type: ignore[import-not-found]

    if not settings_for(item.organisation).public_enabled:
        return ""
    return reverse("learning:public_offer", args=[item.organisation.slug])
