"""Server-drawn SVG bar charts: the chart is an image with a title and a description, and
the same figures stand in a table beside it (the page and the PDF use both).

Colours and sizes are presentation attributes on each element, not only CSS classes:
WeasyPrint's SVG renderer ignores the page's class rules, so without them every bar (and
its track) came out full-width black in the PDF. The page's stylesheet may still override
them (CSS beats presentation attributes), e.g. for a dark theme.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from . import formatting


class ChartOption(Protocol):
    label: str
    count: int
    percent: float


class ChartColumn(Protocol):
    """What a chart needs of a report's column (`scans.reports.Column`)."""

    visible: bool

    @property
    def options(self) -> Sequence[ChartOption] | None: ...


WIDTH = 320
TRACK = 260
"""The width of a 100 % bar; the percentage's text stands to the right of it."""
BAR_LEFT = 0
ROW = 34
LABEL_MAX = 48

BAR_FILL = "#0b5c8c"
TRACK_FILL = "#e3e8ed"
TEXT_FILL = "#1b1f24"


@dataclass
class Bar:
    y: int
    label: str
    width: float
    percent: float
    count: int
    text_y: int
    bar_y: int
    percent_text: str = ""


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def bar_width(percent: float) -> float:
    """The bar's length in SVG units: proportional, clamped to the track."""
    return round(TRACK * max(0.0, min(percent, 100.0)) / 100.0, 1)


def bar_chart(column: ChartColumn) -> dict | None:
    """Geometry for one visible column's bars; None for a hidden one."""
    if not column.visible or column.options is None:
        return None
    bars = []
    for i, option in enumerate(column.options):
        y = i * ROW
        bars.append(
            Bar(
                y=y,
                label=_short(option.label),
                width=bar_width(option.percent),
                percent=option.percent,
                count=option.count,
                text_y=y + 12,
                bar_y=y + 16,
                percent_text=formatting.percent(option.percent),
            )
        )
    description = "; ".join(f"{o.label}: {formatting.percent(o.percent)}" for o in column.options)
    return {
        "bars": bars,
        "height": max(ROW * len(bars), ROW),
        "width": WIDTH,
        "track": TRACK,
        "description": description,
        "bar_fill": BAR_FILL,
        "track_fill": TRACK_FILL,
        "text_fill": TEXT_FILL,
    }
