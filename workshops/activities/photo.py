"""The facilitator photographs the flip charts."""

from __future__ import annotations

from typing import Any

from ..models import LiveSession, Photo, StepRef
from . import register
from .base import Activity


@register
class PhotoActivity(Activity):
    kind = "photo"

    def results(self, session: LiveSession, ref: StepRef) -> dict[str, Any]:
        return {"photos": list(Photo.objects.filter(session=session))}
