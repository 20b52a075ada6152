"""The training plan as PDF (WeasyPrint) and DOCX (python-docx), in Dutch or English.

Both come from `learning.plan.document`, so they hold the same sections, the sources annex,
and while parts are missing a draft watermark ("CONCEPT") with the check list. WeasyPrint
gets a URL fetcher that refuses every URL, so nothing in a text can fetch anything.
"""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import TrainingPlan
from .plan import document

LANGUAGES = ("nl", "en")


class FetchRefused(Exception):
    pass


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    raise FetchRefused(url)


def filename(plan: TrainingPlan, language: str, extension: str) -> str:
    base = slugify(plan.organisation.slug) or "plan"
    word = "opleidingsplan" if language == "nl" else "training-plan"
    return f"{base}-{word}-{plan.year}.{extension}"


def pdf_bytes(plan: TrainingPlan, language: str = "nl") -> bytes:
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string("learning/plan_pdf.html", document(plan))
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf()  # type: ignore[no-any-return]


def docx_bytes(plan: TrainingPlan, language: str = "nl") -> bytes:
    from docx import Document
    from docx.shared import Pt, RGBColor

    with translation.override(language):
        data = document(plan)
        doc = Document()
        styles = doc.styles
        styles["Normal"].font.name = "Calibri"  # type: ignore[union-attr]
        styles["Normal"].font.size = Pt(11)  # type: ignore[union-attr]
        if data["draft"]:
            header = doc.sections[0].header.paragraphs[0]
            run = header.add_run(_("DRAFT") + " - " + _("parts are missing"))
            run.bold = True
            run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
        doc.add_heading(
            _("Training plan %(year)d") % {"year": plan.year} + f" - {plan.organisation.name}", 0
        )
        doc.add_paragraph(
            _("In force from %(start)s to %(end)s. Status: %(status)s. Version %(version)d.")
            % {
                "start": plan.period_start.strftime("%d/%m/%Y"),
                "end": plan.period_end.strftime("%d/%m/%Y"),
                "status": plan.get_status_display(),
                "version": plan.version,
            }
        )
        if data["missing"]:
            doc.add_heading(_("Missing parts"), 1)
            for line in data["missing"]:
                doc.add_paragraph(line, style="List Bullet")
        for key, title, own in data["sections"]:
            doc.add_heading(title, 1)
            if own:
                for para in own.split("\n\n"):
                    doc.add_paragraph(para)
            if key == "offer":
                table = doc.add_table(rows=1, cols=4)
                table.style = "Table Grid"
                for cell, label in zip(
                    table.rows[0].cells,
                    [_("Training"), _("Kind"), _("Target group"), _("Duration (hours)")],
                    strict=True,
                ):
                    cell.text = label
                for item in data["items"]:
                    cells = table.add_row().cells
                    cells[0].text = item.title
                    cells[1].text = str(item.get_kind_display())
                    cells[2].text = item.target_group or "—"
                    cells[3].text = str(item.duration_hours or "—")
            elif key == "agreements":
                if not data["agreements"]:
                    doc.add_paragraph(_("No agreements recorded for this year."))
                for theme, actions in data["agreements"]:
                    doc.add_heading(theme, 2)
                    for action in actions:
                        doc.add_paragraph(action.text, style="List Bullet")
            elif key == "training_right":
                numbers = data["figures"]
                doc.add_paragraph(
                    _(
                        "Target: %(days)s training days per full-time employee per year. "
                        "Figures of %(year)d; groups of fewer than %(k)d people are not shown."
                    )
                    % {"days": numbers.right_days, "year": numbers.year, "k": numbers.minimum}
                )
                table = doc.add_table(rows=1, cols=3)
                table.style = "Table Grid"
                for cell, label in zip(
                    table.rows[0].cells,
                    [_("Team"), _("Days per FTE"), _("Share trained (12 months)")],
                    strict=True,
                ):
                    cell.text = label
                for row in numbers.rows:
                    cells = table.add_row().cells
                    cells[0].text = ("  " * row.depth) + row.label
                    if row.visible:
                        cells[1].text = "—" if row.days_per_fte is None else str(row.days_per_fte)
                        cells[2].text = "—" if row.share is None else f"{row.share} %"
                    else:
                        cells[1].text = cells[2].text = _("too few people")
            elif key == "risk_groups":
                for item in data["risk_items"]:
                    doc.add_paragraph(
                        f"{item.title}: {item.target_group or '—'}", style="List Bullet"
                    )
        doc.add_heading(_("Timeline"), 1)
        for milestone in data["timeline"]:
            done = (
                _("done on %(day)s") % {"day": milestone.done_on.strftime("%d/%m/%Y")}
                if milestone.done_on
                else _("open")
            )
            doc.add_paragraph(
                f"{milestone.due.strftime('%d/%m/%Y')}: {milestone.label} ({done})",
                style="List Bullet",
            )
        if plan.advice:
            doc.add_heading(_("Advice of the works council"), 1)
            doc.add_paragraph(f"{plan.get_advice_display()}. {plan.advice_text}")
        doc.add_heading(_("Annex: sources of the legal requirements"), 1)
        for label, url in data["sources"]:
            doc.add_paragraph(f"{label}: {url}", style="List Number")
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
