"""Timing mismatches are found, with their numbers, and nothing is corrected."""

from __future__ import annotations

from django.utils import translation

from formats.loader import builtin_formats
from formats.schema import Duration, Format
from formats.timing import analyse, overview

BUILTINS = {fmt.slug: fmt for _path, fmt in builtin_formats()}


def summary(fmt: Format) -> list[tuple]:
    return [
        (
            w.severity,
            w.code,
            w.phase_index,
            w.step_index,
            (w.planned_low, w.planned_high),
            (w.actual_low, w.actual_high),
        )
        for w in analyse(fmt)
    ]


def test_mini_vorming_pinned_numbers():
    fmt = BUILTINS["stimuleren-van-levenslang-leren"]
    assert [w for w in summary(fmt) if w[0] == "warning"] == [
        # "maximum 1 uur", while the phases add up to 15 + 10 + 20 + 20 + 10 = 75.
        ("warning", "phases_exceed_duration", None, None, (60, 60), (75, 75)),
        # The warm-up of 10 minutes holds 5 minutes alone and 10 minutes in groups.
        ("warning", "steps_exceed_phase", 1, None, (10, 10), (15, 15)),
    ]
    # Time the script leaves unplanned is a notice: 2 + 8 of 15, and 5 + 4 rounds x 3 of 20.
    assert [w for w in summary(fmt) if w[0] == "notice"] == [
        ("notice", "steps_below_phase", 0, None, (15, 15), (10, 10)),
        ("notice", "steps_below_phase", 2, None, (20, 20), (17, 17)),
    ]
    # The document's numbers stay as written.
    assert fmt.duration == Duration.parse(60)
    assert [p.duration.low for p in fmt.phases] == [15, 10, 20, 20, 10]


def test_mini_vorming_messages_show_the_numbers():
    with translation.override("en"):
        messages = [w.message for w in analyse(BUILTINS["stimuleren-van-levenslang-leren"])]
    assert messages[0] == ("The phases add up to 75 min, more than the declared maximum of 60 min.")
    assert messages[2] == (
        "Phase 2 “Opwarmer”: the steps add up to 15 min, more than the phase's 10 min."
    )


def test_quickscan_pinned_numbers():
    fmt = BUILTINS["quickscan-leervoorwaarden"]
    (warning,) = analyse(fmt)
    assert warning.code == "items_exceed_step"
    assert warning.severity == "warning"
    assert (warning.phase_index, warning.step_index) == (1, 0)
    assert warning.phase_title == "Scenario's en plenaire discussie"
    assert (warning.count, warning.each) == (4, Duration.parse("6-7"))
    assert (warning.actual_low, warning.actual_high) == (24, 28)
    assert (warning.planned_low, warning.planned_high) == (20, 20)
    with translation.override("en"):
        assert warning.message == (
            "Phase 2 “Scenario's en plenaire discussie”, step 1: 4 items of 6-7 min add up to "
            "24-28 min, more than the step's 20 min."
        )
    # 3 + 20 + 7 + 2 = 32 lies within the declared 30-35: no warning for the format.
    assert overview(fmt).total.known == Duration.parse(32)


def test_formats_without_durations_have_nothing_to_report():
    for slug, fmt in BUILTINS.items():
        if slug.startswith("al-doende-leren") or slug == "leven-lang-leren-11-tips":
            assert analyse(fmt) == [], slug


def make(phases: list[dict], **fields) -> Format:
    return Format.model_validate({"slug": "test", "title": "Test", "phases": phases, **fields})


def info(minutes=None, **fields) -> dict:
    step = {"kind": "info", "text": "Tekst", **fields}
    if minutes is not None:
        step["duration"] = minutes
    return step


def test_ranges_add_up_as_ranges_against_a_declared_range():
    fmt = make(
        [
            {"title": "A", "duration": "10-12", "steps": [info()]},
            {"title": "B", "duration": "25-30", "steps": [info()]},
        ],
        duration="30-35",
    )
    (warning,) = analyse(fmt)
    assert warning.code == "phases_exceed_duration"
    assert (warning.actual_low, warning.actual_high) == (35, 42)


def test_a_format_shorter_than_declared_is_a_notice_unless_the_declared_is_a_maximum():
    phases = [{"title": "A", "duration": 20, "steps": [info()]}]
    (notice,) = analyse(make(phases, duration=30))
    assert (notice.severity, notice.code) == ("notice", "phases_below_duration")
    assert analyse(make(phases, duration=30, duration_is_maximum=True)) == []


def test_unknown_step_durations_only_show_overruns():
    short = make([{"title": "A", "duration": 20, "steps": [info(5), info()]}])
    assert analyse(short) == []
    long = make([{"title": "A", "duration": 20, "steps": [info(25), info()]}])
    assert [w.code for w in analyse(long)] == ["steps_exceed_phase"]


def test_world_cafe_rounds_against_their_step():
    rotation = {
        "kind": "rotation",
        "duration": 10,
        "questions": ["Een?", "Twee?", "Drie?", "Vier?"],
        "minutes_per_round": 3,
        "moves": 3,
    }
    (warning,) = analyse(make([{"title": "Café", "steps": [rotation]}]))
    assert warning.code == "rounds_exceed_step"
    assert (warning.count, warning.each, warning.actual_low) == (4, Duration.parse(3), 12)
    # Without a duration of its own, the rounds are the step's duration in its phase.
    del rotation["duration"]
    (warning,) = analyse(make([{"title": "Café", "duration": 10, "steps": [rotation]}]))
    assert (warning.code, warning.actual_low) == ("steps_exceed_phase", 12)


def test_discussion_items_shorter_than_their_step_is_a_notice():
    discussion = {
        "kind": "discussion",
        "duration": 30,
        "items": [{"title": "Een", "minutes": 5}, {"title": "Twee", "minutes": 10}],
    }
    (notice,) = analyse(make([{"title": "A", "steps": [discussion]}]))
    assert (notice.code, notice.each, notice.actual_low) == ("items_below_step", None, 15)


def test_a_card_takes_no_time():
    card = {"kind": "card", "entries": [{"label": "Verduidelijken"}]}
    fmt = make([{"title": "A", "duration": 5, "steps": [info(5), card]}])
    assert analyse(fmt) == []


def test_sums_longer_than_a_day_are_reported_not_refused():
    phases = [{"title": f"Dag {n}", "duration": 600, "steps": [info(700)]} for n in range(5)]
    rotation = {
        "kind": "rotation",
        "duration": 60,
        "questions": ["Een?", "Twee?"],
        "minutes_per_round": 120,
        "moves": 30,
    }
    phases.append({"title": "Café", "steps": [rotation]})
    found = analyse(make(phases, duration=60))
    assert (found[0].code, found[0].actual_low) == ("phases_exceed_duration", 3000 + 60)
    assert (found[-1].code, found[-1].actual_low) == ("rounds_exceed_step", 31 * 120)
