"""The editor's draft operations, on any sequence of clicks: they never break the draft,
never touch what the form does not show, and moving there and back changes nothing."""

from __future__ import annotations

import copy

import pytest
from django.http import QueryDict
from hypothesis import example, given, settings
from hypothesis import strategies as st

from core.testing import examples
from formats import editor
from formats.loader import builtin_formats, canonical_data

DRAFTS = {fmt.slug: canonical_data(fmt) for _path, fmt in builtin_formats()}
MINI = DRAFTS["stimuleren-van-levenslang-leren"]

OPS = st.one_of(
    st.just("add-phase"),
    st.tuples(st.sampled_from(["up-phase", "down-phase", "remove-phase"]), st.integers(-1, 7)).map(
        lambda t: f"{t[0]}:{t[1]}"
    ),
    st.tuples(
        st.sampled_from(["up-step", "down-step", "remove-step", "add-item"]),
        st.integers(-1, 7),
        st.integers(-1, 5),
    ).map(lambda t: f"{t[0]}:{t[1]}:{t[2]}"),
    st.tuples(st.integers(-1, 7), st.sampled_from([*editor.ADDABLE_KINDS, "card", "x"])).map(
        lambda t: (f"add-step:{t[0]}", t[1])
    ),
    st.text(max_size=12),
)


def post(**values: str) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in values.items():
        query[key] = value
    return query


def as_shown(general, phases) -> QueryDict:
    """What the browser sends for the form as it is shown."""
    values = QueryDict(mutable=True)
    for f in editor.all_fields(general, phases):
        if f.widget in {"checkbox", "audiences"}:
            values[f"present:{f.name}"] = "1"
            if f.widget == "audiences":
                values.setlist(f.name, list(f.value))
            elif f.value:
                values[f.name] = "1"
        else:
            values[f.name] = f.display
    return values


def step_count(draft: dict) -> int:
    return sum(len(p["steps"]) for p in draft["phases"])


@settings(max_examples=examples(150), deadline=None)
@given(st.sampled_from(sorted(DRAFTS)), st.lists(OPS, max_size=12))
def test_any_sequence_of_operations_keeps_a_readable_draft(slug, ops):
    draft = copy.deepcopy(DRAFTS[slug])
    for op in ops:
        extra = {}
        if isinstance(op, tuple):
            op, kind = op
            extra = {f"new-kind-{op.split(':')[1]}": kind}
        before = copy.deepcopy(draft)
        try:
            after = editor.apply_operation(draft, op, post(**extra))
        except editor.DraftError:
            assert draft == before  # a refused operation changes nothing
            continue
        assert ":-" not in op  # negative positions are refused
        assert draft == before  # the input is never changed in place
        name = op.split(":")[0]
        if name == "add-phase":
            assert len(after["phases"]) == len(before["phases"]) + 1
        elif name == "remove-phase":
            assert len(after["phases"]) == len(before["phases"]) - 1
        elif name == "add-step":
            assert step_count(after) == step_count(before) + 1
        elif name == "remove-step":
            assert step_count(after) == step_count(before) - 1
        elif name in {"up-phase", "down-phase", "up-step", "down-step"}:
            assert step_count(after) == step_count(before)
        editor.build_forms(after)  # the form can always be shown
        editor.check(after)  # and checked, valid or not
        draft = after


@pytest.mark.parametrize("slug", sorted(DRAFTS))
def test_the_unchanged_form_gives_back_the_same_content(slug):
    """Submitting the form as shown changes nothing, for every built-in."""
    draft = DRAFTS[slug]
    general, phases = editor.build_forms(draft)
    values = as_shown(general, phases)
    again = editor.apply_post(draft, values)
    assert editor.check(again).content == editor.check(draft).content
    assert editor.check(again).content is not None


@settings(max_examples=examples(60), deadline=None)
@given(st.integers(0, 4), st.integers(0, 3))
def test_moving_a_step_down_and_up_again_changes_nothing(phase, step):
    steps = len(MINI["phases"][phase]["steps"])
    if step >= steps - 1:
        return
    down = editor.apply_operation(MINI, f"down-step:{phase}:{step}", post())
    assert down != MINI
    assert editor.apply_operation(down, f"up-step:{phase}:{step + 1}", post()) == MINI


@settings(max_examples=examples(80), deadline=None)
@given(st.text(max_size=30))
@example("¹")  # a digit to str.isdigit, not to int()
@example("30-35")
@example("1441")  # over a day: the problem is on duration.low/.high, shown at the field
def test_any_duration_text_is_stored_or_refused_with_a_message(text):
    values = post(**{"phases[0].duration": text})
    result = editor.check(editor.apply_post(MINI, values))
    if result.content is None:
        messages = [
            p.message for p in result.problems if p.location.startswith("phases[0].duration")
        ]
        assert messages, result.problems
    else:
        duration = result.content.phases[0].duration
        assert duration is None or 0 <= duration.low <= duration.high


def test_a_steps_text_for_the_room_is_edited_beside_the_facilitators():
    """The editor shows `participant_text` (what the presenter and the phones show) beside
    the facilitator's text, and stores what is typed there."""
    draft = copy.deepcopy(MINI)
    _general, phases = editor.build_forms(draft)
    fields = {f.name: f for f in editor.all_fields(_general, phases)}
    conclusion = next(
        name
        for name, f in fields.items()
        if name.endswith("participant_text") and str(f.value).startswith("Door verschillende")
    )
    values = as_shown(_general, phases)
    values[conclusion] = "Wat we vandaag leerden."
    content = editor.check(editor.apply_post(draft, values)).content
    assert content is not None
    texts = [s.participant_text for _p, _s, s in content.steps()]
    assert "Wat we vandaag leerden." in texts


@pytest.mark.parametrize("location", ["phases", "phases[4].steps[0]", "title.x", "[3]", ""])
def test_a_problem_without_a_field_of_its_own_is_found_nowhere_and_at_once(location):
    """A problem of a whole step or of the phases (a rule across fields) belongs to no field:
    the summary at the top shows it. (This looked for a field for ever once.)"""
    from formats.loader import Problem

    problem = Problem(location=location, message="x", line=None, code="x")
    assert editor._field_for(problem, {}) is None
    field = editor.EditorField("title", "text", "Title", "")
    assert (
        editor._field_for(
            Problem(location="title.x", message="x", line=None, code="x"), {"title": field}
        )
        is field
    )
