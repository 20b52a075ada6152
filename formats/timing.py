"""Timing checks: do the parts of a format add up to what it declares?

The library keeps a document's numbers as written and shows where they do not add up;
it never corrects them. `analyse(format)` compares

- the phases' durations added up against the format's declared duration (or maximum);
- each phase's steps added up against the phase;
- a discussion's items (minutes x number of items) against their step;
- a world café's rounds (minutes per round x (moves + 1)) against their step.

Durations add up as ranges: four items of 6-7 minutes make 24-28. A step without a duration
counts with its contents when they say how long they take (discussion items with minutes,
rotation rounds); otherwise it is unknown, and a sum with unknown parts can only show that
something is too long, never that it is too short. A facilitator's card takes no time.

Too long is a `warning`; time left unplanned (parts shorter than their whole) is a `notice`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import gettext as _

from .schema import CardStep, DiscussionStep, Duration, Format, Phase, RotationStep, total

Severity = Literal["warning", "notice"]

PHASES_EXCEED_DURATION = "phases_exceed_duration"
PHASES_BELOW_DURATION = "phases_below_duration"
STEPS_EXCEED_PHASE = "steps_exceed_phase"
STEPS_BELOW_PHASE = "steps_below_phase"
ITEMS_EXCEED_STEP = "items_exceed_step"
ITEMS_BELOW_STEP = "items_below_step"
ROUNDS_EXCEED_STEP = "rounds_exceed_step"
ROUNDS_BELOW_STEP = "rounds_below_step"


@dataclass(frozen=True)
class TimingWarning:
    code: str
    severity: Severity
    planned: Duration
    """The declared whole: the format's, the phase's or the step's duration."""
    actual: Duration
    """What its parts add up to."""
    phase_index: int | None = None
    phase_title: str | None = None
    step_index: int | None = None
    step_title: str | None = None
    count: int | None = None
    """The number of items or rounds, for items and rounds."""
    each: Duration | None = None
    """The duration of each item or round, when they are all the same."""
    is_maximum: bool = False
    """The planned duration is a maximum (the format's "maximum 1 uur")."""

    @property
    def planned_low(self) -> int:
        return self.planned.low

    @property
    def planned_high(self) -> int:
        return self.planned.high

    @property
    def actual_low(self) -> int:
        return self.actual.low

    @property
    def actual_high(self) -> int:
        return self.actual.high

    @property
    def location(self) -> str:
        """Where, for people: "" for the format, else the phase (and step), numbered from 1."""
        if self.phase_index is None:
            return ""
        phase = {"number": self.phase_index + 1, "title": self.phase_title}
        if self.step_index is None:
            return _("Phase %(number)s “%(title)s”") % phase
        step = self.step_index + 1
        if self.step_title:
            return _("Phase %(number)s “%(title)s”, step %(step)s “%(step_title)s”") % {
                **phase,
                "step": step,
                "step_title": self.step_title,
            }
        return _("Phase %(number)s “%(title)s”, step %(step)s") % {**phase, "step": step}

    @property
    def message(self) -> str:
        """The mismatch in a sentence with its numbers, in the active language."""
        values: dict[str, Any] = {
            "planned": self.planned,
            "actual": self.actual,
            "count": self.count,
            "each": self.each,
            "where": self.location,
        }
        code = self.code
        if code == PHASES_EXCEED_DURATION and self.is_maximum:
            text = _(
                "The phases add up to %(actual)s, more than the declared maximum of %(planned)s."
            )
        elif code == PHASES_EXCEED_DURATION:
            text = _("The phases add up to %(actual)s, more than the declared %(planned)s.")
        elif code == PHASES_BELOW_DURATION:
            text = _("The phases add up to %(actual)s, less than the declared %(planned)s.")
        elif code == STEPS_EXCEED_PHASE:
            text = _(
                "%(where)s: the steps add up to %(actual)s, more than the phase's %(planned)s."
            )
        elif code == STEPS_BELOW_PHASE:
            text = _(
                "%(where)s: the steps add up to %(actual)s, less than the phase's %(planned)s."
            )
        elif code == ITEMS_EXCEED_STEP and self.each is not None:
            text = _(
                "%(where)s: %(count)s items of %(each)s add up to %(actual)s, "
                "more than the step's %(planned)s."
            )
        elif code == ITEMS_EXCEED_STEP:
            text = _("%(where)s: the items add up to %(actual)s, more than the step's %(planned)s.")
        elif code == ITEMS_BELOW_STEP and self.each is not None:
            text = _(
                "%(where)s: %(count)s items of %(each)s add up to %(actual)s, "
                "less than the step's %(planned)s."
            )
        elif code == ITEMS_BELOW_STEP:
            text = _("%(where)s: the items add up to %(actual)s, less than the step's %(planned)s.")
        elif code == ROUNDS_EXCEED_STEP:
            text = _(
                "%(where)s: %(count)s rounds of %(each)s add up to %(actual)s, "
                "more than the step's %(planned)s."
            )
        else:
            text = _(
                "%(where)s: %(count)s rounds of %(each)s add up to %(actual)s, "
                "less than the step's %(planned)s."
            )
        return text % values

    def __str__(self) -> str:
        return self.message


def step_duration(step: Any) -> Duration | None:
    """A step's own duration, or what its contents add up to, or None when unknown."""
    if step.duration is not None:
        return step.duration
    if isinstance(step, RotationStep):
        return step.rounds_duration
    if isinstance(step, DiscussionStep):
        return step.items_duration
    return None


def takes_time(step: Any) -> bool:
    return not isinstance(step, CardStep)


@dataclass(frozen=True)
class Sum:
    """Durations added up, and whether every part was known."""

    known: Duration | None
    complete: bool

    @classmethod
    def of(cls, durations: Iterable[Duration | None]) -> Sum:
        parts = list(durations)
        known = [d for d in parts if d is not None]
        return cls(known=total(known) if known else None, complete=len(known) == len(parts))


@dataclass(frozen=True)
class PhaseTiming:
    index: int
    title: str
    declared: Duration | None
    steps: Sum

    @property
    def duration(self) -> Duration | None:
        """The phase's own duration, else its steps' when all are known."""
        if self.declared is not None:
            return self.declared
        return self.steps.known if self.steps.complete else None


@dataclass(frozen=True)
class FormatTiming:
    declared: Duration | None
    is_maximum: bool
    phases: list[PhaseTiming] = field(default_factory=list)

    @property
    def total(self) -> Sum:
        return Sum.of(p.duration for p in self.phases)


def _phase_timing(index: int, phase: Phase) -> PhaseTiming:
    steps = Sum.of(step_duration(s) for s in phase.steps if takes_time(s))
    return PhaseTiming(index=index, title=phase.title, declared=phase.duration, steps=steps)


def overview(fmt: Format) -> FormatTiming:
    """The sums per format and phase, for showing next to the declared durations."""
    return FormatTiming(
        declared=fmt.duration,
        is_maximum=fmt.duration_is_maximum,
        phases=[_phase_timing(i, phase) for i, phase in enumerate(fmt.phases)],
    )


def _compare(
    planned: Duration, parts: Sum, *, below_allowed: bool = True
) -> tuple[Severity, bool] | None:
    """("warning", True) when the parts can be longer, ("notice", False) when shorter."""
    if parts.known is None:
        return None
    if parts.known.high > planned.high:
        return "warning", True
    if below_allowed and parts.complete and parts.known.low < planned.low:
        return "notice", False
    return None


def analyse(fmt: Format) -> list[TimingWarning]:
    """Every timing mismatch in the format, from the format down to its steps."""
    found: list[TimingWarning] = []
    timing = overview(fmt)

    if fmt.duration is not None:
        phases_total = timing.total
        result = _compare(fmt.duration, phases_total, below_allowed=not fmt.duration_is_maximum)
        if result is not None and phases_total.known is not None:
            severity, longer = result
            found.append(
                TimingWarning(
                    code=PHASES_EXCEED_DURATION if longer else PHASES_BELOW_DURATION,
                    severity=severity,
                    planned=fmt.duration,
                    actual=phases_total.known,
                    is_maximum=fmt.duration_is_maximum,
                )
            )

    for phase_timing, phase in zip(timing.phases, fmt.phases, strict=True):
        if phase.duration is not None:
            result = _compare(phase.duration, phase_timing.steps)
            if result is not None and phase_timing.steps.known is not None:
                severity, longer = result
                found.append(
                    TimingWarning(
                        code=STEPS_EXCEED_PHASE if longer else STEPS_BELOW_PHASE,
                        severity=severity,
                        planned=phase.duration,
                        actual=phase_timing.steps.known,
                        phase_index=phase_timing.index,
                        phase_title=phase.title,
                    )
                )
        for s, step in enumerate(phase.steps):
            found.extend(_analyse_step(step, phase_timing.index, phase.title, s))
    return found


def _analyse_step(
    step: Any, phase_index: int, phase_title: str, step_index: int
) -> list[TimingWarning]:
    if step.duration is None:
        return []
    if isinstance(step, DiscussionStep) and step.items_duration is not None:
        minutes = {item.minutes for item in step.items}
        each = next(iter(minutes)) if len(minutes) == 1 else None
        parts = Sum(known=step.items_duration, complete=True)
        codes = (ITEMS_EXCEED_STEP, ITEMS_BELOW_STEP)
        count = len(step.items)
    elif isinstance(step, RotationStep):
        each = Duration.parse(step.minutes_per_round)
        parts = Sum(known=step.rounds_duration, complete=True)
        codes = (ROUNDS_EXCEED_STEP, ROUNDS_BELOW_STEP)
        count = step.rounds
    else:
        return []
    result = _compare(step.duration, parts)
    if result is None or parts.known is None:
        return []
    severity, longer = result
    return [
        TimingWarning(
            code=codes[0] if longer else codes[1],
            severity=severity,
            planned=step.duration,
            actual=parts.known,
            phase_index=phase_index,
            phase_title=phase_title,
            step_index=step_index,
            step_title=step.title,
            count=count,
            each=each,
        )
    ]
