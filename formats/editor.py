"""The format editor: a form over a draft of the format's data.

The editor page is one form. It carries the whole draft (the format's data as JSON) in a
hidden field, and shows fields for what people edit most: texts, durations, questions,
prompts and examples. Every submit applies the fields to the draft, then an operation:
check, save, or a change of structure (add, move or remove a phase, a step or a discussion
item). Structure changes and checks only re-render the draft, so a half-finished step can
exist while you work; only "save" stores, and only valid content (as a new version).
Fields the form does not show (card entries, checklist items, experiment groups) stay in
the draft as they are; the raw YAML editor changes them.

Field names are the paths the loader uses in its problems (`phases[1].steps[0].duration`),
so every problem lands next to its field.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import schema
from .loader import Problem, builtin_questionnaires, questionnaire_problems, validate_data
from .timing import FormatTiming, TimingWarning, analyse, overview

MAX_DRAFT_CHARS = 1_000_000

ADDABLE_KINDS = (
    "info",
    "statement_poll",
    "board",
    "groups",
    "rotation",
    "discussion",
    "personal_action",
    "action_points",
    "photo",
    "questionnaire",
    "action_review",
)
"""Kinds the form can create; experiments, checklists and cards are made in YAML."""

LABELS = {
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Summary"),
    "goal": gettext_lazy("Goal"),
    "duration": gettext_lazy("Duration (minutes, or a range such as 30-35)"),
    "duration_is_maximum": gettext_lazy("The duration is a maximum"),
    "audiences": gettext_lazy("Audiences"),
    "themes": gettext_lazy("Themes (one per line)"),
    "materials": gettext_lazy("Materials (one per line)"),
    "preparation": gettext_lazy("Preparation (one per line)"),
    "text": gettext_lazy("Text"),
    "facilitator_notes": gettext_lazy("Notes for the facilitator"),
    "participant_text": gettext_lazy("Text for the room (on the presenter and the phones)"),
    "statement": gettext_lazy("Statement"),
    "instructions": gettext_lazy("Instructions (one per line)"),
    "facilitator_points": gettext_lazy("Points the facilitator adds (one per line)"),
    "questions": gettext_lazy("Questions (one per line)"),
    "notes_per_participant": gettext_lazy("Notes per participant per question (empty: any)"),
    "individual": gettext_lazy("Participants first write on their own"),
    "count": gettext_lazy("Number of groups"),
    "per_question": gettext_lazy("One group per question"),
    "summary_flag": gettext_lazy("Each group writes a summary"),
    "summary_prompt": gettext_lazy("What the summary asks"),
    "minutes_per_round": gettext_lazy("Minutes per round"),
    "moves": gettext_lazy("Number of moves"),
    "summary_in_last_round": gettext_lazy("Summarise in the last round"),
    "prompt": gettext_lazy("Question"),
    "examples": gettext_lazy("Examples (one per line)"),
    "prompts": gettext_lazy("Questions (one per line)"),
    "into_training_policy": gettext_lazy("The agreements go into the training policy"),
    "share_summary": gettext_lazy("Share a summary of the photos with the participants"),
    "questionnaire": gettext_lazy("Questionnaire"),
    "poll": gettext_lazy("Self-assessment statements (one per line)"),
    "reflection_questions": gettext_lazy("Reflection questions (one per line)"),
    "minutes": gettext_lazy("Minutes"),
    "notes": gettext_lazy("Notes"),
    "item_title": gettext_lazy("Topic or scenario"),
    "review_prompt": gettext_lazy("What you ask about each agreement"),
}

# (key, widget, label key) per kind; every step also has title, duration, text, notes.
KIND_FIELDS: dict[str, list[tuple[str, str, str]]] = {
    "info": [],
    "statement_poll": [
        ("statement", "text", "statement"),
        ("instructions", "lines", "instructions"),
        ("facilitator_points", "lines", "facilitator_points"),
    ],
    "board": [
        ("questions", "lines", "questions"),
        ("notes_per_participant", "number", "notes_per_participant"),
        ("individual", "checkbox", "individual"),
    ],
    "groups": [
        ("count", "number", "count"),
        ("per_question", "checkbox", "per_question"),
        ("questions", "lines", "questions"),
        ("summary", "checkbox", "summary_flag"),
        ("summary_prompt", "textarea", "summary_prompt"),
    ],
    "rotation": [
        ("questions", "lines", "questions"),
        ("minutes_per_round", "number", "minutes_per_round"),
        ("moves", "number", "moves"),
        ("summary_in_last_round", "checkbox", "summary_in_last_round"),
    ],
    "discussion": [],
    "experiment": [
        ("poll", "lines", "poll"),
        ("reflection_questions", "lines", "reflection_questions"),
    ],
    "personal_action": [("prompt", "text", "prompt"), ("examples", "lines", "examples")],
    "action_points": [
        ("prompts", "lines", "prompts"),
        ("into_training_policy", "checkbox", "into_training_policy"),
    ],
    "photo": [("share_summary", "checkbox", "share_summary")],
    "questionnaire": [("questionnaire", "select", "questionnaire")],
    "checklist": [],
    "card": [],
    "action_review": [("prompt", "textarea", "review_prompt")],
}

NEW_STEPS: dict[str, dict[str, Any]] = {
    "info": {"text": ""},
    "statement_poll": {"statement": ""},
    "board": {"questions": []},
    "groups": {"count": 2, "questions": []},
    "rotation": {"questions": [], "minutes_per_round": "", "moves": ""},
    "discussion": {"items": [{"title": ""}]},
    "personal_action": {"prompt": ""},
    "action_points": {},
    "photo": {},
    "questionnaire": {"questionnaire": "leercultuur"},
    "action_review": {},
}


class DraftError(Exception):
    """The submitted draft cannot be read; the editor starts again from the stored version."""


# --- Paths ----------------------------------------------------------------------------

_PART = re.compile(r"([A-Za-z_]+)|\[(\d+)\]")


def path_name(*parts: str | int) -> str:
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else part)
    return name


def field_id(name: str) -> str:
    return "f-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# --- Fields ---------------------------------------------------------------------------


@dataclass
class EditorField:
    name: str
    widget: str
    """text, textarea, lines, duration, number, checkbox, audiences, select"""
    label: str
    value: Any
    problems: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    required: bool = False
    place: str = ""
    """Where the field is, in words ("Phase 2, step 1"); empty for the general fields."""

    @property
    def id(self) -> str:
        return field_id(self.name)

    @property
    def display(self) -> str:
        """The value as the input shows it."""
        value = self.value
        if self.widget == "lines":
            return "\n".join(str(v) for v in value) if isinstance(value, list) else ""
        if value is None or isinstance(value, bool):
            return ""
        return str(value)

    @property
    def rows(self) -> int:
        text = self.display
        lines = sum(1 + len(line) // 45 for line in text.split("\n")) if text else 1
        return max(2, min(14, lines + 1))


@dataclass
class ItemForm:
    index: int
    fields: list[EditorField]


@dataclass
class StepForm:
    index: int
    kind: str
    heading: str
    fields: list[EditorField]
    items: list[ItemForm]
    yaml_only: bool
    """Parts of this step are edited in the YAML editor only."""
    data: dict[str, Any]


@dataclass
class PhaseForm:
    index: int
    fields: list[EditorField]
    steps: list[StepForm]
    title: str
    warnings: list[TimingWarning] = field(default_factory=list)
    """The timing warnings about this phase and its steps (set by the page)."""


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DraftError
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise DraftError
    return value


def _common(
    prefix: tuple[str | int, ...], data: dict[str, Any], *, step: bool = False
) -> list[EditorField]:
    """Title, duration and texts of a phase, or of a step (which has a text for the room)."""
    texts = (
        ["text", "participant_text", "facilitator_notes"] if step else ["text", "facilitator_notes"]
    )
    return [
        EditorField(path_name(*prefix, "title"), "text", str(LABELS["title"]), data.get("title")),
        EditorField(
            path_name(*prefix, "duration"),
            "duration",
            str(LABELS["duration"]),
            data.get("duration"),
        ),
        *(
            EditorField(path_name(*prefix, name), "textarea", str(LABELS[name]), data.get(name))
            for name in texts
        ),
    ]


def _questionnaire_choices() -> list[tuple[str, str]]:
    return [(slug, q.title) for slug, q in sorted(builtin_questionnaires().items())]


def build_forms(draft: dict[str, Any]) -> tuple[list[EditorField], list[PhaseForm]]:
    """The fields of the draft, general ones and per phase; raises DraftError."""
    draft = _dict(draft)
    general = [
        EditorField("title", "text", str(LABELS["title"]), draft.get("title"), required=True),
        EditorField("summary", "textarea", str(LABELS["summary"]), draft.get("summary")),
        EditorField("goal", "textarea", str(LABELS["goal"]), draft.get("goal")),
        EditorField("duration", "duration", str(LABELS["duration"]), draft.get("duration")),
        EditorField(
            "duration_is_maximum",
            "checkbox",
            str(LABELS["duration_is_maximum"]),
            draft.get("duration_is_maximum"),
        ),
        EditorField(
            "audiences",
            "audiences",
            str(LABELS["audiences"]),
            draft.get("audiences") or [],
            choices=[(a.value, a.label) for a in schema.Audience],
        ),
        EditorField("themes", "lines", str(LABELS["themes"]), draft.get("themes") or []),
        EditorField("materials", "lines", str(LABELS["materials"]), draft.get("materials") or []),
        EditorField(
            "preparation", "lines", str(LABELS["preparation"]), draft.get("preparation") or []
        ),
        EditorField(
            "facilitator_notes",
            "textarea",
            str(LABELS["facilitator_notes"]),
            draft.get("facilitator_notes"),
        ),
    ]
    phases = []
    for p, phase in enumerate(_list(draft.get("phases"))):
        phase = _dict(phase)
        fields = _common(("phases", p), phase)
        fields[0].required = True
        steps = []
        for s, step in enumerate(_list(phase.get("steps"))):
            step = _dict(step)
            kind = step.get("kind")
            if kind not in KIND_FIELDS:
                raise DraftError
            prefix: tuple[str | int, ...] = ("phases", p, "steps", s)
            step_fields = _common(prefix, step, step=True)
            for key, widget, label in KIND_FIELDS[kind]:
                choices = _questionnaire_choices() if widget == "select" else []
                step_fields.append(
                    EditorField(
                        path_name(*prefix, key),
                        widget,
                        str(LABELS[label]),
                        step.get(key),
                        choices=choices,
                        required=widget == "text",
                    )
                )
            items = []
            if kind == "discussion":
                for i, item in enumerate(_list(step.get("items"))):
                    item = _dict(item)
                    where = (*prefix, "items", i)
                    items.append(
                        ItemForm(
                            i,
                            [
                                EditorField(
                                    path_name(*where, "title"),
                                    "text",
                                    str(LABELS["item_title"]),
                                    item.get("title"),
                                    required=True,
                                ),
                                EditorField(
                                    path_name(*where, "minutes"),
                                    "duration",
                                    str(LABELS["minutes"]),
                                    item.get("minutes"),
                                ),
                                EditorField(
                                    path_name(*where, "prompts"),
                                    "lines",
                                    str(LABELS["prompts"]),
                                    item.get("prompts") or [],
                                ),
                                EditorField(
                                    path_name(*where, "notes"),
                                    "textarea",
                                    str(LABELS["notes"]),
                                    item.get("notes"),
                                ),
                            ],
                        )
                    )
            heading = str(schema.STEP_KIND_LABELS[kind])
            steps.append(
                StepForm(
                    index=s,
                    kind=kind,
                    heading=heading,
                    fields=step_fields,
                    items=items,
                    yaml_only=kind in {"experiment", "checklist", "card"},
                    data=step,
                )
            )
        phases.append(
            PhaseForm(index=p, fields=fields, steps=steps, title=str(phase.get("title") or ""))
        )
    for phase_form in phases:
        for f in phase_form.fields:
            f.place = _("Phase %(phase)s") % {"phase": phase_form.index + 1}
        for step_form in phase_form.steps:
            place = _("Phase %(phase)s, step %(step)s") % {
                "phase": phase_form.index + 1,
                "step": step_form.index + 1,
            }
            for f in step_form.fields:
                f.place = place
            for item in step_form.items:
                for f in item.fields:
                    f.place = _("%(place)s, topic %(item)s") % {
                        "place": place,
                        "item": item.index + 1,
                    }
    return general, phases


def all_fields(general: list[EditorField], phases: list[PhaseForm]) -> list[EditorField]:
    found = list(general)
    for phase in phases:
        found.extend(phase.fields)
        for step in phase.steps:
            found.extend(step.fields)
            for item in step.items:
                found.extend(item.fields)
    return found


# --- Applying a submitted form --------------------------------------------------------


def _parse_path(name: str) -> list[str | int]:
    return [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _PART.finditer(name)]


def _set(draft: dict[str, Any], name: str, value: Any) -> None:
    parts = _parse_path(name)
    target: Any = draft
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = value


def _convert(widget: str, raw: Any, *, present: bool, required: bool) -> Any:
    if widget == "checkbox":
        return present
    if widget == "audiences":
        return raw
    text = str(raw).replace("\r\n", "\n").replace("\r", "\n")
    if widget == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()]
    stripped = text.strip()
    if widget in {"duration", "number"}:
        if not stripped:
            return None
        return int(stripped) if stripped.isascii() and stripped.isdigit() else stripped
    if widget == "text" and not stripped and not required:
        return None
    return stripped if widget == "text" else text.strip("\n")


def apply_post(draft: dict[str, Any], post: Any) -> dict[str, Any]:
    """A copy of the draft with the form's fields applied; raises DraftError."""
    draft = copy.deepcopy(draft)
    general, phases = build_forms(draft)
    for item in all_fields(general, phases):
        if item.widget == "checkbox":
            if f"present:{item.name}" not in post:
                continue
            value = _convert("checkbox", None, present=item.name in post, required=False)
        elif item.widget == "audiences":
            if f"present:{item.name}" not in post:
                continue
            value = post.getlist(item.name)
        else:
            if item.name not in post:
                continue
            value = _convert(item.widget, post.get(item.name), present=True, required=item.required)
        try:
            _set(draft, item.name, value)
        except (KeyError, IndexError, TypeError) as error:
            raise DraftError from error
    return draft


def apply_operation(draft: dict[str, Any], op: str, post: Any) -> dict[str, Any]:
    """A structure change: `add-phase`, `up-phase:1`, `remove-step:0:2`, …; raises DraftError."""
    draft = copy.deepcopy(draft)
    name, _sep, args = op.partition(":")
    try:
        numbers = [int(n) for n in args.split(":")] if args else []
        if any(n < 0 for n in numbers):
            raise DraftError
        phases = _list(draft["phases"])
        if name == "add-phase":
            phases.append({"title": "", "steps": [{"kind": "info", "text": ""}]})
        elif name in {"up-phase", "down-phase", "remove-phase"}:
            (p,) = numbers
            _move_or_remove(phases, p, name)
        elif name == "add-step":
            (p,) = numbers
            kind = str(post.get(f"new-kind-{p}", ""))
            if kind not in ADDABLE_KINDS:
                raise DraftError
            steps = _list(_dict(phases[p])["steps"])
            steps.append({"kind": kind, **copy.deepcopy(NEW_STEPS[kind])})
        elif name in {"up-step", "down-step", "remove-step"}:
            p, s = numbers
            _move_or_remove(_list(_dict(phases[p])["steps"]), s, name)
        elif name == "add-item":
            p, s = numbers
            step = _dict(_list(_dict(phases[p])["steps"])[s])
            _list(step["items"]).append({"title": ""})
        elif name == "remove-item":
            p, s, i = numbers
            step = _dict(_list(_dict(phases[p])["steps"])[s])
            items = _list(step["items"])
            if not 0 <= i < len(items):
                raise DraftError
            del items[i]
        elif name not in {"check", "save"}:
            raise DraftError
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise DraftError from error
    return draft


def _move_or_remove(rows: list[Any], index: int, op: str) -> None:
    if not 0 <= index < len(rows):
        raise DraftError
    if op.startswith("remove"):
        del rows[index]
    elif op.startswith("up") and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif op.startswith("down") and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]


def read_draft(raw: str | None, fallback: dict[str, Any]) -> dict[str, Any]:
    if not raw:
        return copy.deepcopy(fallback)
    if len(raw) > MAX_DRAFT_CHARS:
        raise DraftError
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise DraftError from error
    return _dict(data)


def dump_draft(draft: dict[str, Any]) -> str:
    return json.dumps(draft, ensure_ascii=False, separators=(",", ":"))


# --- Checking -------------------------------------------------------------------------


@dataclass
class Check:
    content: schema.Format | None
    problems: list[Problem]
    warnings: list[TimingWarning]
    timing: FormatTiming | None

    @property
    def valid(self) -> bool:
        return self.content is not None and not self.problems


def check(draft: dict[str, Any]) -> Check:
    content, problems = validate_data(schema.Format, draft)
    if content is not None:
        problems = questionnaire_problems(content)
    if content is None or problems:
        return Check(None, problems, [], None)
    return Check(content, [], analyse(content), overview(content))


def _field_for(problem: Problem, by_name: dict[str, EditorField]) -> EditorField | None:
    location = problem.location
    while location:
        if location in by_name:
            return by_name[location]
        shorter = re.sub(r"(\.[A-Za-z_]+|\[\d+\])$", "", location)
        if shorter == location:  # the top ("phases"): no field of its own
            return None
        location = shorter
    return None


DURATION_RANGE_CODES = {"greater_than_equal", "less_than_equal", "duration_order"}


def field_message(problem: Problem, target: EditorField) -> str:
    """The problem in words for the person at the field: a duration's `.low` and `.high`
    limits become one sentence about the duration."""
    if target.widget == "duration" and problem.code in DURATION_RANGE_CODES:
        if problem.code == "duration_order":
            return _("A range of minutes goes from low to high (30-35).")
        return _("The duration must be between %(low)s and %(high)s minutes.") % {
            "low": 0,
            "high": schema.MAX_MINUTES,
        }
    return problem.message


@dataclass
class ProblemLink:
    """One line of the problem summary at the top of the editor."""

    message: str
    label: str = ""
    place: str = ""
    anchor: str = ""

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.place, self.label) if part)
        return f"{where}: {self.message}" if where else self.message


def attach_problems(fields: list[EditorField], problems: list[Problem]) -> list[ProblemLink]:
    """Put each problem on the field it is about (the longest matching path), once per
    field and message; answer the summary: one line per field problem, in words, with the
    field's anchor, and the problems that belong to no field."""
    by_name = {f.name: f for f in fields}
    summary: list[ProblemLink] = []
    for problem in problems:
        target = _field_for(problem, by_name)
        if target is None:
            link = ProblemLink(problem.message or _("This is not valid."))
            if str(link) not in {str(s) for s in summary}:
                summary.append(link)
            continue
        message = field_message(problem, target)
        if message in target.problems:
            continue
        target.problems.append(message)
        summary.append(ProblemLink(message, target.label, target.place, target.id))
    return summary


def describe(problem: Problem) -> str:
    return str(problem) if problem.location else problem.message or _("This is not valid.")
