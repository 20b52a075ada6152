"""Exports of a campaign's results: CSV, XLSX, PDF and (for admins) anonymous responses.

All of them are built from `scans.reports`, so they show exactly what the report page may
show: a hidden group is a row that says "too few responses" and has no figures. Text cells
that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
return) get a leading apostrophe.

Two CSV flavours: the plain one (comma, decimal point: for scripts and any spreadsheet set
to read it) and one for a Dutch-language Excel, which opens a double-clicked CSV with the
list separator and decimal sign of its region: semicolons, decimal commas, and UTF-8 only
when the file starts with a byte order mark (both flavours carry one).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import numberformat
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Campaign
from .reports import Report, export_rows, raw_rows

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _header() -> list[str]:
    return [
        _("Team"),
        _("Part of"),
        _("Respondents"),
        _("Question number"),
        _("Question"),
        _("Answer"),
        _("Count"),
        _("Percentage"),
    ]


def aggregated(campaign: Campaign) -> tuple[list[str], list[list[Any]]]:
    rows = []
    for r in export_rows(campaign):
        rows.append(
            [
                r.team,
                r.path,
                r.respondents,
                r.question_number,
                r.question,
                r.option,
                r.count,
                r.percent,
            ]
        )
    return _header(), rows


def _filename(campaign: Campaign, suffix: str) -> str:
    return f"{slugify(campaign.name) or 'scan'}-{suffix}"


PLAIN = "plain"
EXCEL_NL = "excel-nl"
"""The CSV flavours: `PLAIN` (comma, decimal point) and `EXCEL_NL` (semicolon, comma)."""


def _csv_cell(value: Any, flavour: str) -> Any:
    if value is None:
        return ""
    if flavour == EXCEL_NL and isinstance(value, float):
        return numberformat.format(value, ",", decimal_pos=1)
    return neutralise(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], flavour: str = PLAIN) -> str:
    """The file's text, byte order mark first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if flavour == EXCEL_NL else ",")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([_csv_cell(v, flavour) for v in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filename: str,
    flavour: str = PLAIN,
) -> HttpResponse:
    response = HttpResponse(
        csv_text(header, rows, flavour).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "scan"
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(campaign: Campaign) -> HttpResponse:
    header, rows = aggregated(campaign)
    response = HttpResponse(
        xlsx_bytes(header, rows, _("Results")),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(campaign, "results.xlsx")}"'
    )
    return response


def _csv_suffix(name: str, flavour: str) -> str:
    return f"{name}-excel.csv" if flavour == EXCEL_NL else f"{name}.csv"


def aggregated_csv_response(campaign: Campaign, flavour: str = PLAIN) -> HttpResponse:
    header, rows = aggregated(campaign)
    return csv_response(header, rows, _filename(campaign, _csv_suffix("results", flavour)), flavour)


def raw_csv_response(campaign: Campaign, flavour: str = PLAIN) -> HttpResponse:
    header, rows = raw_rows(campaign)
    return csv_response(
        header, rows, _filename(campaign, _csv_suffix("responses", flavour)), flavour
    )


def pdf_bytes(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_to_string("scans/report_pdf.html", {"report": report})
    return HTML(string=html).write_pdf()


def pdf_response(report: Report) -> HttpResponse:
    response = HttpResponse(pdf_bytes(report), content_type="application/pdf")
    name = _filename(report.campaign, "report.pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def slips_pdf_bytes(campaign: Campaign, node: Any, tokens: list[str]) -> bytes:
    """An A4 sheet (or more) of single-use slips: a QR code and the address per slip, in a
    grid with dashed cut lines, and a note for whoever hands them out."""
    import segno
    from django.conf import settings
    from django.utils import translation
    from weasyprint import HTML

    slips = []
    for token in tokens:
        url = f"{settings.SITE_URL}/s/p/{token}/"
        slips.append({"url": url, "qr": segno.make(url, error="m").svg_data_uri(scale=3)})
    with translation.override(campaign.language):
        html = render_to_string(
            "scans/slips_pdf.html", {"campaign": campaign, "node": node, "slips": slips}
        )
    return HTML(string=html).write_pdf()


def slips_pdf_response(campaign: Campaign, node: Any, tokens: list[str]) -> HttpResponse:
    response = HttpResponse(slips_pdf_bytes(campaign, node, tokens), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(campaign, "slips.pdf")}"'
    response["Cache-Control"] = "no-store"
    return response
