"""Template helpers for the live pages."""

from __future__ import annotations

import uuid
from typing import Any

from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString

from formats.schema import STEP_KIND_LABELS

try:  # the format library's Markdown renderer (nh3-cleaned), when it is there
    from formats.rendering import render_markdown
except ImportError:  # pragma: no cover - plain text until it lands

    def render_markdown(text: str | None) -> SafeString:
        return SafeString(linebreaks(escape(text or "")))


register = template.Library()


@register.filter
def md(text: str | None) -> SafeString:
    """A format's Markdown text as safe HTML."""
    return render_markdown(text)


@register.filter
def kind_label(kind: str) -> str:
    return str(STEP_KIND_LABELS.get(kind, kind))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key, mapping.get(str(key)))
    if isinstance(mapping, list | tuple) and isinstance(key, int) and 0 <= key < len(mapping):
        return mapping[key]
    return None


@register.simple_tag
def new_key() -> str:
    """A fresh client key for a contribution form."""
    return str(uuid.uuid4())


@register.filter
def plus(value: Any, amount: int) -> Any:
    try:
        return int(value) + int(amount)
    except (TypeError, ValueError):
        return value


@register.filter
def long_date(value: Any) -> str:
    """A date (or an ISO date string) in words in the active language: "1 december 2026"."""
    from workshops.summary import long_date as format_day

    return format_day(value)


@register.filter
def pct(value: Any) -> str:
    """A percentage in the active language: "81,8 %" / "81.8%"."""
    from workshops.summary import percent

    return percent(value)


@register.filter
def minutes(value: Any) -> str:
    """Minutes: "15 min"."""
    from workshops.summary import minutes as format_minutes

    return format_minutes(value)


@register.simple_tag
def live_events() -> SafeString:
    """The event names of the contract, for live.js (`<script id="live-events">`)."""
    from django.utils.html import json_script

    from workshops.contract import NAMES

    return json_script(list(NAMES), "live-events")
