"""Helpers for the test suite that read what lerend produces (imported by tests only)."""

from __future__ import annotations

import io
import os

from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, in the order it was written."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_page_sizes(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page, as shown (rotation applied)."""
    reader = PdfReader(io.BytesIO(data))
    sizes = []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if page.rotation % 180:
            width, height = height, width
        sizes.append((width, height))
    return sizes


EXAMPLE_FACTORS = {"ci": 0.25, "dev": 1.0, "deep": 5.0}


def examples(count: int) -> int:
    """A property test's number of examples, scaled by `HYPOTHESIS_PROFILE`.

    CI runs a quarter (`ci`), `make test-deep` five times as many (`deep`); a local
    `make test` runs the count written in the test.
    """
    factor = EXAMPLE_FACTORS.get(os.environ.get("HYPOTHESIS_PROFILE", "dev"), 1.0)
    return max(10, int(count * factor))
