"""Helpers for the test suite that read what lerend produces (imported by tests only)."""

from __future__ import annotations

import io

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
