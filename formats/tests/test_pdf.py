"""The printable materials: valid PDFs whose text holds the format's questions.

Text is read back with pypdf, so the tests need no system tool.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

import core.testing
from formats.loader import canonical_data
from formats.models import Format
from formats.pdf import render_pdf
from formats.services import copy_format, save_version

MINI = "stimuleren-van-levenslang-leren"


def squeeze(text: str) -> str:
    """Without whitespace and hyphens: a line broken by hyphenation reads as one word."""
    return re.sub(r"[\s\-\u00ad\u2010]+", "", text)


class PdfText(str):
    """The text of a PDF in the order it was written; `in` ignores line breaks and
    hyphenation."""

    def __contains__(self, part: object) -> bool:
        return isinstance(part, str) and squeeze(part) in squeeze(str(self))


def pdf_text(data: bytes) -> PdfText:
    return PdfText(core.testing.pdf_text(data))


def pages(data: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of every page."""
    return core.testing.pdf_page_sizes(data)


A4 = (595.0, 842.0)


def is_a4(size: tuple[float, float], *, landscape: bool = False) -> bool:
    width, height = (A4[1], A4[0]) if landscape else A4
    return abs(size[0] - width) < 2 and abs(size[1] - height) < 2


@pytest.fixture
def mini(db) -> Format:
    return Format.objects.builtin().get(slug=MINI)


def test_the_script_holds_the_timeline_notes_and_cards(mini):
    data = render_pdf(mini, "script")
    assert data.startswith(b"%PDF-")
    assert all(is_a4(size) for size in pages(data))
    text = pdf_text(data)
    assert "Stimuleren van levenslang leren — mini-vorming" in text
    assert "Ik leer op het werk enkel door verplichte technische opleidingen te volgen" in text
    assert "Verduidelijken" in text and "hoe bedoel je dat?" in text
    assert "Hoe kan je verplichte vorming linken aan persoonlijke groei?" in text
    assert "75 min" in text and "60 min" in text  # the timing warning with its numbers
    assert "www.elanplus.be" in text


def test_the_worksheet_holds_every_question(mini):
    data = render_pdf(mini, "worksheet")
    assert all(is_a4(size) for size in pages(data))
    text = pdf_text(data)
    content = mini.content
    questions = [
        *content.phases[1].steps[0].questions,
        *content.phases[2].steps[2].questions,
        *(item.title for item in content.phases[2].steps[0].items),
        content.phases[3].steps[1].prompt,
        content.phases[0].steps[1].statement,
    ]
    for question in questions:
        assert question in text, question
    assert "Welke competenties heb ik nooit gehad?" not in text


def pdf_pages_text(data: bytes) -> list[str]:
    from io import BytesIO

    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages]


def hyphenated_words(text: str, source: str = "") -> list[str]:
    """Words broken at a line end with a hyphen (`opleidin-\ngen`) that `source` does not
    write with a hyphen (`mini-vorming` may break after its own hyphen)."""
    found = re.findall(r"\w+[-\u00ad\u2010]\n\w+", text)
    return [word for word in found if re.sub(r"[\u00ad\u2010]?\n", "", word) not in source]


def ink_box(data: bytes, page: int) -> tuple[float, float, float, float]:
    """Where the dark ink of a page is, rendered by pdftoppm: (left, top, right, bottom) as
    fractions of the page's width and height."""
    import shutil
    import subprocess

    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    pgm = subprocess.run(  # noqa: S603 (a fixed tool on our own PDF)
        [pdftoppm, "-gray", "-r", "36", "-f", str(page), "-l", str(page)],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    # P5 header: magic, width, height, maxval, then one byte per pixel.
    parts = pgm.split(maxsplit=4)
    width, height, pixels = int(parts[1]), int(parts[2]), parts[4]
    columns, rows = set(), set()
    for y in range(height):
        row = pixels[y * width : (y + 1) * width]
        for x, value in enumerate(row):
            if value < 80:
                columns.add(x)
                rows.add(y)
    return (
        min(columns) / width,
        min(rows) / height,
        (max(columns) + 1) / width,
        (max(rows) + 1) / height,
    )


def test_statement_cards_four_to_a_page_and_answer_cards(db):
    fmt = Format.objects.builtin().get(slug="al-doende-leren-vragen-en-uitspraken")
    statements = [s.statement for _p, _s, s in fmt.content.steps() if s.kind == "statement_poll"]
    assert len(statements) == 5
    data = render_pdf(fmt, "cards")
    sizes = pages(data)
    assert len(sizes) == 3  # 4 + 1 statements, then one page of answer cards
    assert all(is_a4(size) for size in sizes)
    text = pdf_text(data)
    for statement in statements:
        assert statement in text
    texts = pdf_pages_text(data)
    assert [sum(s in PdfText(t) for s in statements) for t in texts] == [4, 1, 0]
    assert "Knip langs de stippellijnen." in text
    # The answer cards use the seed's own words: Eens / Oneens / Twijfel.
    answers = texts[2].split()
    assert {"Eens", "Oneens", "Twijfel"} <= set(answers)
    # Never hyphenated: the text has no word broken over two lines.
    assert hyphenated_words("\n".join(texts), fmt.title) == []


def test_a_long_word_on_a_card_is_never_hyphenated(mini, org, facilitator_user):
    own = copy_format(mini, organisation=org, actor=facilitator_user)
    data = canonical_data(own.content)
    statement = (
        "Ik leer op het werk enkel door verplichte technische opleidingen en "
        "bijscholingsopleidingen te volgen, want vormingsverantwoordelijken beslissen"
    )
    data["phases"][0]["steps"] = [{"kind": "statement_poll", "statement": statement}]
    save_version(own, data=data, actor=facilitator_user)
    pdf = render_pdf(own, "cards")
    text = "\n".join(pdf_pages_text(pdf))
    assert hyphenated_words(text, own.title) == []
    for word in ("opleidingen", "bijscholingsopleidingen", "vormingsverantwoordelijken"):
        assert re.search(rf"\b{word}\b", text), word
    left, _top, right, _bottom = ink_box(pdf, 1)
    assert 0 < left < right < 1


def test_an_english_format_has_english_answer_cards(mini, org, facilitator_user):
    own = copy_format(mini, organisation=org, actor=facilitator_user)
    data = canonical_data(own.content)
    data["language"] = "en"
    save_version(own, data=data, actor=facilitator_user)
    texts = pdf_pages_text(render_pdf(own, "cards"))
    answers = set(texts[-1].split())
    assert {"Agree", "Disagree"} <= answers and "Not sure" in texts[-1]
    assert not {"Eens", "Oneens", "Twijfel"} & answers


def test_own_choices_make_their_own_answer_cards(db):
    fmt = Format.objects.builtin().get(slug="al-doende-leren-experiment")
    texts = pdf_pages_text(render_pdf(fmt, "cards"))
    assert {"Ja", "Nee"} <= set(texts[-1].split())


def test_nine_statements_take_three_pages_of_cards(mini, org, facilitator_user):
    own = copy_format(mini, organisation=org, actor=facilitator_user)
    data = canonical_data(own.content)
    polls = [{"kind": "statement_poll", "statement": f"Stelling nummer {n}"} for n in range(1, 10)]
    data["phases"][0]["steps"] = polls
    save_version(own, data=data, actor=facilitator_user)
    pdf = render_pdf(own, "cards")
    assert len(pages(pdf)) == 3 + 1  # 4 + 4 + 1 statements, one page of answer cards
    assert all(f"Stelling nummer {n}" in pdf_text(pdf) for n in range(1, 10))


def test_flipcharts_one_question_per_landscape_page(mini):
    data = render_pdf(mini, "flipcharts")
    sizes = pages(data)
    headers = 5 + 3 + 4  # warm-up questions, discussion topics, world café questions
    assert len(sizes) == headers
    assert all(is_a4(size, landscape=True) for size in sizes)
    assert "Hoe kan jij anderen stimuleren om te leren?" in pdf_text(data)
    assert hyphenated_words("\n".join(pdf_pages_text(data)), mini.title) == []


def test_a_flipchart_header_fills_the_page(mini, org, facilitator_user):
    own = copy_format(mini, organisation=org, actor=facilitator_user)
    data = canonical_data(own.content)
    short = "Wat leer je?"
    long = "Welke ervaringen en gesprekken van de voorbije maanden hebben je het meest geleerd?"
    data["phases"][1]["steps"][0]["questions"][:2] = [short, long]
    save_version(own, data=data, actor=facilitator_user)
    pdf = render_pdf(own, "flipcharts")
    texts = pdf_pages_text(pdf)
    assert short in PdfText(texts[0]) and long in PdfText(texts[1])
    for page in (1, 2):
        left, _top, right, bottom = ink_box(pdf, page)
        assert right - left > 0.7, (page, left, right)  # most of the width
        assert left > 0.02 and right < 0.98 and bottom < 0.98  # nothing runs off
    # The short header is set large (the type size fits the text), the long one smaller.
    from formats.pdf import flipcharts

    sizes = [flip.size for flip in flipcharts(own.content)]
    assert sizes[0] >= 100
    assert 40 <= sizes[1] < sizes[0]


def test_a_format_without_statements_still_prints(db):
    fmt = Format.objects.builtin().get(slug="quickscan-leervoorwaarden")
    text = pdf_text(render_pdf(fmt, "cards"))
    assert "no statements" in text or "geen stellingen" in text
    text = pdf_text(render_pdf(fmt, "worksheet"))
    assert "Hoe ga je om met overgebleven budget voor leren en ontwikkelen?" in text


def test_the_questionnaire_format_prints_every_option(db):
    fmt = Format.objects.builtin().get(slug="leercultuur-vragenlijst")
    text = pdf_text(render_pdf(fmt, "worksheet"))
    assert "Heeft elke medewerker vrije toegang tot informatie" in text
    assert "Bij de koffie" in text


@pytest.mark.parametrize("kind", ["script", "worksheet", "cards", "flipcharts"])
def test_pdf_pages_for_members_only(client, mini, member_user, outsider_user, kind):
    path = reverse(f"format_{kind}_pdf", args=["korenbloem", str(mini.public_id)])
    client.force_login(member_user)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert f"{MINI}-" in response["Content-Disposition"]
    client.force_login(outsider_user)
    assert client.get(path).status_code == 404
    client.logout()
    assert client.get(path).status_code == 302


def test_html_in_a_format_does_not_reach_the_pdf(mini, org, facilitator_user):
    own = copy_format(mini, organisation=org, actor=facilitator_user)
    data = canonical_data(own.content)
    data["goal"] = '<img src="http://example.invalid/x.png"> **Doel** <style>*{color:red}</style>'
    save_version(own, data=data, actor=facilitator_user)
    text = pdf_text(render_pdf(own, "script"))
    assert "Doel" in text
    assert "color:red" not in text


def test_a_version_is_rendered_once_and_a_new_version_again(
    mini, org, facilitator_user, monkeypatch
):
    import weasyprint

    own = copy_format(mini, organisation=org, actor=facilitator_user)
    first = render_pdf(own, "worksheet")

    def refuse(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(weasyprint, "HTML", refuse)
    assert render_pdf(own, "worksheet") == first
    data = canonical_data(own.content)
    data["title"] = "Korte versie"
    save_version(own, data=data, actor=facilitator_user)
    with pytest.raises(AssertionError, match="rendered again"):
        render_pdf(own, "worksheet")
