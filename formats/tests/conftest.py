from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from django.utils import translation

SEED_DIR = Path(__file__).resolve().parent / "seeds"

SEED_CORRECTIONS = [
    # Obvious typos fixed in the built-in content (seeds/README.md allows these).
    ("aageduid", "aangeduid"),
    ("Elan+ ?", "Elan+?"),
]


def normalise(text: str) -> str:
    """Whitespace collapsed, line-break hyphenation joined, markdown emphasis dropped."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    text = re.sub(r"/[ \t]*\n\s*", "/", text)
    text = re.sub(r"\[([^\]]*)\]\(#\)", r"\1", text)
    text = text.replace("*", "")
    return re.sub(r"\s+", " ", text).strip()


def seed_text(number: str) -> str:
    (path,) = SEED_DIR.glob(f"{number}_*.txt")
    text = path.read_text(encoding="utf-8")
    for wrong, right in SEED_CORRECTIONS:
        text = text.replace(wrong, right)
    return normalise(text)


@pytest.fixture
def seeds() -> dict[str, str]:
    return {number: seed_text(number) for number in ("000", "001", "002", "003", "004")}


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are asserted in English (their msgids): the interface defaults to Dutch."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
