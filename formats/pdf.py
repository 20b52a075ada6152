"""Printable materials of a format, as PDF (WeasyPrint, A4): the facilitator's script, the
participants' worksheet ("werkblad"), statement cards to cut out, and flip-chart headers.

The labels are in the format's own language (Dutch for the built-ins), whatever the
language of the page that links to them. Texts are rendered from Markdown through
`formats.rendering`, so nothing in a format can inject HTML or fetch anything: WeasyPrint
gets a URL fetcher that refuses every URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from orgs.access import org_view

from . import library
from .models import Format
from .timing import analyse

KINDS = {
    "script": ("formats/pdf/script.html", "draaiboek"),
    "worksheet": ("formats/pdf/worksheet.html", "werkblad"),
    "cards": ("formats/pdf/cards.html", "stellingen"),
    "flipcharts": ("formats/pdf/flipcharts.html", "flipcharts"),
}


class FetchRefused(Exception):
    pass


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    raise FetchRefused(url)


def _chunks(values: list[Any], size: int) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


# Advance widths of Liberation Sans Bold (Arial's metrics), in thousandths of an em; a
# character not listed counts as wide. Only used to choose a flip chart's type size.
_WIDTHS = {
    **dict.fromkeys("ijl'|!.,:;", 278),
    **dict.fromkeys("ftI-()[]/\u2018\u2019", 333),
    "r": 389,
    **dict.fromkeys('z*"', 500),
    **dict.fromkeys("acekvsxy0123456789?“”$", 556),
    **dict.fromkeys("bdghnopquLFJTZ", 611),
    **dict.fromkeys("EPSVXYk&", 667),
    **dict.fromkeys("ABCDHKNRU", 722),
    **dict.fromkeys("wGOQ", 778),
    **dict.fromkeys("mM", 889),
    "W": 944,
    " ": 278,
}


def _em_width(text: str) -> float:
    """The width of a text in ems, as Liberation Sans Bold sets it (accents ignored)."""
    import unicodedata

    total = 0
    for char in text:
        base = unicodedata.normalize("NFD", char)[:1] or char
        total += _WIDTHS.get(base, 722)
    return total / 1000


def fit_type_size(
    text: str,
    *,
    width_pt: float,
    height_pt: float,
    largest: int = 160,
    smallest: int = 24,
    line_height: float = 1.15,
) -> int:
    """The largest type size (pt) at which `text`, wrapped at spaces and never inside a
    word, fits a box of `width_pt` by `height_pt`."""
    words = text.split()
    space = _em_width(" ")
    for size in range(largest, smallest - 1, -2):
        limit = width_pt * 0.95 / size  # a little room for the estimate
        lines, current, fits = 1, 0.0, True
        for word in words:
            width = _em_width(word)
            if width > limit:
                fits = False
                break
            if current and current + space + width > limit:
                lines, current = lines + 1, width
            else:
                current = current + space + width if current else width
        if fits and lines * size * line_height <= height_pt:
            return size
    return smallest


MM = 72 / 25.4
FLIP_WIDTH_PT = (297 - 2 * 15) * MM
"""The text box of a landscape A4 flip-chart header: the page less 15 mm on each side."""
FLIP_HEIGHT_PT = (210 - 2 * 15 - 16) * MM
"""… less the margins and the phase title's line above it."""


@dataclass(frozen=True)
class FlipChart:
    phase: str
    question: str
    size: int
    """The type size in points that fills the page."""


def flipcharts(content: Any) -> list[FlipChart]:
    return [
        FlipChart(
            phase,
            question,
            fit_type_size(question, width_pt=FLIP_WIDTH_PT, height_pt=FLIP_HEIGHT_PT),
        )
        for phase, question in library.flipchart_headers(content)
    ]


DEFAULT_ANSWERS = {
    "eens": gettext_lazy("Agree"),
    "oneens": gettext_lazy("Disagree"),
    "twijfel": gettext_lazy("Not sure"),
}
"""The default poll choices (the seeds' Eens / Oneens / Twijfel) in the format's language."""


def answer_sets(content: Any) -> list[list[str]]:
    """The answer cards to print: one set per distinct set of choices of the format's
    statement and experiment polls, the default ones in the format's language."""
    found: list[list[str]] = []
    for _p, _s, step in content.steps():
        if step.kind not in {"statement_poll", "experiment"}:
            continue
        keys = [c.key for c in step.choices]
        if sorted(keys) == sorted(DEFAULT_ANSWERS) and all(
            c.label == str(_DUTCH_DEFAULTS[c.key]) for c in step.choices
        ):
            labels = [str(DEFAULT_ANSWERS[key]) for key in keys]
        else:
            labels = [c.label for c in step.choices]
        if labels not in found:
            found.append(labels)
    return found


_DUTCH_DEFAULTS = {"eens": "Eens", "oneens": "Oneens", "twijfel": "Twijfel"}


def context(fmt: Format) -> dict[str, Any]:
    content = fmt.content
    statements = library.statements(content)
    rows = library.timeline(content)
    return {
        "format": fmt,
        "content": content,
        "timeline": rows,
        "total_high": max((r.duration.high for r in rows if r.duration), default=1) or 1,
        "warnings": analyse(content),
        "worksheet": library.worksheet(content),
        "card_pages": _chunks(statements, 4),
        "answer_pages": [page for labels in answer_sets(content) for page in _chunks(labels, 4)],
        "flipcharts": flipcharts(content),
        "questionnaires": {
            step.questionnaire: library.get_questionnaire(step.questionnaire)
            for _p, _s, step in content.steps()
            if step.kind == "questionnaire"
        },
        "printed_on": timezone.localdate(),
        "version": fmt.current_version.number if fmt.current_version else None,
    }


CACHE_SECONDS = 24 * 60 * 60


def _cache_key(fmt: Format, kind: str) -> str | None:
    version = fmt.current_version
    if version is None or not version.content_hash:
        return None
    return f"formats:pdf:{kind}:{version.content_hash}:{version.number}:{timezone.localdate()}"


def render_pdf(fmt: Format, kind: str) -> bytes:
    """The PDF of one kind of material for the format's current version.

    Rendering takes WeasyPrint a second or two, so the result is cached per version's
    content (and day, which the footer prints).
    """
    from weasyprint import HTML

    key = _cache_key(fmt, kind)
    cached = cache.get(key) if key else None
    if isinstance(cached, bytes):
        return cached
    template, _name = KINDS[kind]
    with translation.override(fmt.content.language):
        html = render_to_string(template, context(fmt))
    data: bytes = HTML(string=html, url_fetcher=_no_fetching).write_pdf()
    if key:
        cache.set(key, data, CACHE_SECONDS)
    return data


def filename(fmt: Format, kind: str) -> str:
    return f"{fmt.slug}-{KINDS[kind][1]}.pdf"


def _pdf_view(kind: str) -> Any:
    @org_view()
    @require_http_methods(["GET"])
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        fmt = library.get_format(request.membership.organisation, ref)  # type: ignore[attr-defined]
        response = HttpResponse(render_pdf(fmt, kind), content_type="application/pdf")
        disposition = content_disposition_header(as_attachment=False, filename=filename(fmt, kind))
        response["Content-Disposition"] = disposition or "inline"
        return response

    view.__name__ = f"format_{kind}_pdf"
    return view


script_pdf = _pdf_view("script")
worksheet_pdf = _pdf_view("worksheet")
cards_pdf = _pdf_view("cards")
flipcharts_pdf = _pdf_view("flipcharts")
