"""The schema of a workshop format ("werkvorm") and of a questionnaire, as pydantic models.

A format is data: the built-in ones are YAML files in `formats/builtin/`, an organisation's
own formats and copies are stored as versions in the database (`FormatVersion.data` holds
`Format.model_dump(mode="json")`). Everything is strict: unknown fields are refused, texts
have limits, slugs and keys are checked, and references between steps must resolve.

Messages from the checks here are translated when the check runs (English msgids); the
loader (`formats.loader`) turns pydantic's own errors into sentences for people.

Steps are a union discriminated on `kind`; each kind has the fields its live activity needs:

    info              text
    statement_poll    statement, choices, instructions, facilitator_points
    board             questions, notes_per_participant, individual, to_portfolio
    groups            count | per_question, questions | questions_from, summary, summary_prompt
    rotation          questions, minutes_per_round, moves, summary_in_last_round
    discussion        items (title, prompts, notes, minutes, is_scenario)
    experiment        groups (name, instructions), poll, choices, reflection_questions
    personal_action   prompt, examples
    action_points     prompts, fields, into_training_policy, from_checklist, from_answer
    photo             share_summary
    questionnaire     questionnaire (slug)
    checklist         options, sections (title, text, items (key, text))
    card              entries (label, question, explanation, example)
    action_review     prompt, themes (the agreements' themes shown first; empty: all)

and every step has `key`, `title`, `duration`, `text`, `participant_text` and
`facilitator_notes`.

Who reads what: `text` is the script as the format has it (mostly addressed to the
facilitator), `facilitator_notes` and the fields in `FACILITATOR_ONLY_FIELDS` stay on the
facilitator's console; only `participant_text`, titles, statements, questions, choices,
prompts and results are shown to the room (presenter screen and phones).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, Literal, Union

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from core.text import TextError, clean_text

SCHEMA_VERSION: Literal[1] = 1
MAX_MINUTES = 24 * 60
"""No duration in a format is longer than a day."""

# --- Small types ----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    """core.text's rule for texts: no control characters other than newlines and tabs, no
    lone surrogates or direction overrides, and a required text not invisible."""
    if _CONTROL.search(value):
        raise PydanticCustomError("control_character", "contains a control character")
    try:
        clean_text(value, max_length=None, required=False)
    except TextError as exc:
        raise PydanticCustomError(f"text_{exc.code}", exc.message) from None
    return value


def _visible(value: str) -> str:
    if value and not clean_text(value, max_length=None, required=False):
        raise PydanticCustomError("text_empty", "contains only invisible characters")
    return value


def _constraints(max_length: int, *, required: bool = True) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=1 if required else 0, max_length=max_length
    )


_CLEAN = AfterValidator(_no_control_characters)
_VISIBLE = AfterValidator(_visible)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=80)]
"""Lowercase letters and digits in words joined by single hyphens: `mijn-werkvorm-2`."""

Key = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=40)]
"""A stable identifier inside a document (a step, an option, a checklist item)."""

Title = Annotated[str, _constraints(200), _CLEAN, _VISIBLE]
Label = Annotated[str, _constraints(200), _CLEAN, _VISIBLE]
Line = Annotated[str, _constraints(500), _CLEAN, _VISIBLE]
Question = Annotated[str, _constraints(1000), _CLEAN, _VISIBLE]
ShortText = Annotated[str, _constraints(1000, required=False), _CLEAN]
Markdown = Annotated[str, _constraints(20_000, required=False), _CLEAN]
"""Markdown text, possibly empty; rendered (and sanitised) by the pages that show it."""
RequiredMarkdown = Annotated[str, _constraints(20_000), _CLEAN, _VISIBLE]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _duplicates(values: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _refuse_duplicates(values: list[Any], what: str) -> None:
    repeated = _duplicates(values)
    if repeated:
        raise ValueError(
            _("%(what)s must be unique; repeated: %(values)s.")
            % {"what": what, "values": ", ".join(str(v) for v in repeated)}
        )


# --- Duration -------------------------------------------------------------------------

_DURATION = re.compile(
    r"^\s*(\d{1,4})\s*(?:[-\u2013]\s*(\d{1,4}))?\s*(?:min(?:uten|utes|\.)?)?\s*$", re.IGNORECASE
)


class Duration(Strict):
    """Minutes, exact (`15`) or a range (`"30-35"`). Written back as `15` or `"30-35"`.

    Durations add up range-wise: (6-7) + (6-7) = 12-14; `sum()` works from 0.
    """

    low: int = Field(ge=0, le=MAX_MINUTES)
    high: int = Field(ge=0, le=MAX_MINUTES)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, Duration):
            return {"low": value.low, "high": value.high}
        if isinstance(value, bool):
            raise PydanticCustomError("duration_type", "not a duration")
        if isinstance(value, int):
            return {"low": value, "high": value}
        if isinstance(value, str):
            match = _DURATION.match(value)
            if match is None:
                raise PydanticCustomError("duration_type", "not a duration")
            low = int(match.group(1))
            high = int(match.group(2)) if match.group(2) is not None else low
            return {"low": low, "high": high}
        if isinstance(value, dict):
            return value
        raise PydanticCustomError("duration_type", "not a duration")

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        if self.low > self.high:
            raise PydanticCustomError(
                "duration_order", "a range must go from low to high", {"low": self.low}
            )
        return self

    @model_serializer(mode="plain")
    def _serialise(self) -> int | str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "title": "Duration",
            "description": 'Minutes (15) or a range of minutes ("30-35").',
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": MAX_MINUTES},
                {"type": "string", "pattern": r"^\d{1,4}(-\d{1,4})?$"},
            ],
        }

    @classmethod
    def parse(cls, value: Any) -> Duration:
        return cls.model_validate(value)

    @classmethod
    def zero(cls) -> Duration:
        return cls(low=0, high=0)

    @classmethod
    def computed(cls, low: int, high: int) -> Duration:
        """A sum or product: not limited to a day, so not validated."""
        return cls.model_construct(low=low, high=high)

    @property
    def is_range(self) -> bool:
        return self.low != self.high

    @property
    def minutes(self) -> int | None:
        """The exact number of minutes, or None for a range."""
        return None if self.is_range else self.low

    def __add__(self, other: object) -> Duration:
        if isinstance(other, Duration):
            return Duration.computed(self.low + other.low, self.high + other.high)
        if isinstance(other, int) and not isinstance(other, bool):
            return Duration.computed(self.low + other, self.high + other)
        return NotImplemented

    __radd__ = __add__

    def __mul__(self, factor: object) -> Duration:
        if isinstance(factor, int) and not isinstance(factor, bool) and factor >= 0:
            return Duration.computed(self.low * factor, self.high * factor)
        return NotImplemented

    __rmul__ = __mul__

    def __str__(self) -> str:
        return f"{self.low} min" if not self.is_range else f"{self.low}-{self.high} min"

    def __repr__(self) -> str:
        return f"Duration({self._serialise()!r})"


def total(durations: Iterable[Duration]) -> Duration:
    return sum(durations, Duration.zero())


# --- Vocabulary -----------------------------------------------------------------------


class Audience(StrEnum):
    """The four audiences the seeds name ("Doelpubliek" in "Al doende leren")."""

    MANAGERS_HR = "managers_hr"
    EMPLOYEES = "employees"
    UNION_REPRESENTATIVES = "union_representatives"
    SELF_EMPLOYED = "self_employed"

    @property
    def label_nl(self) -> str:
        """The seed's own wording, used in Dutch content."""
        return AUDIENCE_LABELS_NL[self]

    @property
    def label(self) -> str:
        """The translatable label for the interface."""
        return str(AUDIENCE_LABELS[self])


AUDIENCE_LABELS_NL = {
    Audience.MANAGERS_HR: "leidinggevenden en HR-verantwoordelijken",
    Audience.EMPLOYEES: "medewerkers",
    Audience.UNION_REPRESENTATIVES: "vakbondsvertegenwoordigers",
    Audience.SELF_EMPLOYED: "zelfstandige ondernemers",
}
AUDIENCE_LABELS = {
    Audience.MANAGERS_HR: gettext_lazy("managers and HR officers"),
    Audience.EMPLOYEES: gettext_lazy("employees"),
    Audience.UNION_REPRESENTATIVES: gettext_lazy("union representatives"),
    Audience.SELF_EMPLOYED: gettext_lazy("self-employed entrepreneurs"),
}

Theme = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=60),
    AfterValidator(_no_control_characters),
]


class Choice(Strict):
    """An answer option with a stable key and a label."""

    key: Key
    label: Label


def _default_poll_choices() -> list[Choice]:
    return [
        Choice(key="eens", label="Eens"),
        Choice(key="oneens", label="Oneens"),
        Choice(key="twijfel", label="Twijfel"),
    ]


Choices = Annotated[list[Choice], Field(min_length=2, max_length=12)]


def _unique_choice_keys(choices: list[Choice]) -> list[Choice]:
    _refuse_duplicates([c.key for c in choices], _("Option keys"))
    return choices


# --- Steps ----------------------------------------------------------------------------

# Fields (besides every step's `text` and `facilitator_notes`) that only the facilitator
# sees: the presenter screen and the phones never show them.
FACILITATOR_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "statement_poll": frozenset({"instructions", "facilitator_points"}),
    "groups": frozenset({"summary_prompt"}),
}


class StepBase(Strict):
    key: Key | None = None
    """Set when another step refers to this one (`questions_from`, `from_checklist`)."""
    title: Title | None = None
    duration: Duration | None = None
    text: Markdown = ""
    """What the step says, as the script has it (Markdown)."""
    participant_text: Markdown = ""
    """Shown to the room (presenter screen and phones), Markdown; `text` is not."""
    facilitator_notes: Markdown = ""
    """Only for the facilitator ("Voor de begeleider"), Markdown."""


class InfoStep(StepBase):
    kind: Literal["info"]
    text: Markdown = ""
    """What the facilitator says or does; may be empty when `participant_text` says it all."""

    @model_validator(mode="after")
    def _says_something(self) -> InfoStep:
        if not self.text and not self.participant_text:
            raise ValueError(
                _("An information step needs a text: for the facilitator, for the room, or both.")
            )
        return self


class StatementPollStep(StepBase):
    kind: Literal["statement_poll"]
    statement: Question
    choices: Annotated[Choices, AfterValidator(_unique_choice_keys)] = Field(
        default_factory=_default_poll_choices
    )
    instructions: list[Line] = Field(default_factory=list, max_length=20)
    """Facilitator only: how to run the poll in the room ("hands up if you agree")."""
    facilitator_points: list[RequiredMarkdown] = Field(default_factory=list, max_length=20)
    """Points the facilitator adds after hearing participants."""


class BoardStep(StepBase):
    kind: Literal["board"]
    questions: list[Question] = Field(min_length=1, max_length=30)
    notes_per_participant: int | None = Field(default=None, ge=1, le=50)
    """At most this many notes per participant per question; None: as many as they like."""
    individual: bool = True
    """Participants write on their own (before any group work)."""
    to_portfolio: bool = False
    """Participants may keep their answers in their personal portfolio."""


class GroupsStep(StepBase):
    kind: Literal["groups"]
    count: int | None = Field(default=None, ge=2, le=100)
    """Split everyone present into this many equal groups."""
    per_question: bool = False
    """One group per question."""
    questions: list[Question] = Field(default_factory=list, max_length=100)
    questions_from: Key | None = None
    """The key of an earlier board step: its questions (and notes) go to the groups."""
    summary: bool = True
    """Each group writes a summary."""
    summary_prompt: Markdown = ""
    """Facilitator only: what to ask of the groups ("ask for a summary per question")."""

    @model_validator(mode="after")
    def _consistent(self) -> GroupsStep:
        if self.count is None and not self.per_question:
            raise ValueError(_("Give a number of groups (count) or set per_question."))
        if self.questions and self.questions_from:
            raise ValueError(_("Give questions or questions_from, not both."))
        if self.per_question and not (self.questions or self.questions_from):
            raise ValueError(_("One group per question needs questions or questions_from."))
        if (
            self.per_question
            and self.count is not None
            and self.questions
            and self.count != len(self.questions)
        ):
            raise ValueError(
                _("%(count)s groups cannot each take one of %(questions)s questions.")
                % {"count": self.count, "questions": len(self.questions)}
            )
        return self


class RotationStep(StepBase):
    """World café: groups move between questions every `minutes_per_round` minutes."""

    kind: Literal["rotation"]
    questions: list[Question] = Field(min_length=2, max_length=30)
    minutes_per_round: int = Field(ge=1, le=120)
    moves: int = Field(ge=1, le=30)
    """How many times each group moves on; there is one round more than moves."""
    summary_in_last_round: bool = False

    @property
    def rounds(self) -> int:
        return self.moves + 1

    @property
    def rounds_duration(self) -> Duration:
        return Duration.parse(self.minutes_per_round) * self.rounds


class DiscussionItem(Strict):
    """A topic or scenario to discuss."""

    key: Key | None = None
    title: Question
    prompts: list[Question] = Field(default_factory=list, max_length=30)
    notes: Markdown = ""
    minutes: Duration | None = None
    is_scenario: bool = False


class DiscussionStep(StepBase):
    kind: Literal["discussion"]
    items: list[DiscussionItem] = Field(min_length=1, max_length=30)

    @field_validator("items")
    @classmethod
    def _unique_keys(cls, items: list[DiscussionItem]) -> list[DiscussionItem]:
        _refuse_duplicates([i.key for i in items if i.key], _("Item keys"))
        return items

    @property
    def items_duration(self) -> Duration | None:
        """The items' minutes added up, when every item has minutes."""
        if not self.items or any(item.minutes is None for item in self.items):
            return None
        return total(item.minutes for item in self.items if item.minutes is not None)


class ExperimentGroup(Strict):
    name: Title
    instructions: RequiredMarkdown


class ExperimentStep(StepBase):
    """Groups get different instructions; then everyone answers a poll, compared per group."""

    kind: Literal["experiment"]
    groups: list[ExperimentGroup] = Field(min_length=2, max_length=10)
    poll: list[Question] = Field(min_length=1, max_length=10)
    """The self-assessment statements or questions everyone answers."""
    choices: Annotated[Choices, AfterValidator(_unique_choice_keys)] = Field(
        default_factory=_default_poll_choices
    )
    reflection_questions: list[Question] = Field(default_factory=list, max_length=20)

    @field_validator("groups")
    @classmethod
    def _unique_names(cls, groups: list[ExperimentGroup]) -> list[ExperimentGroup]:
        _refuse_duplicates([g.name for g in groups], _("Group names"))
        return groups


class PersonalActionStep(StepBase):
    kind: Literal["personal_action"]
    prompt: Question
    examples: list[Question] = Field(default_factory=list, max_length=20)


ActionPointField = Literal["owner", "first_step", "due_date", "evaluation_date"]
ACTION_POINT_FIELDS: tuple[ActionPointField, ...] = (
    "owner",
    "first_step",
    "due_date",
    "evaluation_date",
)


class ActionPointsStep(StepBase):
    """Collective agreements, each with the fields listed in `fields`."""

    kind: Literal["action_points"]
    prompts: list[Question] = Field(default_factory=list, max_length=20)
    fields: list[ActionPointField] = Field(
        default_factory=lambda: list(ACTION_POINT_FIELDS), max_length=4
    )
    into_training_policy: bool = False
    """The agreements go into the organisation's training policy."""
    from_checklist: Key | None = None
    """The key of an earlier checklist step: its items answered `from_answer` become points."""
    from_answer: Key | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ActionPointsStep:
        _refuse_duplicates(self.fields, _("Fields"))
        if (self.from_checklist is None) != (self.from_answer is None):
            raise ValueError(_("from_checklist and from_answer go together."))
        return self


class PhotoStep(StepBase):
    """Photos of flip charts, attached to the session."""

    kind: Literal["photo"]
    share_summary: bool = False
    """A summary made from the photos is shared with the participants."""


class QuestionnaireStep(StepBase):
    kind: Literal["questionnaire"]
    questionnaire: Slug


class ChecklistItem(Strict):
    key: Key
    text: Question


class ChecklistSection(Strict):
    title: Title | None = None
    text: Markdown = ""
    items: list[ChecklistItem] = Field(min_length=1, max_length=50)


class ChecklistStep(StepBase):
    """Items rated with one of the same answer options each."""

    kind: Literal["checklist"]
    options: Annotated[Choices, AfterValidator(_unique_choice_keys)]
    sections: list[ChecklistSection] = Field(min_length=1, max_length=20)

    @field_validator("sections")
    @classmethod
    def _unique_item_keys(cls, sections: list[ChecklistSection]) -> list[ChecklistSection]:
        _refuse_duplicates([i.key for s in sections for i in s.items], _("Item keys"))
        return sections

    @property
    def items(self) -> list[ChecklistItem]:
        return [item for section in self.sections for item in section.items]


class CardEntry(Strict):
    label: Title
    question: Question | None = None
    explanation: Markdown = ""
    example: Markdown = ""


class CardStep(StepBase):
    """A reference card for the facilitator (such as the 5 V's); it takes no time itself."""

    kind: Literal["card"]
    entries: list[CardEntry] = Field(min_length=1, max_length=30)


ActionTheme = Literal["budget", "time", "securing", "route", "other"]
"""`actions.models.Theme`: the four scenarios of seed 004 and "other"."""


class ActionReviewStep(StepBase):
    """The open agreements of the register reviewed live: the facilitator picks them (of a
    team, a theme or earlier sessions), updates their status and notes how they went."""

    kind: Literal["action_review"]
    prompt: ShortText = ""
    """What the facilitator asks about each agreement."""
    themes: list[ActionTheme] = Field(default_factory=list, max_length=5)
    """The themes picked at the start (the facilitator can change the pick live)."""

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, themes: list[str]) -> list[str]:
        _refuse_duplicates(themes, _("Themes"))
        return themes


Step = Annotated[
    Union[  # noqa: UP007 - a discriminated union reads best spelled out
        InfoStep,
        StatementPollStep,
        BoardStep,
        GroupsStep,
        RotationStep,
        DiscussionStep,
        ExperimentStep,
        PersonalActionStep,
        ActionPointsStep,
        PhotoStep,
        QuestionnaireStep,
        ChecklistStep,
        CardStep,
        ActionReviewStep,
    ],
    Field(discriminator="kind"),
]

STEP_KINDS: tuple[str, ...] = (
    "info",
    "statement_poll",
    "board",
    "groups",
    "rotation",
    "discussion",
    "experiment",
    "personal_action",
    "action_points",
    "photo",
    "questionnaire",
    "checklist",
    "card",
    "action_review",
)

STEP_KIND_LABELS = {
    "info": gettext_lazy("Information"),
    "statement_poll": gettext_lazy("Statement poll"),
    "board": gettext_lazy("Board"),
    "groups": gettext_lazy("Groups"),
    "rotation": gettext_lazy("World café"),
    "discussion": gettext_lazy("Discussion"),
    "experiment": gettext_lazy("Experiment"),
    "personal_action": gettext_lazy("Personal action"),
    "action_points": gettext_lazy("Action points"),
    "photo": gettext_lazy("Photos"),
    "questionnaire": gettext_lazy("Questionnaire"),
    "checklist": gettext_lazy("Checklist"),
    "card": gettext_lazy("Card"),
    "action_review": gettext_lazy("Action review"),
}


# --- Phase and format -----------------------------------------------------------------


class Phase(Strict):
    title: Title
    duration: Duration | None = None
    text: Markdown = ""
    facilitator_notes: Markdown = ""
    steps: list[Step] = Field(min_length=1, max_length=40)


class Source(Strict):
    document: Label
    title: Title | None = None
    note: Markdown = ""


HttpUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")
]


class LearningOffer(Strict):
    """Where participants find learning; an organisation replaces it with its own."""

    name: Title
    url: HttpUrl | None = None
    text: Markdown = ""


class FollowUp(Strict):
    """What happens after the session (the one-on-one conversation weeks later)."""

    title: Title | None = None
    text: Markdown = ""
    questions: list[Question] = Field(default_factory=list, max_length=20)
    learning_offer: LearningOffer | None = None


class Format(Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    slug: Slug
    title: Title
    language: Literal["nl", "en"] = "nl"
    summary: ShortText = ""
    goal: Markdown = ""
    background: Markdown = ""
    audiences: list[Audience] = Field(default_factory=list, max_length=4)
    themes: list[Theme] = Field(default_factory=list, max_length=20)
    duration: Duration | None = None
    duration_is_maximum: bool = False
    """The declared duration is an upper limit ("maximum 1 uur")."""
    materials: list[Line] = Field(default_factory=list, max_length=50)
    preparation: list[Line] = Field(default_factory=list, max_length=50)
    source: Source | None = None
    facilitator_notes: Markdown = ""
    """Notes for the facilitator on the whole format (such as useful documentation)."""
    phases: list[Phase] = Field(min_length=1, max_length=30)
    follow_up: FollowUp | None = None

    @field_validator("audiences")
    @classmethod
    def _unique_audiences(cls, audiences: list[Audience]) -> list[Audience]:
        _refuse_duplicates([a.value for a in audiences], _("Audiences"))
        return audiences

    @field_validator("themes")
    @classmethod
    def _unique_themes(cls, themes: list[str]) -> list[str]:
        _refuse_duplicates(themes, _("Themes"))
        return themes

    @model_validator(mode="after")
    def _references(self) -> Format:
        problems = reference_problems(self)
        if problems:
            raise PydanticCustomError(
                "format_references",
                "{summary}",
                {"summary": "; ".join(m for _loc, m in problems), "problems": problems},
            )
        return self

    def steps(self) -> Iterable[tuple[int, int, Any]]:
        """(phase index, step index, step) for every step, in order."""
        for p, phase in enumerate(self.phases):
            for s, step in enumerate(phase.steps):
                yield p, s, step

    def step_by_key(self, key: str) -> Any | None:
        return next((step for _p, _s, step in self.steps() if step.key == key), None)

    @property
    def duration_label(self) -> str:
        if self.duration is None:
            return ""
        if self.duration_is_maximum:
            return _("at most %(duration)s") % {"duration": self.duration}
        return str(self.duration)


Location = tuple[str | int, ...]


def reference_problems(fmt: Format) -> list[tuple[Location, str]]:
    """Problems that involve more than one field: keys and the references between steps."""
    problems: list[tuple[Location, str]] = []
    if fmt.duration_is_maximum and fmt.duration is None:
        problems.append((("duration",), _("A maximum duration needs a duration.")))

    earlier: dict[str, Any] = {}
    for p, s, step in fmt.steps():
        where: Location = ("phases", p, "steps", s)
        if isinstance(step, GroupsStep) and step.questions_from:
            board = earlier.get(step.questions_from)
            if not isinstance(board, BoardStep):
                problems.append(
                    (
                        (*where, "questions_from"),
                        _("There is no board step with key “%(key)s” before this step.")
                        % {"key": step.questions_from},
                    )
                )
            elif (
                step.per_question and step.count is not None and step.count != len(board.questions)
            ):
                problems.append(
                    (
                        (*where, "count"),
                        _("%(count)s groups cannot each take one of %(questions)s questions.")
                        % {"count": step.count, "questions": len(board.questions)},
                    )
                )
        if isinstance(step, ActionPointsStep) and step.from_checklist:
            checklist = earlier.get(step.from_checklist)
            if not isinstance(checklist, ChecklistStep):
                problems.append(
                    (
                        (*where, "from_checklist"),
                        _("There is no checklist step with key “%(key)s” before this step.")
                        % {"key": step.from_checklist},
                    )
                )
            elif step.from_answer not in {o.key for o in checklist.options}:
                problems.append(
                    (
                        (*where, "from_answer"),
                        _("The checklist has no answer option “%(key)s”.")
                        % {"key": step.from_answer},
                    )
                )
        if step.key:
            if step.key in earlier:
                problems.append(
                    (
                        (*where, "key"),
                        _("Another step already has the key “%(key)s”.") % {"key": step.key},
                    )
                )
            else:
                earlier[step.key] = step
    return problems
