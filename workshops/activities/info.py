"""A step that only shows text (and the facilitator's notes)."""

from __future__ import annotations

from . import register
from .base import Activity


@register
class Info(Activity):
    kind = "info"
