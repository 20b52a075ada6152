"""The summary of a session: one data structure, shown as a page, a PDF and Markdown.

Everything participants wrote is text: the page and the PDF escape it through Django's
templates, the Markdown export escapes Markdown and HTML characters (`md_escape`), so a
note such as `<script>` or `**loud**` reads literally everywhere.
"""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import activities
from .models import (
    ActionPoint,
    LiveSession,
    Note,
    PersonalAction,
    PhaseTiming,
    Photo,
    Vote,
)


def build_summary(session: LiveSession, *, include_private: bool = False) -> dict[str, Any]:
    """The summary as JSON-ready data. `include_private` adds e-mail addresses (never shown)."""
    if session.summary is not None and session.purged_at is not None:
        return session.summary
    steps: list[dict[str, Any]] = []
    notes_by_step: dict[str, list[Note]] = {}
    for note in Note.objects.filter(session=session, hidden=False).select_related("group"):
        notes_by_step.setdefault(note.step_id, []).append(note)
    for ref in session.steps():
        step = ref.step
        entry: dict[str, Any] = {
            "id": ref.id,
            "kind": ref.kind,
            "title": step.title or "",
            "phase": ref.phase.title,
        }
        entry.update(activities.get(ref.kind).summary(session, ref, notes_by_step.get(ref.id, [])))
        if len(entry) > 4:
            steps.append(entry)
    actions = []
    for action in PersonalAction.objects.filter(session=session, is_current=True).select_related(
        "participant"
    ):
        item = {
            "text": action.text,
            "name": action.participant.display_name
            if action.show_name and action.participant
            else None,
        }
        if include_private and action.email:
            item["email"] = action.email
        actions.append(item)
    phases = []
    timings = {t.phase_index: t for t in PhaseTiming.objects.filter(session=session)}
    for index, phase in enumerate(session.format_content.phases):
        timing = timings.get(index)
        phases.append(
            {
                "title": phase.title,
                "planned": str(phase.duration) if phase.duration else "",
                "planned_minutes": phase.duration.high if phase.duration else None,
                "real_minutes": round(timing.real_seconds() / 60) if timing else 0,
            }
        )
    return {
        "title": session.title,
        "code": session.code,
        "organisation": session.organisation.name,
        "date": (session.started_at or session.created_at).date().isoformat(),
        "started_at": session.started_at.isoformat() if session.started_at else None,
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "status": session.status,
        "participants": session.participants.count(),
        "steps": steps,
        "personal_actions": actions,
        "action_points": [
            {
                "text": p.text,
                "owner": p.owner,
                "first_step": p.first_step,
                "due_date": p.due_date.isoformat() if p.due_date else None,
                "evaluation_date": p.evaluation_date.isoformat() if p.evaluation_date else None,
            }
            for p in ActionPoint.objects.filter(session=session)
        ],
        "photos": [
            {"id": str(p.public_id), "width": p.width, "height": p.height}
            for p in Photo.objects.filter(session=session)
        ],
        "phases": phases,
        "votes": Vote.objects.filter(session=session, is_current=True).count(),
    }


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_escape(text: Any) -> str:
    """Text that Markdown shows literally: HTML characters as entities, markup escaped."""
    value = str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MD_SPECIAL.sub(r"\\\1", value)
    return re.sub(r"\s*\n\s*", " ", value).strip()


def to_markdown(summary: dict[str, Any]) -> str:
    lines = [f"# {md_escape(summary['title'])}", ""]
    lines.append(
        f"{_('Date')}: {md_escape(summary['date'])} · "
        f"{_('Participants')}: {summary['participants']}"
    )
    lines.append("")
    for step in summary["steps"]:
        lines += [f"## {md_escape(step['title'] or step['phase'])}", ""]
        if "statement" in step:
            lines += [f"> {md_escape(step['statement'])}", ""]
            lines += [f"- {md_escape(r['label'])}: {r['count']}" for r in step["results"]]
            lines.append("")
        for block in step.get("per_group", []):
            lines.append(f"### {_('Group')} {block['group'] or '—'}")
            for statement in block["statements"]:
                counts = ", ".join(
                    f"{md_escape(c['label'])} {c['count']}" for c in statement["counts"]
                )
                lines.append(f"- {md_escape(statement['statement'])}: {counts}")
            lines.append("")
        for row in step.get("reviewed", []):
            lines.append(f"- {md_escape(row['text'])}: {md_escape(row['status_label'])}")
            lines += [f"  - {md_escape(note)}" for note in row["notes"]]
        for item in step.get("checklist", []):
            counts = ", ".join(f"{md_escape(c['label'])} {c['count']}" for c in item["counts"])
            lines.append(f"- {md_escape(item['text'])}: {counts}")
        for question in step.get("questions", []):
            if question["question"]:
                lines += [f"### {md_escape(question['question'])}", ""]
            lines += [f"- {md_escape(note)}" for note in question["notes"]]
            lines.append("")
        for group in step.get("groups", []):
            if group["summary"]:
                title = f"{_('Group')} {group['number']}"
                if group["question"]:
                    title += f": {md_escape(group['question'])}"
                lines += [f"### {title}", "", md_escape(group["summary"]), ""]
    if summary["personal_actions"]:
        lines += [f"## {_('Personal actions')}", ""]
        for action in summary["personal_actions"]:
            name = f" ({md_escape(action['name'])})" if action.get("name") else ""
            lines.append(f"- {md_escape(action['text'])}{name}")
        lines.append("")
    if summary["action_points"]:
        lines += [f"## {_('Action points')}", ""]
        for point in summary["action_points"]:
            details = [
                f"{label}: {md_escape(point[field])}"
                for label, field in (
                    (_("owner"), "owner"),
                    (_("first step"), "first_step"),
                    (_("due date"), "due_date"),
                    (_("evaluation date"), "evaluation_date"),
                )
                if point.get(field)
            ]
            suffix = f" ({'; '.join(details)})" if details else ""
            lines.append(f"- {md_escape(point['text'])}{suffix}")
        lines.append("")
    if summary["photos"]:
        lines += [
            f"## {_('Photos')}",
            "",
            _("%(n)s photos, see the summary page.") % {"n": len(summary["photos"])},
            "",
        ]
    lines += [
        f"## {_('Time per phase')}",
        "",
        f"| {_('Phase')} | {_('Planned')} | {_('Real')} |",
        "|---|---|---|",
    ]
    for phase in summary["phases"]:
        lines.append(
            f"| {md_escape(phase['title'])} | {md_escape(phase['planned'])} | "
            f"{phase['real_minutes']} min |"
        )
    return "\n".join(lines).rstrip() + "\n"


def to_pdf(session: LiveSession, summary: dict[str, Any], *, base_url: str) -> bytes:
    from weasyprint import HTML

    photos = [(p, p.image.path) for p in Photo.objects.filter(session=session) if p.image]
    html = render_to_string(
        "workshops/summary_pdf.html",
        {
            "summary": summary,
            "session": session,
            "photos": photos,
            "generated": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf()
