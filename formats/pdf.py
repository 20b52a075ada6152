"""Printable materials of a format, as PDF (WeasyPrint, A4): the facilitator's script, the
participants' worksheet ("werkblad"), statement cards to cut out, and flip-chart headers.

The labels are in the format's own language (Dutch for the built-ins), whatever the
language of the page that links to them. Texts are rendered from Markdown through
`formats.rendering`, so nothing in a format can inject HTML or fetch anything: WeasyPrint
gets a URL fetcher that refuses every URL.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
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
        "card_pages": _chunks(statements, 8),
        "flipcharts": library.flipchart_headers(content),
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
