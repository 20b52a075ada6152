"""Server-drawn SVG bar charts: the chart is an image with a title and a description, and
the same figures stand in a table beside it (the page and the PDF use both)."""

from __future__ import annotations

from dataclasses import dataclass

from .reports import Column

WIDTH = 320
BAR_LEFT = 0
ROW = 34
LABEL_MAX = 48


@dataclass
class Bar:
    y: int
    label: str
    width: float
    percent: float
    count: int
    text_y: int
    bar_y: int


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def bar_chart(column: Column) -> dict | None:
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
                width=round(2.6 * option.percent, 1),
                percent=option.percent,
                count=option.count,
                text_y=y + 12,
                bar_y=y + 16,
            )
        )
    description = "; ".join(f"{o.label}: {o.percent} %" for o in column.options)
    return {
        "bars": bars,
        "height": max(ROW * len(bars), ROW),
        "width": WIDTH,
        "description": description,
    }
