"""Numbers and dates in the reader's language, for the report, the PDF and the exports.

Everything goes through Django's localisation (the active language's formats), so the Dutch
report says "81,8 %" and "1 december 2026" and the English one "81.8%" and "December 1,
2026". Geometry (SVG coordinates) never goes through here: it stays in plain numbers.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _


def number(value: float | int | None, decimals: int = 1) -> str:
    """A figure with the active language's decimal separator ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, int):
        return formats.number_format(value, use_l10n=True)
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True)


def percent(value: float | None, decimals: int = 1) -> str:
    """A percentage as the reader writes it: "81,8 %" in Dutch, "81.8%" in English."""
    if value is None:
        return ""
    # Translators: a percentage; Dutch puts a (non-breaking) space before the sign.
    return _("%(number)s%%") % {"number": number(float(value), decimals)}


def day(value: dt.date | dt.datetime | str | None) -> str:
    """A date in words in the active language ("1 december 2026"); ISO strings are read."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = parse_date(value[:10])
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def moment(value: dt.datetime | None) -> str:
    """A date and time in the active language, in the server's time zone."""
    if value is None:
        return ""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT", use_l10n=True)


_SLASHED_CAPITALS = re.compile(r"\b[A-ZÀ-Þ]{2,}(?:/[A-ZÀ-Þ]{2,})+\b")
_SPACE_BEFORE_JOIN = re.compile(r"(\w)\s+-(?=\w)")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?")


def typeset_title(title: str | None) -> str:
    """A section title as a title, for display only (the stored wording is untouched).

    The built-in questionnaire's sections came from a printed form: "JA/NEE -vragen" and
    "Multiple Choice (meerdere antwoorden mogelijk)". Typeset, they read "Ja/nee-vragen" and
    "Multiple choice (meerdere antwoorden mogelijk)": shouted word pairs in lower case, no
    space before a joining hyphen, Title Case turned into the sentence case titles have in
    Dutch and in the app's English, the first letter a capital.
    """
    if not title:
        return ""
    text = _SPACE_BEFORE_JOIN.sub(r"\1-", title.strip())
    text = _SLASHED_CAPITALS.sub(lambda m: m.group(0).lower(), text)
    head = text.split("(", 1)[0]
    words = _WORD.findall(head)
    if len(words) > 1 and all(w[0].isupper() and not w.isupper() for w in words):
        first = True

        def lower_later(match: re.Match[str]) -> str:
            nonlocal first
            if first:
                first = False
                return match.group(0)
            return match.group(0).lower()

        text = _WORD.sub(lower_later, head) + text[len(head) :]
    return text[:1].upper() + text[1:]
