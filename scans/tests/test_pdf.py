"""The PDF report as a reader sees it: rendered to pixels, its bars have the right lengths
and colours (WeasyPrint ignores the SVG's CSS classes, which made every bar full-width
black)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image, ImageChops

from scans.charts import BAR_FILL, TRACK_FILL
from scans.exports import pdf_bytes
from scans.reports import build_report

from .conftest import respond


def _needs_pdftoppm() -> str:
    tool = shutil.which("pdftoppm")
    if tool is None:
        if os.environ.get("CI", "").lower() not in {"", "0", "false", "no"}:
            pytest.fail("pdftoppm (poppler-utils) is missing; .ci/run installs it")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    return tool


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _render_page(pdf: bytes, page: int, tmp_path: Path) -> Image.Image:
    tool = _needs_pdftoppm()
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    page_range = ["-f", str(page), "-l", str(page)]
    subprocess.run(  # noqa: S603 (a fixed tool on our own temporary file)
        [tool, "-r", "100", *page_range, "-png", str(source), str(tmp_path / "p")],
        check=True,
        timeout=60,
    )
    (image_path,) = sorted(tmp_path.glob("p*.png"))
    return Image.open(image_path).convert("RGB")


def _mask(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> bytes:
    """One byte per pixel: 255 where the pixel is within `tolerance` of `colour`."""
    difference = ImageChops.difference(image, Image.new("RGB", image.size, colour))
    red, green, blue = difference.split()
    furthest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    return furthest.point(lambda v: 255 if v <= tolerance else 0).tobytes()


def _runs(image: Image.Image, colour: tuple[int, int, int]) -> list[tuple[int, int, int]]:
    """(y, x_start, length) of the longest horizontal run of `colour` on each pixel row
    that has one, rows of one bar merged into the bar's middle row."""
    width, height = image.size
    mask = _mask(image, colour)
    rows: list[tuple[int, int, int]] = []
    for y in range(height):
        line = mask[y * width : (y + 1) * width]
        best = max(
            ((m.start(), m.end() - m.start()) for m in re.finditer(b"\xff+", line)),
            key=lambda run: run[1],
            default=(0, 0),
        )
        if best[1] >= 3:
            rows.append((y, best[0], best[1]))
    bars: list[list[tuple[int, int, int]]] = []
    for row in rows:
        if bars and row[0] == bars[-1][-1][0] + 1:
            bars[-1].append(row)
        else:
            bars.append([row])
    return [group[len(group) // 2] for group in bars]


@pytest.mark.django_db
def test_pdf_bars_have_their_length_and_colour(campaign, tmp_path):
    # 9 of 11 say "ja" to the first question: 81.8 % against 18.2 %.
    respond(campaign, "Bakkerij", 9, **{"toegang-informatie": "ja"})
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    with translation.override("nl"):
        report = build_report(campaign, with_trend=False)
        pdf = pdf_bytes(report)
    first = report.questions[0]
    assert [o.percent for o in first.columns[0].options] == [81.8, 18.2]

    image = _render_page(pdf, 1, tmp_path)
    bars = _runs(image, _rgb(BAR_FILL))
    tracks = _runs(image, _rgb(TRACK_FILL))
    assert len(bars) >= 2, "no coloured bars on the first page"
    (_y_ja, x_ja, long), (y_nee, x_nee, short) = bars[0], bars[1]
    assert x_ja == pytest.approx(x_nee, abs=2)
    # Proportional lengths: 81.8 / 18.2 = 4.49 (the rounded corners cost a pixel or two).
    assert long / short == pytest.approx(81.8 / 18.2, rel=0.12)
    # A 100 % track is drawn in its own light colour behind the short bar, to its right.
    track_beside_short = [t for t in tracks if abs(t[0] - y_nee) <= 2]
    assert track_beside_short, "the short bar has no light track beside it"
    full = long / 0.818
    _y, track_x, track_length = track_beside_short[0]
    assert track_x >= x_nee + short - 3
    assert track_x + track_length == pytest.approx(x_nee + full, abs=4)
    # Nothing on the page is a full-width black bar.
    black = _runs(
        image,
        (0, 0, 0),
    )
    assert all(length < full * 0.9 for _y, _x, length in black)


@pytest.mark.django_db
def test_pdf_report_numbers_in_dutch(campaign, tmp_path):
    respond(campaign, "Bakkerij", 9, **{"toegang-informatie": "ja"})
    respond(campaign, "Bakkerij", 2, **{"toegang-informatie": "nee"})
    tool = shutil.which("pdftotext")
    if tool is None:
        _needs_pdftoppm()
        pytest.skip("pdftotext is not installed")
    with translation.override("nl"):
        pdf = pdf_bytes(build_report(campaign, with_trend=False))
    source = tmp_path / "r.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 (a fixed tool on our own temporary file)
        [tool, str(source), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert "81,8" in text and "18,2" in text
    assert "81.8" not in text
