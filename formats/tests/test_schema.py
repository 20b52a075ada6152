"""The schema: durations, strictness, step kinds and references between steps."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from formats.questionnaire import Questionnaire
from formats.schema import (
    MAX_MINUTES,
    STEP_KIND_LABELS,
    STEP_KINDS,
    Duration,
    Format,
    Step,
    total,
)

minutes = st.integers(min_value=0, max_value=MAX_MINUTES // 20)
durations = st.builds(lambda a, b: Duration(low=min(a, b), high=max(a, b)), minutes, minutes)


@given(minutes)
def test_whole_minutes_parse_from_int_and_text(n):
    for value in (n, str(n), f"{n} min", f" {n} minuten "):
        duration = Duration.parse(value)
        assert (duration.low, duration.high, duration.minutes) == (n, n, n)
    assert Duration.parse(n).model_dump() == n
    assert str(Duration.parse(n)) == f"{n} min"


@given(minutes, minutes)
def test_ranges_parse_and_print(a, b):
    low, high = min(a, b), max(a, b)
    duration = Duration.parse(f"{low}-{high}")
    assert (duration.low, duration.high) == (low, high)
    assert Duration.parse(f"{low} \u2013 {high} min") == duration
    assert Duration.parse(duration.model_dump()) == duration
    assert Duration.parse(str(duration)) == duration
    if low < high:
        assert str(duration) == f"{low}-{high} min"
        with pytest.raises(ValidationError):
            Duration.parse(f"{high}-{low}")


@given(st.lists(durations, max_size=12))
def test_sums_add_lows_and_highs(parts):
    summed = total(parts)
    assert summed.low == sum(d.low for d in parts)
    assert summed.high == sum(d.high for d in parts)
    assert summed.low <= summed.high
    assert sum(parts, Duration.zero()) == summed


@given(durations, durations, durations)
def test_addition_is_commutative_and_associative(a, b, c):
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)
    assert a + Duration.zero() == a


@given(durations, st.integers(min_value=0, max_value=20))
def test_multiplying_is_repeated_adding(d, n):
    assert d * n == total([d] * n) == n * d


@pytest.mark.parametrize("bad", ["", "abc", "30-", "-5", "5.5", 5.5, True, None, [5], "1:30"])
def test_not_durations(bad):
    with pytest.raises(ValidationError):
        Duration.parse(bad)


def test_duration_above_a_day_is_refused():
    with pytest.raises(ValidationError):
        Duration.parse(MAX_MINUTES + 1)


# --- Formats --------------------------------------------------------------------------


def minimal(**fields) -> dict:
    return {
        "slug": "mijn-werkvorm",
        "title": "Mijn werkvorm",
        "phases": [{"title": "Start", "steps": [{"kind": "info", "text": "Welkom"}]}],
        **fields,
    }


EXAMPLE_STEPS = {
    "info": {"text": "Welkom"},
    "statement_poll": {"statement": "Leren is leuk"},
    "board": {"questions": ["Wat leerde je?"]},
    "groups": {"count": 3, "questions": ["Een?"]},
    "rotation": {"questions": ["Een?", "Twee?"], "minutes_per_round": 3, "moves": 1},
    "discussion": {"items": [{"title": "Scenario 1", "minutes": "6-7", "is_scenario": True}]},
    "experiment": {
        "groups": [{"name": "A", "instructions": "Lees"}, {"name": "B", "instructions": "Doe"}],
        "poll": ["Ik kan het"],
    },
    "personal_action": {"prompt": "Wat doe je deze week?", "examples": ["Ik lees"]},
    "action_points": {"prompts": ["Wie?"]},
    "photo": {"share_summary": True},
    "questionnaire": {"questionnaire": "leercultuur"},
    "checklist": {
        "options": [{"key": "ja", "label": "Ja"}, {"key": "nee", "label": "Nee"}],
        "sections": [{"title": "Deel", "items": [{"key": "een", "text": "Een"}]}],
    },
    "card": {"entries": [{"label": "Verduidelijken", "question": "hoe bedoel je dat?"}]},
    "action_review": {"prompt": "Hoe ver staan we?", "themes": ["budget", "time"]},
}


def test_every_kind_has_an_example():
    assert set(EXAMPLE_STEPS) == set(STEP_KINDS)


@pytest.mark.parametrize("kind", STEP_KINDS)
def test_every_kind_validates_and_dumps_back(kind):
    step = {"kind": kind, "title": "Stap", "duration": 5, **EXAMPLE_STEPS[kind]}
    fmt = Format.model_validate(minimal(phases=[{"title": "Start", "steps": [step]}]))
    assert fmt.phases[0].steps[0].kind == kind
    assert Format.model_validate(fmt.model_dump(mode="json")) == fmt


def test_poll_choices_default_to_eens_oneens_twijfel():
    fmt = Format.model_validate(
        minimal(phases=[{"title": "A", "steps": [{"kind": "statement_poll", "statement": "S"}]}])
    )
    assert [(c.key, c.label) for c in fmt.phases[0].steps[0].choices] == [
        ("eens", "Eens"),
        ("oneens", "Oneens"),
        ("twijfel", "Twijfel"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "blauw"},
        {"slug": "Mijn Werkvorm"},
        {"slug": "a--b"},
        {"title": ""},
        {"title": "x" * 201},
        {"audiences": ["managers"]},
        {"audiences": ["employees", "employees"]},
        {"language": "fr"},
        {"phases": []},
        {"duration_is_maximum": True},
        {"schema_version": 2},
        {"title": "Bel\x07"},
    ],
)
def test_strict_format_fields(change):
    with pytest.raises(ValidationError):
        Format.model_validate(minimal(**change))


@pytest.mark.parametrize(
    "step",
    [
        {"kind": "poll", "statement": "S"},
        {"kind": "info"},
        {"kind": "info", "text": "T", "colour": "rood"},
        {"kind": "board", "questions": []},
        {"kind": "groups", "questions": ["Een?"]},
        {"kind": "groups", "count": 3, "per_question": True, "questions": ["Een?", "Twee?"]},
        {"kind": "rotation", "questions": ["Een?", "Twee?"], "minutes_per_round": 0, "moves": 1},
        {"kind": "statement_poll", "statement": "S", "choices": [{"key": "a", "label": "A"}]},
        {
            "kind": "statement_poll",
            "statement": "S",
            "choices": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}],
        },
        {"kind": "action_points", "fields": ["owner", "colour"]},
        {"kind": "action_points", "from_checklist": "tips"},
        {"kind": "questionnaire", "questionnaire": "Leer Cultuur"},
        {
            "kind": "checklist",
            "options": [{"key": "ja", "label": "Ja"}, {"key": "nee", "label": "Nee"}],
            "sections": [{"items": [{"key": "a", "text": "A"}, {"key": "a", "text": "B"}]}],
        },
    ],
)
def test_strict_steps(step):
    with pytest.raises(ValidationError):
        Format.model_validate(minimal(phases=[{"title": "A", "steps": [step]}]))


def board(key="vragen", questions=("Een?", "Twee?")) -> dict:
    return {"kind": "board", "key": key, "questions": list(questions)}


def test_groups_take_the_questions_of_an_earlier_board():
    groups = {"kind": "groups", "count": 2, "per_question": True, "questions_from": "vragen"}
    fmt = Format.model_validate(minimal(phases=[{"title": "A", "steps": [board(), groups]}]))
    assert fmt.step_by_key("vragen").questions == ["Een?", "Twee?"]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            [{"kind": "groups", "per_question": True, "questions_from": "vragen"}, board()],
            "no board step with key “vragen”",
        ),
        (
            [
                board(),
                {"kind": "groups", "count": 3, "per_question": True, "questions_from": "vragen"},
            ],
            "3 groups cannot each take one of 2 questions",
        ),
        ([board(), board()], "already has the key “vragen”"),
        (
            [{"kind": "action_points", "from_checklist": "vragen", "from_answer": "ja"}],
            "no checklist step",
        ),
    ],
)
def test_references_between_steps(steps, message):
    with pytest.raises(ValidationError) as caught:
        Format.model_validate(minimal(phases=[{"title": "A", "steps": steps}]))
    assert message in str(caught.value)


def test_step_kinds_list_every_member_of_the_union():
    union, _field = typing.get_args(Step)
    kinds = [
        typing.get_args(cls.model_fields["kind"].annotation)[0] for cls in typing.get_args(union)
    ]
    assert tuple(kinds) == STEP_KINDS
    assert set(STEP_KIND_LABELS) == set(STEP_KINDS)


# --- Questionnaire --------------------------------------------------------------------


def test_questionnaire_keys_must_be_unique():
    question = {"kind": "yes_no", "key": "een", "text": "Een?"}
    data = {
        "slug": "vragen",
        "title": "Vragen",
        "sections": [{"questions": [question, dict(question)]}],
    }
    with pytest.raises(ValidationError, match="Question keys"):
        Questionnaire.model_validate(data)


def test_multiple_choice_option_keys_include_other():
    question = {
        "kind": "multiple_choice",
        "key": "waar",
        "text": "Waar?",
        "options": [{"key": "andere", "label": "Andere plek"}],
        "other_option": {},
    }
    data = {"slug": "vragen", "title": "Vragen", "sections": [{"questions": [question]}]}
    with pytest.raises(ValidationError, match="Option keys"):
        Questionnaire.model_validate(data)


# --- Export round trip for any text ---------------------------------------------------

texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
    | st.sampled_from("\n\t"),
    min_size=1,
    max_size=200,
).filter(lambda t: t.strip())


@given(texts, texts)
def test_any_text_survives_export_and_import(title, text):
    from formats.loader import format_to_yaml, parse_format_yaml

    fmt = Format.model_validate(
        minimal(
            title=title[:200], phases=[{"title": "A", "steps": [{"kind": "info", "text": text}]}]
        )
    )
    again, problems = parse_format_yaml(format_to_yaml(fmt))
    assert problems == []
    assert again == fmt


def test_json_schema_describes_durations_as_written():
    schema = Format.model_json_schema()
    assert [option["type"] for option in schema["$defs"]["Duration"]["anyOf"]] == [
        "integer",
        "string",
    ]
    assert Questionnaire.model_json_schema()["title"] == "Questionnaire"
