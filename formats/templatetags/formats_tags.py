"""Template filters for the format library: Markdown and durations."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ..rendering import render_markdown
from ..schema import STEP_KIND_LABELS, Duration

register = template.Library()


@register.filter
def markdown(text: str | None) -> SafeString:
    return render_markdown(text)


@register.filter
def minutes(duration: Duration | None) -> str:
    """`15 min`, `30-35 min`, or an empty string."""
    if duration is None:
        return ""
    if duration.is_range:
        return _("%(low)s-%(high)s min") % {"low": duration.low, "high": duration.high}
    return _("%(minutes)s min") % {"minutes": duration.low}


@register.filter
def kind_label(kind: str) -> str:
    return str(STEP_KIND_LABELS.get(kind, kind))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def bare(duration: Duration | None) -> str:
    """`15` or `30-35`, without the unit (for "minute 15 to 25")."""
    if duration is None:
        return ""
    return str(duration.low) if not duration.is_range else f"{duration.low}-{duration.high}"
