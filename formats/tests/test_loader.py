"""Bad files give clear problems: where (path and line) and what."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from formats.loader import MAX_YAML_BYTES, parse_format_yaml, parse_questionnaire_yaml

GOOD = """\
schema_version: 1
slug: mijn-werkvorm
title: Mijn werkvorm
duration: 30-35
phases:
  - title: Start
    duration: 10
    steps:
      - kind: info
        text: Welkom
  - title: Stellingen
    steps:
      - kind: statement_poll
        statement: Leren is leuk
        duration: 5
      - kind: board
        questions:
          - Wat leerde je?
"""


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def problems_of(text: str) -> list[tuple[str, int | None, str]]:
    fmt, problems = parse_format_yaml(text)
    assert fmt is None
    assert problems
    return [(p.location, p.line, p.message) for p in problems]


def test_good_file():
    fmt, problems = parse_format_yaml(GOOD)
    assert problems == []
    assert fmt.slug == "mijn-werkvorm"
    assert str(fmt.duration) == "30-35 min"


def test_yaml_syntax_error_has_its_line():
    text = GOOD.replace("title: Start", "title: [Start")
    ((location, line, message),) = problems_of(text)
    assert location == ""
    assert line == 7
    assert message.startswith("This is not valid YAML:")


def test_unknown_kind():
    text = GOOD.replace("kind: board", "kind: whiteboard")
    ((location, line, message),) = problems_of(text)
    assert location == "phases[1].steps[1]"
    assert line == 16
    assert message.startswith("Unknown kind “whiteboard”; known kinds: 'info', 'statement_poll'")


def test_missing_kind():
    text = GOOD.replace("      - kind: board\n        questions:", "      - questions:")
    ((location, _line, message),) = problems_of(text)
    assert location == "phases[1].steps[1]"
    assert message == "Say which kind this is (kind: …)."


def test_missing_field():
    text = GOOD.replace("        statement: Leren is leuk\n", "")
    ((location, line, message),) = problems_of(text)
    assert location == "phases[1].steps[0].statement"
    assert line == 13  # the step that lacks it
    assert message == "This field is required."


def test_wrong_type():
    text = GOOD.replace("duration: 5", "duration: vijf")
    ((location, line, message),) = problems_of(text)
    assert (location, line) == ("phases[1].steps[0].duration", 15)
    assert message == "Expected minutes (15) or a range of minutes (30-35)."

    text = GOOD.replace("questions:\n          - Wat leerde je?", "questions: Wat leerde je?")
    ((location, line, message),) = problems_of(text)
    assert (location, line, message) == ("phases[1].steps[1].questions", 17, "Expected a list.")


def test_unknown_field():
    text = GOOD.replace("        text: Welkom", "        text: Welkom\n        minutes: 5")
    ((location, line, message),) = problems_of(text)
    assert (location, line) == ("phases[0].steps[0].minutes", 11)
    assert message == "Unknown field “minutes”."


def test_several_problems_are_all_reported():
    text = GOOD.replace("slug: mijn-werkvorm", "slug: Mijn Werkvorm").replace(
        "title: Start", "title: ''"
    )
    assert [(loc, line) for loc, line, _m in problems_of(text)] == [
        ("slug", 2),
        ("phases[0].title", 6),
    ]


def test_reference_problem_has_its_location():
    text = GOOD.replace(
        "      - kind: board\n",
        "      - kind: groups\n        per_question: true\n        questions_from: nergens\n"
        "      - kind: board\n",
    )
    ((location, line, message),) = problems_of(text)
    assert (location, line) == ("phases[1].steps[1].questions_from", 18)
    assert message == "There is no board step with key “nergens” before this step."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("   \n", "The file is empty."),
        ("- een\n- twee\n", "Expected fields (name: value) at the top level, such as “title: …”."),
        ("gewoon tekst", "Expected fields (name: value) at the top level, such as “title: …”."),
        ("? [een, twee]\n: drie\n", "This is not valid YAML: found unhashable key."),
    ],
)
def test_not_a_format_at_all(text, message):
    ((_location, _line, found),) = problems_of(text)
    assert found == message


def test_duplicate_keys_are_refused():
    text = GOOD.replace("title: Mijn werkvorm", "title: Mijn werkvorm\ntitle: Andere titel")
    ((_location, line, message),) = problems_of(text)
    assert line == 4
    assert "duplicate key “title”" in message


def test_aliases_are_refused():
    text = "a: &x [1, 2]\nb: *x\n"
    ((_location, line, message),) = problems_of(text)
    assert line == 2
    assert "aliases" in message


def test_a_billion_laughs_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for name, previous in zip("bcdefghi", "abcdefgh", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    ((_location, _line, message),) = problems_of("\n".join(lines))
    assert "aliases" in message


def test_too_large():
    text = GOOD + "#" * MAX_YAML_BYTES
    ((_location, _line, message),) = problems_of(text)
    assert message == "The file is too large (at most 256 KB)."


def test_python_tags_are_not_constructed():
    ((_location, line, message),) = problems_of("slug: !!python/object/apply:os.system ['ls']\n")
    assert line == 1
    assert message.startswith("This is not valid YAML:")


def test_problems_are_translated():
    text = GOOD.replace("        statement: Leren is leuk\n", "")
    with translation.override("nl"):
        _fmt, problems = parse_format_yaml(text)
    # Whatever the catalogue holds, the location and line are the same in every language.
    assert (problems[0].location, problems[0].line) == ("phases[1].steps[0].statement", 13)
    assert str(problems[0]).startswith("phases[1].steps[0].statement (")


def test_questionnaire_unknown_question_kind():
    text = """\
slug: vragen
title: Vragen
sections:
  - questions:
      - kind: scale
        key: tevreden
        text: Hoe tevreden ben je?
"""
    questionnaire, problems = parse_questionnaire_yaml(text)
    assert questionnaire is None
    assert [(p.location, p.line) for p in problems] == [("sections[0].questions[0]", 5)]
    assert "Unknown kind “scale”" in problems[0].message


@pytest.mark.parametrize(
    "text",
    [
        "1: een\n",
        "title: 2020-01-01\nslug: x\nphases: [~]\n",
        "slug: x\ntitle: X\nphases:\n  - title: A\n    steps: [{kind: [info]}]\n",
        "slug: x\ntitle: X\nphases:\n  - title: A\n    steps: [{kind: 5}]\n",
        "slug: x\ntitle: X\nduration: .inf\nphases: {}\n",
        "[" * 200,
        "[" * 100_000,
        "\x1b",
    ],
)
def test_odd_files_give_problems_not_errors(text):
    problems_of(text)


@given(st.text(max_size=300))
def test_any_text_gives_a_format_or_problems(text):
    fmt, problems = parse_format_yaml(text)
    assert (fmt is None) == bool(problems)
    assert all(str(p) for p in problems)
