"""The built-in questionnaire is seed 001 verbatim; the scan's schema and its versions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.errors import DomainError
from scans import services
from scans.models import (
    Answer,
    FreeText,
    FreeTextPool,
    QuestionnaireVersion,
    Response,
    ScanInvitation,
    SubmissionReceipt,
)
from scans.questionnaire import ScanQuestionnaire

from .conftest import respond

SEED = next(Path("/work/shared/seeds").glob("001_*.txt"), None)
if SEED is None:  # the repository's copy, for machines without /work/shared
    SEED = next((Path(__file__).resolve().parents[2] / "formats/tests/seeds").glob("001_*"), None)


def squash(text: str) -> str:
    """The seed is a PDF extraction: tabs, line breaks and double spaces inside sentences."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def seed_text() -> str:
    if SEED is None:
        pytest.skip("seed 001 not available")
    return squash(SEED.read_text(encoding="utf-8"))


def test_builtin_has_the_seed_questions_verbatim(builtin, seed_text):
    content = builtin.current_version.content
    assert content.title == "Benieuwd naar de leercultuur in je organisatie?"
    assert content.title in seed_text
    questions = content.questions
    assert [q.number for q in questions] == list(range(1, 12))
    assert [q.kind for q in questions] == ["yes_no"] * 5 + ["multiple_choice"] * 6
    for q in questions:
        text = q.text.replace("aangeduid", "aageduid")  # the one typo the seed has
        assert squash(f"{q.number}. {text}") in seed_text
        if q.kind == "multiple_choice":
            assert q.other_option is not None and q.other_option.label == "Andere"
            for option in q.options:
                assert squash(option.label) in seed_text, option.label
    assert len(questions[5].options) == 5
    assert [len(q.options) for q in questions[5:]] == [5, 5, 6, 6, 6, 7]
    assert [s.title for s in content.sections] == [
        "JA/NEE -vragen",
        "Multiple Choice (meerdere antwoorden mogelijk)",
    ]


def test_builtin_keeps_quote_context_and_introduction(builtin, seed_text):
    content = builtin.current_version.content
    for paragraph in [*content.quote.split("\n\n"), *content.context.split("\n\n")]:
        assert squash(paragraph) in seed_text
    assert "17 december 2021" in content.context
    assert "47 prioritaire acties" in content.context
    assert "60%" in content.context and "2030" in content.context
    assert squash(content.introduction) in seed_text
    assert content.links[0].url == "https://www.vlaanderen.be/levenslang-leren"


def test_yes_no_questions_are_required_multiple_choice_optional(builtin):
    for q in builtin.current_version.content.questions:
        assert q.required is (q.kind == "yes_no")


def test_the_schema_has_every_question_kind():
    content = ScanQuestionnaire.model_validate(
        {
            "slug": "eigen",
            "title": "Eigen vragen",
            "sections": [
                {
                    "title": "Deel 1",
                    "questions": [
                        {
                            "kind": "single_choice",
                            "key": "rol",
                            "text": "Rol?",
                            "required": True,
                            "options": [{"key": "a", "label": "A"}, {"key": "b", "label": "B"}],
                            "other_option": {"key": "andere", "label": "Andere"},
                        },
                        {
                            "kind": "scale",
                            "key": "tevreden",
                            "text": "Hoe tevreden?",
                            "high": 6,
                            "low_label": "helemaal niet",
                            "high_label": "heel erg",
                        },
                        {"kind": "open_text", "key": "idee", "text": "Een idee?"},
                    ],
                }
            ],
        }
    )
    assert [q.kind for q in content.questions] == ["single_choice", "scale", "open_text"]
    assert content.questions[1].option_keys() == ["1", "2", "3", "4", "5", "6"]
    assert content.questions[2].max_length == 1000


@pytest.mark.parametrize(
    "change",
    [
        {"high": 7},
        {"kind": "likert"},
        {"key": "Not A Key"},
        {"low_label": ""},
    ],
)
def test_bad_questions_are_refused_with_words(change):
    question = {"kind": "scale", "key": "s", "text": "?", "low_label": "a", "high_label": "b"}
    question.update(change)
    data = {"slug": "x", "title": "X", "sections": [{"questions": [question]}]}
    with pytest.raises(DomainError) as error:
        services.parse_questionnaire(data)
    assert "sections[0].questions[0]" in error.value.message


def test_duplicate_question_keys_are_refused():
    q = {"kind": "open_text", "key": "a", "text": "?"}
    with pytest.raises(DomainError, match="unique"):
        services.parse_questionnaire(
            {"slug": "x", "title": "X", "sections": [{"questions": [q, q]}]}
        )


def test_builtin_cannot_be_edited_but_copied(builtin, org, admin_user):
    with pytest.raises(DomainError):
        services.edit_questionnaire(builtin, builtin.current_version.data, actor=admin_user)
    copy = services.copy_questionnaire(builtin, org, actor=admin_user)
    assert copy.organisation == org and copy.based_on == builtin
    assert copy.current_version.data == builtin.current_version.data
    again = services.copy_questionnaire(builtin, org, actor=admin_user)
    assert again.slug == "leercultuur-2"


def test_copy_of_another_organisations_questionnaire_is_refused(
    builtin, org, other_org, admin_user
):
    theirs = services.copy_questionnaire(builtin, other_org, actor=None)
    with pytest.raises(DomainError):
        services.copy_questionnaire(theirs, org, actor=admin_user)


def test_editing_without_responses_changes_the_version_in_place(builtin, org, admin_user, teams):
    copy = services.copy_questionnaire(builtin, org, actor=admin_user)
    data = copy.current_version.data
    data["sections"][0]["questions"] = data["sections"][0]["questions"][:2]
    version = services.edit_questionnaire(copy, data, actor=admin_user)
    assert version.number == 1
    assert len(version.content.questions) == 8
    assert QuestionnaireVersion.objects.filter(questionnaire=copy).count() == 1


def test_a_version_with_responses_is_frozen(builtin, org, admin_user, teams):
    copy = services.copy_questionnaire(builtin, org, actor=admin_user)
    campaign = services.create_campaign(
        org, questionnaire=copy, name="M", actor=admin_user, teams=[teams["bakkerij"]]
    )
    services.open_campaign(campaign, actor=admin_user)
    respond(campaign, "Bakkerij")
    first = copy.current_version
    data = first.data
    data["sections"][1]["questions"].append(
        {"kind": "open_text", "key": "idee", "text": "Nog een idee?"}
    )
    version = services.edit_questionnaire(copy, data, actor=admin_user)
    assert version.number == 2 and version.pk != first.pk
    first.refresh_from_db()
    assert len(first.content.questions) == 11
    assert len(version.content.questions) == 12
    campaign.refresh_from_db()
    assert campaign.questionnaire_version_id == first.pk


IDENTIFYING = {
    "user",
    "email",
    "ip",
    "address",
    "agent",
    "browser",
    "token",
    "key",
    "time",
    "created",
    "session",
    "device",
    "client",
}


@pytest.mark.parametrize("model", [Response, Answer, FreeText, FreeTextPool])
def test_the_response_tables_have_no_identifying_column(model):
    columns = {f.column for f in model._meta.concrete_fields}
    # The one exception: a keyed hash of the answer page's device key, so that a device
    # replaces its answers instead of adding some; cleared at the close (test_padding).
    for column in columns - {"device_hash"}:
        assert not any(word in column.lower() for word in IDENTIFYING), column
    if model is Response:
        assert columns == {
            "id",
            "campaign_id",
            "node_id",
            "submitted_on",
            "released",
            "superseded",
            "device_hash",
        }
        assert model._meta.get_field("submitted_on").get_internal_type() == "DateField"
        assert model._meta.pk.get_internal_type() == "UUIDField"


def test_invitation_and_receipt_do_not_point_at_the_response():
    for model in (ScanInvitation, SubmissionReceipt):
        targets = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
        assert Response not in targets
        assert not any("response" in f.name for f in model._meta.get_fields())
    assert {f.name for f in ScanInvitation._meta.concrete_fields} >= {"used"}
    assert "used_at" not in {f.name for f in ScanInvitation._meta.concrete_fields}
