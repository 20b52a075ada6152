"""CSV and XLSX of the filtered actions list; cells a spreadsheet would run as a formula get
a leading apostrophe (the scan exports' rule)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from scans.exports import csv_response as _csv_response
from scans.exports import neutralise, xlsx_bytes

from .models import Kind, Source, Status, Theme

__all__ = ["csv_response", "neutralise", "rows", "xlsx_response"]

MAX_ROWS = 50_000


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def rows(qs: Any) -> tuple[list[str], Iterable[Sequence[Any]]]:
    header = [
        _("Action"),
        _("Kind"),
        _("Owner"),
        _("First step"),
        _("Due date"),
        _("Evaluation date"),
        _("Status"),
        _("Theme"),
        _("Team"),
        _("Source"),
    ]
    qs = qs.select_related("owner", "team").order_by("due_date", "created_at", "id")[:MAX_ROWS]

    def generate() -> Iterable[Sequence[Any]]:
        for a in qs.iterator(chunk_size=2000):
            personal = a.kind == Kind.PERSONAL
            yield [
                a.text,
                _label(Kind, a.kind),
                a.participant_name if personal else a.owner_label,
                a.first_step,
                a.due_date.isoformat() if a.due_date else "",
                a.evaluation_date.isoformat() if a.evaluation_date else "",
                _label(Status, a.status),
                _label(Theme, a.theme),
                a.team.name if a.team else "",
                _label(Source, a.source),
            ]

    return header, generate()


def csv_response(header: Sequence[str], data: Iterable[Sequence[Any]]) -> HttpResponse:
    return _csv_response(header, data, "actions.csv")


def xlsx_response(header: Sequence[str], data: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(header, data, _("Actions")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="actions.xlsx"'
    return response
