"""The summary of a session: one data structure, shown as a page, a PDF, Markdown and e-mail.

Everything participants wrote is text: the page and the PDF escape it through Django's
templates, the Markdown export escapes what Markdown would read as markup (`md_escape`), so
a note such as `<script>` or `**loud**` reads literally everywhere. The facilitator's own
summary (`LiveSession.recap`) is Markdown on purpose: it is rendered and then cleaned with
nh3 (`render_recap`), so no HTML, script or `javascript:` link from it reaches a page.

Every document is in one language, the one active while it is made: the request's for the
pages and exports, the organisation's for the e-mail (`tasks.send_summary_email`). Dates and
numbers follow that language ("1 december 2026", "81,8 %" / "1 December 2026", "81.8%").

Who reads decides what the summary holds (`Reader`): the facilitator sees everything,
including the time per phase; participants never see the time table, and see another
participant's personal action only when its author shared it (see `for_reader`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import markdown as markdown_lib
import nh3
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import activities
from .models import (
    ActionPoint,
    LiveSession,
    Note,
    Participant,
    PersonalAction,
    PhaseTiming,
    Photo,
    Vote,
)

# --- Who reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who a summary is made for.

    `facilitator`: the facilitators of the session (everything, with the time per phase).
    Otherwise a participant or anybody with the summary's link: `own_actions` holds the public
    ids of the reader's own personal actions (marked as theirs)."""

    facilitator: bool = False
    own_actions: frozenset[str] = field(default_factory=frozenset)


FACILITATOR = Reader(facilitator=True)
EVERYONE = Reader()
"""Anybody with the link of an ended session's summary: no own action, nothing private."""


def participant_reader(participant: Participant) -> Reader:
    """A participant on their phone (or through the API with their token)."""
    ids = PersonalAction.objects.filter(participant=participant, is_current=True).values_list(
        "public_id", flat=True
    )
    return Reader(own_actions=frozenset(str(i) for i in ids))


def address_reader(session: LiveSession, address: str) -> Reader:
    """The participant(s) who left `address` with their personal action (the e-mail)."""
    ids = PersonalAction.objects.filter(
        session=session, is_current=True, email__iexact=address
    ).values_list("public_id", flat=True)
    return Reader(own_actions=frozenset(str(i) for i in ids))


# --- The data ----------------------------------------------------------------------------------


def session_date(session: LiveSession) -> dt.date:
    """The day of the session: the date given when it was started, else the day it began."""
    if session.planned_on:
        return session.planned_on
    return timezone.localtime(session.started_at or session.created_at).date()


def _collect(session: LiveSession, *, include_private: bool) -> dict[str, Any]:
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
            "id": str(action.public_id),
            "text": action.text,
            "name": action.participant.display_name
            if action.show_name and action.participant
            else None,
            "shared": action.show_name,
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


def build_summary(
    session: LiveSession, *, include_private: bool = False, reader: Reader = FACILITATOR
) -> dict[str, Any]:
    """The summary as JSON-ready data, for `reader`.

    `include_private` adds e-mail addresses (never shown). After the retention period the
    frozen summary stands in for the deleted contributions; the date and the facilitator's
    summary are always the session's own."""
    if session.summary is not None and session.purged_at is not None:
        data = dict(session.summary)
    else:
        data = _collect(session, include_private=include_private)
    data["date"] = session_date(session).isoformat()
    data["recap"] = session.recap
    data["steps"] = [step for step in data["steps"] if _shows_something(step)]
    for step in data["steps"]:
        if "results" in step:
            total = sum(r["count"] for r in step["results"])
            step["results"] = [
                {**r, "percent": round(100 * r["count"] / total, 1) if total else None}
                for r in step["results"]
            ]
    return for_reader(data, reader)


def _shows_something(step: dict[str, Any]) -> bool:
    """Whether a step has anything to show: a step whose groups wrote nothing, or a board
    without notes, is left out instead of showing as an empty heading."""
    return bool(
        "statement" in step
        or step.get("per_group")
        or step.get("reviewed")
        or step.get("checklist")
        or any(q.get("notes") for q in step.get("questions", []))
        or any(g.get("summary") for g in step.get("groups", []))
    )


def for_reader(data: dict[str, Any], reader: Reader) -> dict[str, Any]:
    """What `reader` may see of the summary `data`.

    The facilitator sees everything. Anybody else gets no time per phase, and of the personal
    actions: their own (marked `own`, first) and another participant's only when its author
    ticked "show my name with my action" (`PersonalAction.show_name`, kept as `shared`), the
    one consent the phone asks for. An action written without that consent stays between its
    author and the facilitator: it is in no participant's page, PDF, export or e-mail. A
    frozen summary of before the `shared` key counts an action with a name as shared."""
    out = dict(data)
    actions = []
    for action in data.get("personal_actions", []):
        own = action.get("id") in reader.own_actions
        shared = action.get("shared", action.get("name") is not None)
        if reader.facilitator:
            actions.append({**action, "own": own})
        elif own or shared:
            actions.append(
                {"text": action["text"], "name": action.get("name") if shared else None, "own": own}
            )
    out["personal_actions"] = sorted(actions, key=lambda a: not a["own"])
    if not reader.facilitator:
        out.pop("phases", None)
    return out


# --- Dates and numbers in the reader's language ---------------------------------------------


def long_date(value: dt.date | dt.datetime | str | None) -> str:
    """A day in words in the active language: "1 december 2026" / "1 December 2026"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        parsed = parse_date(value[:10])
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "j F Y", use_l10n=True)


def long_moment(value: dt.datetime) -> str:
    """A day and time in the active language: "1 december 2026, 20:19"."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return _("%(day)s, %(time)s") % {
        "day": long_date(value.date()),
        "time": formats.time_format(value, "H:i", use_l10n=True),
    }


def percent(value: float | None) -> str:
    """ "81,8 %" in Dutch, "81.8%" in English ("" when there were no votes)."""
    from scans.formatting import percent as scan_percent

    return scan_percent(value)


def minutes(value: Any) -> str:
    return ngettext("%(n)s min", "%(n)s min", int(value or 0)) % {"n": int(value or 0)}


# --- The facilitator's summary (Markdown, cleaned) -----------------------------------------

RECAP_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
RECAP_ATTRIBUTES = {"a": {"href"}}
RECAP_URL_SCHEMES = {"http", "https", "mailto"}


def render_recap(text: str | None) -> SafeString:
    """The facilitator's Markdown as safe HTML: its headings start below the summary's own
    (`#` is an h3), raw HTML is dropped, links keep only http(s) and mailto targets."""
    if not text or not text.strip():
        return mark_safe("")
    from markdown.extensions.toc import TocExtension

    html = markdown_lib.markdown(
        text, extensions=["sane_lists", TocExtension(baselevel=3)], output_format="html"
    )
    cleaned = nh3.clean(
        html,
        tags=RECAP_TAGS,
        attributes=RECAP_ATTRIBUTES,
        url_schemes=RECAP_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


_RAW_HTML = re.compile(r"<(?=[A-Za-z/!?])")
_HEADING = re.compile(r"^(#{1,4})(?=\s)", re.MULTILINE)
_FENCE = re.compile(r"^(```|~~~)", re.MULTILINE)


def recap_markdown(text: str) -> str:
    """The facilitator's Markdown inside the export: raw HTML written as text and headings
    moved below the export's own sections (outside fenced code)."""
    parts = _FENCE.split(text.strip())
    out = []
    inside = False
    for part in parts:
        if _FENCE.fullmatch(part):
            inside = not inside
            out.append(part)
        elif inside:
            out.append(part)
        else:
            out.append(_HEADING.sub(r"##\1", _RAW_HTML.sub("&lt;", part)))
    return "".join(out)


# --- Markdown ----------------------------------------------------------------------------------

_ALWAYS = frozenset("\\`*_[]")
"""Markup wherever it stands: escapes, code, emphasis, links and images."""
_ENTITY = re.compile(r"&(?:#|[A-Za-z0-9]+;)")
_RULE = re.compile(r"(?:-\s*){3,}")
_ORDERED = re.compile(r"\d+[.)](?= |$)")
_SPACES = re.compile(r"[ \t\n\r\f\v]+")


def md_escape(text: Any, *, table: bool = False) -> str:
    """Text that Markdown shows literally, on one line, escaped only where Markdown needs it.

    Escaped everywhere: backslashes, backticks, `*`, `_`, `[` and `]`; `<` before anything
    but a space (as `&lt;`: a tag, a comment or an autolink) and `&` that would start an
    entity. At the start (a line, a list item or a heading is what the text may begin): `#`,
    `>`, a list marker (`-`, `+`, `1.`, `1)`) and a rule (`---`, or `--` that a list item's
    `- ` would make one). At the end: `#` (a
    heading's closing hashes). In a table cell also `|`. Hyphens, dots and dates elsewhere
    are left alone: "mini-vorming", "2026-12-01".
    """
    value = _SPACES.sub(" ", str(text or "")).strip()
    size = len(value)
    closing = len(value.rstrip("#"))
    out = []
    for i, char in enumerate(value):
        if char in _ALWAYS or (table and char == "|"):
            out.append("\\" + char)
        elif char == "<" and i + 1 < size and value[i + 1] != " ":
            out.append("&lt;")
        elif char == "&" and _ENTITY.match(value, i):
            out.append("&amp;")
        elif char == "#" and (i == 0 or i >= closing):
            out.append("\\#")
        else:
            out.append(char)
    if not value:
        return ""
    first = value[0]
    # "--" is no rule alone, but after a list item's "- " it is one ("- --").
    rule = _RULE.fullmatch(value) or (first == "-" and _RULE.fullmatch("- " + value))
    if first == ">" or (first in "-+" and value[1:2] in ("", " ")) or rule:
        out[0] = "\\" + first
    ordered = _ORDERED.match(value)
    if ordered:
        out[ordered.end() - 1] = "\\" + value[ordered.end() - 1]
    return "".join(out)


def _percent_suffix(result: dict[str, Any]) -> str:
    value = result.get("percent")
    return f" ({percent(value)})" if value is not None else ""


def to_markdown(summary: dict[str, Any]) -> str:
    """The summary as Markdown, every label in the active language."""
    lines = [f"# {md_escape(summary['title'])}", ""]
    participants = ngettext("%(n)s participant", "%(n)s participants", summary["participants"]) % {
        "n": summary["participants"]
    }
    lines += [
        f"{md_escape(summary['organisation'])} · {long_date(summary['date'])} · {participants}",
        "",
    ]
    if summary.get("recap"):
        lines += [f"## {_('Summary')}", "", recap_markdown(summary["recap"]), ""]
    for step in summary["steps"]:
        lines += [f"## {md_escape(step['title'] or step['phase'])}", ""]
        if "statement" in step:
            lines += [f"> {md_escape(step['statement'])}", ""]
            lines += [
                f"- {md_escape(r['label'])}: {r['count']}{_percent_suffix(r)}"
                for r in step["results"]
            ]
            lines.append("")
        for block in step.get("per_group", []):
            title = (
                _("Group %(number)s") % {"number": block["group"]}
                if block["group"]
                else _("Without a group")
            )
            lines.append(f"### {title}")
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
                title = _("Group %(number)s") % {"number": group["number"]}
                if group["question"]:
                    title += f": {md_escape(group['question'])}"
                lines += [f"### {title}", "", md_escape(group["summary"]), ""]
    if summary["personal_actions"]:
        lines += [f"## {_('Personal actions')}", ""]
        for action in summary["personal_actions"]:
            mark = f"**{_('Your action')}:** " if action.get("own") else ""
            name = f" ({md_escape(action['name'])})" if action.get("name") else ""
            lines.append(f"- {mark}{md_escape(action['text'])}{name}")
        lines.append("")
    if summary["action_points"]:
        lines += [f"## {_('Action points')}", ""]
        for point in summary["action_points"]:
            details = [
                f"{label}: {value}"
                for label, value in (
                    (_("owner"), md_escape(point.get("owner"))),
                    (_("first step"), md_escape(point.get("first_step"))),
                    (_("due"), long_date(point.get("due_date"))),
                    (_("evaluation"), long_date(point.get("evaluation_date"))),
                )
                if value
            ]
            suffix = f" ({'; '.join(details)})" if details else ""
            lines.append(f"- {md_escape(point['text'])}{suffix}")
        lines.append("")
    if summary["photos"]:
        count = len(summary["photos"])
        lines += [
            f"## {_('Photos')}",
            "",
            ngettext(
                "%(n)s photo, see the summary page.", "%(n)s photos, see the summary page.", count
            )
            % {"n": count},
            "",
        ]
    if "phases" in summary:
        lines += [
            f"## {_('Time per phase')}",
            "",
            f"| {_('Phase')} | {_('Planned')} | {_('Real')} |",
            "|---|---|---|",
        ]
        for phase in summary["phases"]:
            lines.append(
                f"| {md_escape(phase['title'], table=True)} | "
                f"{md_escape(phase['planned'], table=True) or '—'} | "
                f"{minutes(phase['real_minutes'])} |"
            )
    return "\n".join(lines).rstrip() + "\n"


def to_pdf(session: LiveSession, summary: dict[str, Any], *, base_url: str) -> bytes:
    from django.utils.translation import get_language
    from weasyprint import HTML

    photos = [(p, p.image.path) for p in Photo.objects.filter(session=session) if p.image]
    html = render_to_string(
        "workshops/summary_pdf.html",
        {
            "summary": summary,
            "recap_html": render_recap(summary.get("recap")),
            "session": session,
            "photos": photos,
            "generated": long_moment(timezone.now()),
            "language": get_language(),
            # Only the facilitator's summary holds the time per phase (`for_reader`).
            "facilitator": "phases" in summary,
        },
    )
    return HTML(string=html, base_url=base_url).write_pdf()
