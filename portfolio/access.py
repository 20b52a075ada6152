"""The one way to reach a portfolio's objects: the owner's own, or 404.

No role in any organisation opens a portfolio: an admin of the owner's organisation gets
the same 404 as a stranger.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from .models import Conversation, Entry, Share


def _uuid_filter(model: type, user: Any, public_id: Any):  # type: ignore[no-untyped-def]
    if user is None or not user.is_authenticated:
        raise Http404
    obj = model.objects.filter(owner=user, public_id=public_id).first()  # type: ignore[attr-defined]
    if obj is None:
        raise Http404
    return obj


def get_own_entry(user: Any, public_id: Any) -> Entry:
    return _uuid_filter(Entry, user, public_id)


def get_own_conversation(user: Any, public_id: Any) -> Conversation:
    return _uuid_filter(Conversation, user, public_id)


def get_own_share(user: Any, public_id: Any) -> Share:
    return _uuid_filter(Share, user, public_id)
