"""The schema of a questionnaire (the learning-culture scan's questions), as pydantic models.

Questions are a union on `kind` so that the scan module can add `single_choice`, `scale` and
`open_text` as one class each (and add it to `QuestionnaireQuestion`); every question and
option has a stable key, so answers stay comparable across campaigns and versions. A format
embeds a questionnaire with a `questionnaire` step that names its slug.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from django.utils.translation import gettext as _
from pydantic import Field, field_validator, model_validator

from .schema import (
    SCHEMA_VERSION,
    Choice,
    HttpUrl,
    Key,
    Label,
    Markdown,
    Question,
    Slug,
    Source,
    Strict,
    Title,
    _refuse_duplicates,
    _unique_choice_keys,
)


class QuestionBase(Strict):
    key: Key
    number: int | None = Field(default=None, ge=1, le=999)
    """The number the document prints before the question."""
    text: Question
    help_text: Markdown = ""


class OtherOption(Strict):
    """ "Andere: …" with a free-text answer."""

    key: Key = "andere"
    label: Label = "Andere"
    free_text: bool = True
    free_text_max_length: int = Field(default=500, ge=1, le=5000)


class YesNoQuestion(QuestionBase):
    kind: Literal["yes_no"]
    options: Annotated[list[Choice], Field(min_length=2, max_length=2)] = Field(
        default_factory=lambda: [Choice(key="ja", label="Ja"), Choice(key="nee", label="Nee")]
    )

    @field_validator("options")
    @classmethod
    def _unique(cls, options: list[Choice]) -> list[Choice]:
        return _unique_choice_keys(options)


class MultipleChoiceQuestion(QuestionBase):
    kind: Literal["multiple_choice"]
    multiple: bool = True
    """Several answers allowed ("meerdere antwoorden mogelijk")."""
    options: Annotated[list[Choice], Field(min_length=1, max_length=40)]
    other_option: OtherOption | None = None

    @model_validator(mode="after")
    def _unique_option_keys(self) -> MultipleChoiceQuestion:
        keys = [o.key for o in self.options]
        if self.other_option is not None:
            keys.append(self.other_option.key)
        _refuse_duplicates(keys, _("Option keys"))
        return self


QuestionnaireQuestion = Annotated[
    Union[YesNoQuestion, MultipleChoiceQuestion],  # noqa: UP007
    Field(discriminator="kind"),
]
QUESTION_KINDS: tuple[str, ...] = ("yes_no", "multiple_choice")


class QuestionnaireSection(Strict):
    title: Title | None = None
    text: Markdown = ""
    questions: list[QuestionnaireQuestion] = Field(min_length=1, max_length=100)


class Link(Strict):
    title: Title
    url: HttpUrl


class Questionnaire(Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    slug: Slug
    title: Title
    language: Literal["nl", "en"] = "nl"
    quote: Markdown = ""
    """The opening quote."""
    context: Markdown = ""
    """Background for the people who answer (policy, targets)."""
    links: list[Link] = Field(default_factory=list, max_length=20)
    introduction: Markdown = ""
    """The invitation to answer, shown right before the questions."""
    sections: list[QuestionnaireSection] = Field(min_length=1, max_length=20)
    source: Source | None = None

    @model_validator(mode="after")
    def _unique_question_keys(self) -> Questionnaire:
        _refuse_duplicates([q.key for q in self.questions], _("Question keys"))
        return self

    @property
    def questions(self) -> list[Any]:
        return [q for section in self.sections for q in section.questions]
