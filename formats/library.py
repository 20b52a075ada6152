"""Reading the library: which formats an organisation sees, finding one, filtering, and the
questions and statements a format holds (for the worksheet, the cards and the flip charts).

Nothing here changes anything; changes go through `formats.services`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation

from . import schema
from .loader import get_questionnaire
from .models import Format
from .timing import FormatTiming, TimingWarning, analyse, overview

DURATION_FILTERS = {
    "short": (_("30 minutes or less"), 0, 30),
    "hour": (_("31 to 60 minutes"), 31, 60),
    "long": (_("more than an hour"), 61, 10**6),
    "unknown": (_("no duration given"), None, None),
}
ORIGIN_FILTERS = {
    "builtin": _("built in"),
    "own": _("our own"),
}
LANGUAGE_FILTERS = {"nl": _("Dutch"), "en": _("English")}


def visible_formats(organisation: Organisation) -> Any:
    return (
        Format.objects.visible_to(organisation)
        .select_related("current_version", "based_on")
        .filter(current_version__isnull=False)
    )


def get_format(organisation: Organisation, ref: str) -> Format:
    """A format the organisation sees, by UUID or slug (its own before a built-in); else 404."""
    formats = visible_formats(organisation)
    try:
        public_id = uuid.UUID(ref)
    except ValueError:
        found = formats.filter(organisation=organisation, slug=ref).first()
        if found is None:
            found = formats.filter(is_builtin=True, slug=ref).first()
    else:
        found = formats.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def get_own_format(organisation: Organisation, ref: str) -> Format:
    fmt = get_format(organisation, ref)
    if fmt.organisation_id != organisation.pk:
        raise Http404
    return fmt


# --- Summaries and filters --------------------------------------------------------------


@dataclass
class Entry:
    """A format as the library list shows it."""

    format: Format
    content: schema.Format
    timing: FormatTiming
    warnings: list[TimingWarning]
    kinds: list[str] = field(default_factory=list)

    @property
    def planned(self) -> schema.Duration | None:
        """The declared duration, else what the phases add up to when all are known."""
        if self.content.duration is not None:
            return self.content.duration
        total = self.timing.total
        return total.known if total.complete else None

    @property
    def warning_count(self) -> int:
        return sum(1 for w in self.warnings if w.severity == "warning")

    def search_text(self) -> str:
        return " ".join(_texts(self.content)).casefold()


def entry(fmt: Format) -> Entry:
    content = fmt.content
    kinds: list[str] = []
    for _p, _s, step in content.steps():
        if step.kind not in kinds:
            kinds.append(step.kind)
    return Entry(
        format=fmt,
        content=content,
        timing=overview(content),
        warnings=analyse(content),
        kinds=kinds,
    )


@dataclass(frozen=True)
class Filters:
    q: str = ""
    audience: str = ""
    duration: str = ""
    kind: str = ""
    language: str = ""
    origin: str = ""

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        """Unknown values are ignored rather than refused: a filter link never breaks."""

        def pick(name: str, allowed: Iterable[str]) -> str:
            value = str(query.get(name, "")).strip()
            return value if value in set(allowed) else ""

        return cls(
            q=" ".join(str(query.get("q", "")).split())[:200],
            audience=pick("audience", [a.value for a in schema.Audience]),
            duration=pick("duration", DURATION_FILTERS),
            kind=pick("kind", schema.STEP_KINDS),
            language=pick("language", LANGUAGE_FILTERS),
            origin=pick("origin", ORIGIN_FILTERS),
        )

    @property
    def active(self) -> bool:
        return any((self.q, self.audience, self.duration, self.kind, self.language, self.origin))

    def matches(self, item: Entry) -> bool:
        content = item.content
        if self.audience and self.audience not in {a.value for a in content.audiences}:
            return False
        if self.kind and self.kind not in item.kinds:
            return False
        if self.language and content.language != self.language:
            return False
        if self.origin == "builtin" and not item.format.is_builtin:
            return False
        if self.origin == "own" and item.format.is_builtin:
            return False
        if self.duration:
            _label, low, high = DURATION_FILTERS[self.duration]
            planned = item.planned
            if low is None:
                if planned is not None:
                    return False
            elif not _overlaps(planned, low, high):
                return False
        if self.q:
            text = item.search_text()
            if not all(word in text for word in self.q.casefold().split()):
                return False
        return True


def _overlaps(planned: schema.Duration | None, low: int, high: int | None) -> bool:
    if planned is None or high is None:
        return False
    return low <= planned.high and planned.low <= high


def library(organisation: Organisation, filters: Filters) -> tuple[list[Entry], int]:
    """The entries that match, own formats first, and how many there are in all."""
    entries = [entry(fmt) for fmt in visible_formats(organisation)]
    entries.sort(key=lambda e: (e.format.is_builtin, e.format.title.casefold()))
    return [e for e in entries if filters.matches(e)], len(entries)


def _texts(content: schema.Format) -> Iterable[str]:
    yield content.title
    yield content.summary
    yield content.goal
    yield from content.themes
    yield from (a.label_nl for a in content.audiences)
    for phase in content.phases:
        yield phase.title
        for step in phase.steps:
            yield step.title or ""
            yield step.text
            for question in step_questions(step):
                yield question.text
                yield from question.prompts
                yield from question.examples


# --- Questions, statements, flip charts ------------------------------------------------


@dataclass(frozen=True)
class Question:
    """A question someone answers (on the worksheet) or a header (on a flip chart)."""

    text: str
    prompts: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    """Answer options to tick; empty for an open question."""
    examples: tuple[str, ...] = ()
    lines: int = 4
    """Lines to write on, on the worksheet."""
    other: bool = False
    """An "Andere: …" option with room to write."""


def step_questions(step: Any) -> list[Question]:
    """The questions a step asks participants, in order."""
    kind = step.kind
    if kind == "statement_poll":
        return [Question(step.statement, options=tuple(c.label for c in step.choices), lines=2)]
    if kind in {"board", "rotation"}:
        return [Question(q) for q in step.questions]
    if kind == "groups":
        return [Question(q) for q in step.questions]
    if kind == "discussion":
        return [Question(item.title, prompts=tuple(item.prompts)) for item in step.items]
    if kind == "experiment":
        options = tuple(c.label for c in step.choices)
        polls = [Question(q, options=options, lines=1) for q in step.poll]
        return polls + [Question(q) for q in step.reflection_questions]
    if kind == "personal_action":
        return [Question(step.prompt, examples=tuple(step.examples), lines=5)]
    if kind == "action_points":
        return [Question(q) for q in step.prompts]
    if kind == "checklist":
        options = tuple(o.label for o in step.options)
        return [Question(item.text, options=options, lines=0) for item in step.items]
    if kind == "questionnaire":
        questionnaire = get_questionnaire(step.questionnaire)
        if questionnaire is None:
            return []
        return [
            Question(
                q.text,
                options=tuple(o.label for o in q.options),
                lines=0,
                other=getattr(q, "other_option", None) is not None,
            )
            for q in questionnaire.questions
        ]
    return []


@dataclass(frozen=True)
class WorksheetPart:
    phase: str
    title: str
    text: str
    questions: list[Question]


def worksheet(content: schema.Format) -> list[WorksheetPart]:
    """Every question participants answer, per step, in the order of the script."""
    parts = []
    for phase in content.phases:
        for step in phase.steps:
            questions = step_questions(step)
            if questions:
                title = step.title or str(schema.STEP_KIND_LABELS.get(step.kind, ""))
                parts.append(WorksheetPart(phase.title, title, "", questions))
    return parts


def statements(content: schema.Format) -> list[str]:
    """The statements to print on cards: those of the statement polls and experiment polls."""
    found: list[str] = []
    for _p, _s, step in content.steps():
        if step.kind == "statement_poll":
            found.append(step.statement)
        elif step.kind == "experiment":
            found.extend(step.poll)
    return found


def flipchart_headers(content: schema.Format) -> list[tuple[str, str]]:
    """(phase title, question) for every question that goes on a flip chart of its own."""
    found: list[tuple[str, str]] = []
    for phase in content.phases:
        for step in phase.steps:
            if step.kind in {"board", "rotation"} or (step.kind == "groups" and step.questions):
                found.extend((phase.title, q) for q in step.questions)
            elif step.kind == "discussion":
                found.extend((phase.title, item.title) for item in step.items)
            elif step.kind == "action_points":
                found.extend((phase.title, q) for q in step.prompts)
    return found


@dataclass(frozen=True)
class TimelineRow:
    index: int
    phase: schema.Phase
    duration: schema.Duration | None
    start: schema.Duration | None
    end: schema.Duration | None


def timeline(content: schema.Format) -> list[TimelineRow]:
    """The phases with the minute each starts and ends at (ranges when durations are)."""
    rows = []
    timing = overview(content)
    start: schema.Duration | None = schema.Duration.zero()
    for phase_timing, phase in zip(timing.phases, content.phases, strict=True):
        duration = phase_timing.duration
        end = start + duration if start is not None and duration is not None else None
        rows.append(TimelineRow(phase_timing.index, phase, duration, start, end))
        start = end
    return rows
