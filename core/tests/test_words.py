"""The words on the main pages: Dutch in one voice ("je", Inloggen/Afmelden, no English
loanwords like "Topic" or "Deadline"), English without Dutch leaking in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from formats.models import Format

MINI = "stimuleren-van-levenslang-leren"

DUTCH_NOT = [
    re.compile(r"alstublieft", re.IGNORECASE),
    re.compile(r"\bu\b"),  # the formal "u" (not "je")
    re.compile(r"\buw\b", re.IGNORECASE),
    re.compile(r"\bTopic"),  # the seeds say "topics" in their own text; we say Onderwerp
    re.compile(r"\bDeadline", re.IGNORECASE),
    re.compile(r"Sign In"),
    re.compile(r"Aanmelden"),  # we say Inloggen (and Afmelden for leaving)
]
ENGLISH_NOT = [
    re.compile(r"\bmedewerkers\b", re.IGNORECASE),
    re.compile(r"\bVoor:"),
    re.compile(r"Sign In"),
    re.compile(r"You are facilitator"),
    re.compile(r"\bAfmelden\b|\bInloggen\b|\bMijn account\b"),
]


def visible_text(html: str) -> str:
    """The text a reader sees: without scripts, styles, tags and attribute values."""
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<!--.*?-->", " ", html)
    text = re.sub(r"(?s)<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text)


def anonymous_pages() -> list[str]:
    return [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_request_login_code"),
        reverse("account_reset_password"),
    ]


def member_pages(slug: str, mini: Format) -> list[str]:
    return [
        reverse("profile"),
        reverse("org_dashboard", args=[slug]),
        reverse("format_library", args=[slug]),
        reverse("format_detail", args=[slug, str(mini.public_id)]),
        reverse("scans_home", args=[slug]),
        reverse("actions:list", args=[slug]),
        reverse("actions:mine", args=[slug]),
        reverse("learning:home", args=[slug]),
        reverse("learning:offer", args=[slug]),
        reverse("learning:route", args=[slug]),
        reverse("portfolio:home"),
    ]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def builtin_text() -> str:
    """Every text of the built-in formats, as one line: the seeds' own wording, which
    stays as the seeds write it whatever the page's language."""
    from formats.loader import builtin_formats, canonical_data

    parts = [s for _path, fmt in builtin_formats() for s in _strings(canonical_data(fmt))]
    return re.sub(r"\s+", " ", re.sub(r"[*_`#>]", "", " ".join(parts)))


def problems(text: str, patterns: list[re.Pattern[str]], content: str = "") -> list[str]:
    """The matches of `patterns` in `text`, except inside a passage of `content`: the
    match with the two words before it or the two after it as the built-in formats
    write them."""
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            start, end = max(0, match.start() - 40), match.end() + 40
            word = text[match.start() : match.end()]
            left = [*text[: match.start()].split()[-2:], word]
            right = [word, *text[match.end() :].split()[:2]]
            if content and any(
                len(words) == 3 and " ".join(words) in content for words in (left, right)
            ):
                continue
            found.append(f"{pattern.pattern!r}: …{text[start:end]}…")
    return found


@pytest.mark.parametrize(("language", "patterns"), [("nl", DUTCH_NOT), ("en", ENGLISH_NOT)])
def test_the_main_pages_speak_one_voice(client, admin_user, language, patterns):
    mini = Format.objects.builtin().get(slug=MINI)
    client.cookies["lerend_language"] = language
    content = builtin_text()
    found = {}
    for path in anonymous_pages():
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, path
        assert f'lang="{language}"' in response.content.decode()
        found[path] = problems(visible_text(response.content.decode()), patterns, content)
    client.force_login(admin_user)
    for path in member_pages("korenbloem", mini):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, path
        found[path] = problems(visible_text(response.content.decode()), patterns, content)
    report = [f"{path}: {word}" for path, words in found.items() for word in words]
    assert not report, "\n".join(report)


def test_the_check_finds_a_formal_word():
    """The check itself can fail: it finds what it looks for."""
    assert problems(visible_text("<p>Voer alstublieft uw code in</p>"), DUTCH_NOT)
    assert problems(visible_text("<p>For: medewerkers</p>"), ENGLISH_NOT)
    assert not problems(visible_text('<p title="u">Voer je code in</p>'), DUTCH_NOT)
    # The seeds' own wording on an English page is not a leak; an interface label is.
    content = builtin_text()
    assert not problems("Zijn je medewerkers op de hoogte", ENGLISH_NOT, content)
    assert problems("Audience: For medewerkers Materials", ENGLISH_NOT, content)
    assert problems("For: medewerkers", ENGLISH_NOT, content)
