"""The scan's questionnaires as data: every question kind a campaign can ask.

`formats.questionnaire` describes the built-in questionnaire of seed 001 (yes/no and multiple
choice with "Andere"); the scan needs more kinds, so it has its own models here, a superset
of that schema: a built-in questionnaire converts with :func:`from_builtin`.

Kinds and what an answer is (the form and the API send the same shape):

    yes_no           "ja" | "nee"                      (one option key)
    single_choice    one option key (or the "other" key, with a text)
    multiple_choice  a list of option keys (the "other" key among them, with a text)
    scale            a whole number from `low` to `high` (1-5 or 1-6), end labels shown
    open_text        a text of at most `max_length` (1000) characters

Every question and option has a stable key: counters are kept per key, so reports of two
campaigns (or two versions) compare the questions whose key and kind are the same.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from django.utils.translation import gettext as _
from pydantic import Field, model_validator

from formats.questionnaire import QuestionBase as BuiltinQuestionBase
from formats.questionnaire import Questionnaire as BuiltinQuestionnaire
from formats.schema import Choice, Key, Label, Markdown, Strict, Title, _refuse_duplicates

FREE_TEXT_MAX = 1000
"""Longest "Andere" or open-text answer, in characters."""


class QuestionBase(BuiltinQuestionBase):
    required: bool = False

    def option_keys(self) -> list[str]:
        return []


class OtherOption(Strict):
    """ "Andere: …" with a free-text answer."""

    key: Key = "andere"
    label: Label = "Andere"


class _ChoiceQuestion(QuestionBase):
    options: Annotated[list[Choice], Field(min_length=1, max_length=40)]
    other_option: OtherOption | None = None

    @model_validator(mode="after")
    def _unique_option_keys(self) -> Any:
        keys = [o.key for o in self.options]
        if self.other_option is not None:
            keys.append(self.other_option.key)
        _refuse_duplicates(keys, _("Option keys"))
        return self

    def option_keys(self) -> list[str]:
        keys = [o.key for o in self.options]
        if self.other_option is not None:
            keys.append(self.other_option.key)
        return keys

    def labels(self) -> dict[str, str]:
        labels = {o.key: o.label for o in self.options}
        if self.other_option is not None:
            labels[self.other_option.key] = self.other_option.label
        return labels


class YesNoQuestion(QuestionBase):
    kind: Literal["yes_no"]
    options: Annotated[list[Choice], Field(min_length=2, max_length=2)] = Field(
        default_factory=lambda: [Choice(key="ja", label="Ja"), Choice(key="nee", label="Nee")]
    )
    other_option: None = None

    def option_keys(self) -> list[str]:
        return [o.key for o in self.options]

    def labels(self) -> dict[str, str]:
        return {o.key: o.label for o in self.options}


class SingleChoiceQuestion(_ChoiceQuestion):
    kind: Literal["single_choice"]


class MultipleChoiceQuestion(_ChoiceQuestion):
    kind: Literal["multiple_choice"]
    multiple: Literal[True] = True


class ScaleQuestion(QuestionBase):
    kind: Literal["scale"]
    low: Literal[1] = 1
    high: Literal[5, 6] = 5
    low_label: Label
    high_label: Label

    def option_keys(self) -> list[str]:
        return [str(i) for i in range(self.low, self.high + 1)]

    def labels(self) -> dict[str, str]:
        labels = {key: key for key in self.option_keys()}
        labels[str(self.low)] = f"{self.low} ({self.low_label})"
        labels[str(self.high)] = f"{self.high} ({self.high_label})"
        return labels


class OpenTextQuestion(QuestionBase):
    kind: Literal["open_text"]
    max_length: int = Field(default=FREE_TEXT_MAX, ge=1, le=FREE_TEXT_MAX)

    def labels(self) -> dict[str, str]:
        return {}


ScanQuestion = Annotated[
    Union[  # noqa: UP007
        YesNoQuestion,
        SingleChoiceQuestion,
        MultipleChoiceQuestion,
        ScaleQuestion,
        OpenTextQuestion,
    ],
    Field(discriminator="kind"),
]
QUESTION_KINDS = ("yes_no", "single_choice", "multiple_choice", "scale", "open_text")
CHOICE_KINDS = frozenset({"yes_no", "single_choice", "multiple_choice"})
FILTER_KINDS = frozenset({"yes_no", "single_choice"})
"""Questions whose answers split respondents into disjoint groups, usable as a filter."""


class Section(Strict):
    title: Title | None = None
    text: Markdown = ""
    questions: list[ScanQuestion] = Field(min_length=1, max_length=100)


class ScanQuestionnaire(BuiltinQuestionnaire):
    """The format library's questionnaire with the scan's question kinds."""

    sections: list[Section] = Field(min_length=1, max_length=20)  # type: ignore[assignment]

    def question(self, key: str) -> Any | None:
        for q in self.questions:
            if q.key == key:
                return q
        return None


def from_builtin(builtin: BuiltinQuestionnaire) -> ScanQuestionnaire:
    """The seed's questionnaire in the scan's schema, wording untouched.

    Yes/no questions are required (one tap each); multiple-choice questions stay optional,
    as "none of these" is a fair answer. The "Andere" free text is limited to 1000 characters.
    """
    data = builtin.model_dump(mode="json")
    for section in data["sections"]:
        for question in section["questions"]:
            question["required"] = question["kind"] == "yes_no"
            question.pop("multiple", None)
            other = question.get("other_option")
            if other:
                question["other_option"] = {"key": other["key"], "label": other["label"]}
    return ScanQuestionnaire.model_validate(data)


def load(data: dict[str, Any]) -> ScanQuestionnaire:
    return ScanQuestionnaire.model_validate(data)
