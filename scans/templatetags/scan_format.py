"""Template filters for figures in the reader's language (see `scans.formatting`)."""

from __future__ import annotations

from typing import Any

from django import template

from .. import formatting

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """`{{ 81.8|pct }}`: "81,8 %" in Dutch, "81.8%" in English."""
    return formatting.percent(value)


@register.filter
def num(value: Any) -> str:
    return formatting.number(value)


@register.filter
def day(value: Any) -> str:
    """`{{ "2026-12-01"|day }}` or a date: "1 december 2026" in Dutch."""
    return formatting.day(value)


@register.filter
def moment(value: Any) -> str:
    return formatting.moment(value)


@register.filter
def section_title(value: Any) -> str:
    """A questionnaire's section title typeset as a title ("Ja/nee-vragen")."""
    return formatting.typeset_title(value)
