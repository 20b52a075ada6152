"""The catalogue check, on small .po files written for each test."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import i18n_check
from core.i18n_check import PoSyntaxError, check, fill_source_language, parse_po

HEADER = """\
# Opening comment.
#, fuzzy
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

"""

NL = (
    HEADER
    + """\
#: templates/base.html:14
msgid "Skip to content"
msgstr "Naar de inhoud"

#: core/views.py:3
msgid ""
"A long message that gettext wraps "
"over two lines"
msgstr ""
"Een lang bericht dat gettext "
"over twee regels breekt"

msgctxt "button"
msgid "Open"
msgstr "Openen"

msgid "Open"
msgstr "Open"

msgid "one note"
msgid_plural "%(count)s notes"
msgstr[0] "één notitie"
msgstr[1] "%(count)s notities"

msgid "Quote \\"this\\"\\tand a tab\\n"
msgstr "Citeer \\"dit\\"\\ten een tab\\n"

#~ msgid "Gone"
#~ msgstr ""

#, fuzzy
#~ msgctxt "old"
#~ msgid "Old"
#~ msgstr "Oud"
"""
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_mo(po_path: Path) -> Path:
    """Compile as msgfmt does (finished entries and the header), without needing gettext."""
    entries = parse_po(po_path.read_text(encoding="utf-8"))
    pairs: dict[bytes, bytes] = {}
    for entry in entries:
        if entry.obsolete or entry.msgid is None:
            continue
        if entry.is_header:
            assert entry.msgstr is not None
            pairs[b""] = entry.msgstr.value.encode()
            continue
        translations = entry.translations
        if entry.fuzzy or any(t == "" for t in translations):
            continue
        key = entry.key
        if entry.msgid_plural is not None:
            key += "\0" + entry.msgid_plural.value
        pairs[key.encode()] = "\0".join(translations).encode()
    keys = sorted(pairs)
    ids = b"".join(k + b"\0" for k in keys)
    strs = b"".join(pairs[k] + b"\0" for k in keys)
    start = 7 * 4 + 16 * len(keys)
    offsets, id_pos, str_pos = [], start, start + len(ids)
    for k in keys:
        offsets.append((len(k), id_pos, len(pairs[k]), str_pos))
        id_pos += len(k) + 1
        str_pos += len(pairs[k]) + 1
    output = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    output += b"".join(struct.pack("<2I", n, p) for n, p, _, _ in offsets)
    output += b"".join(struct.pack("<2I", n, p) for _, _, n, p in offsets)
    mo_path = po_path.with_suffix(".mo")
    mo_path.write_bytes(output + ids + strs)
    return mo_path


@pytest.fixture
def locale(tmp_path: Path) -> Path:
    """A locale directory with a complete Dutch and English catalogue, compiled."""
    directory = tmp_path / "locale"
    nl = write(directory / "nl/LC_MESSAGES/django.po", NL)
    en = write(
        directory / "en/LC_MESSAGES/django.po",
        HEADER
        + """\
msgid "Skip to content"
msgstr "Skip to content"
""",
    )
    write_mo(nl)
    write_mo(en)
    return directory


def only_live(text: str):
    return i18n_check.live_entries(parse_po(text))


def test_parses_multiline_plural_context_and_escapes():
    entries = {(e.msgctxt.value if e.msgctxt else None, e.msgid.value): e for e in only_live(NL)}

    long = entries[(None, "A long message that gettext wraps over two lines")]
    assert long.translations == ["Een lang bericht dat gettext over twee regels breekt"]
    assert entries[("button", "Open")].translations == ["Openen"]
    assert entries[(None, "Open")].translations == ["Open"]
    plural = entries[(None, "one note")]
    assert plural.msgid_plural is not None
    assert plural.msgid_plural.value == "%(count)s notes"
    assert plural.translations == ["één notitie", "%(count)s notities"]
    quoted = entries[(None, 'Quote "this"\tand a tab\n')]
    assert quoted.translations == ['Citeer "dit"\ten een tab\n']


def test_obsolete_entries_and_the_header_are_left_out():
    msgids = [e.msgid.value for e in only_live(NL)]
    assert "Gone" not in msgids
    assert "Old" not in msgids
    assert "" not in msgids
    assert len(msgids) == 6


def test_a_complete_compiled_catalogue_has_no_problems(locale):
    assert check(locale) == []
    assert i18n_check.main(["--locale-dir", str(locale)]) == 0


def test_reports_untranslated_and_fuzzy_entries_with_file_and_line(locale, capsys):
    write(
        locale / "nl/LC_MESSAGES/django.po",
        HEADER
        + """\
msgid "Skip to content"
msgstr ""

#, fuzzy, python-format
msgid "Hello %(name)s"
msgstr "Hallo %(name)s"

msgid ""
"Two "
"lines"
msgstr ""
""

msgid "one note"
msgid_plural "%(count)s notes"
msgstr[0] "één notitie"
msgstr[1] ""
""",
    )
    write_mo(locale / "nl/LC_MESSAGES/django.po")

    problems = [str(p) for p in check(locale)]

    assert problems == [
        'locale/nl/LC_MESSAGES/django.po:8: untranslated: "Skip to content"',
        'locale/nl/LC_MESSAGES/django.po:11: fuzzy: "Hello %(name)s"',
        'locale/nl/LC_MESSAGES/django.po:15: untranslated: "Two lines"',
        'locale/nl/LC_MESSAGES/django.po:21: untranslated: "one note"',
    ]
    assert i18n_check.main(["--locale-dir", str(locale)]) == 1
    assert "fuzzy" in capsys.readouterr().out


def test_plural_forms_must_match_the_header(locale):
    write(
        locale / "nl/LC_MESSAGES/django.po",
        HEADER
        + """\
msgid "one note"
msgid_plural "%(count)s notes"
msgstr[0] "één notitie"
""",
    )
    write_mo(locale / "nl/LC_MESSAGES/django.po")

    (problem,) = check(locale)
    assert problem.kind == "plural forms"


def test_duplicate_entries_are_reported(locale):
    write(
        locale / "nl/LC_MESSAGES/django.po",
        HEADER + 'msgid "A"\nmsgstr "B"\n\nmsgid "A"\nmsgstr "C"\n',
    )
    write_mo(locale / "nl/LC_MESSAGES/django.po")

    assert [p.kind for p in check(locale)] == ["duplicate"]


def test_missing_catalogues_and_compiled_files_are_reported(locale):
    (locale / "en/LC_MESSAGES/django.po").unlink()
    (locale / "nl/LC_MESSAGES/django.mo").unlink()

    problems = {(p.path, p.kind) for p in check(locale)}

    assert problems == {
        ("locale/en/LC_MESSAGES/django.po", "missing"),
        ("locale/nl/LC_MESSAGES/django.mo", "missing"),
    }


def test_a_mo_file_older_than_its_po_is_out_of_date(locale):
    po = locale / "nl/LC_MESSAGES/django.po"
    po.write_text(po.read_text().replace("Naar de inhoud", "Ga naar de inhoud"))

    (problem,) = check(locale)

    assert (problem.path, problem.kind) == ("locale/nl/LC_MESSAGES/django.mo", "out of date")
    assert "Skip to content" in problem.text


def test_javascript_catalogues_are_checked_when_present(locale):
    assert check(locale) == []  # none present: nothing to check

    write(locale / "nl/LC_MESSAGES/djangojs.po", HEADER + 'msgid "Saved"\nmsgstr ""\n')

    problems = {(p.path, p.kind) for p in check(locale)}
    assert problems == {
        ("locale/nl/LC_MESSAGES/djangojs.po", "untranslated"),
        ("locale/nl/LC_MESSAGES/djangojs.mo", "missing"),
        ("locale/en/LC_MESSAGES/djangojs.po", "missing"),
    }


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('msgid "A"\nmsgstr "B"\n"C\n', 3),  # unterminated string
        ('msgid "A"\n\nmsgstr "B"\n', 1),  # msgid without msgstr
        ('msgid "A"\nmsgstr[0] "B"\n', 1),  # msgstr[n] without msgid_plural
        ('msgid "A"\nmsgid_plural "As"\nmsgstr "B"\n', 1),
        ('msgid "A"\nmsgstr "B "C""\n', 2),  # unescaped quote
        ('msgid "A"\nmsgstr "B"\nbogus\n', 3),
        ('"stray"\n', 1),
    ],
)
def test_syntax_errors_name_the_line(text, line):
    with pytest.raises(PoSyntaxError) as error:
        parse_po(text, "x.po")
    assert error.value.lineno == line
    assert str(error.value).startswith(f"x.po:{line}: ")


def test_a_syntax_error_exits_with_2(locale, capsys):
    write(locale / "nl/LC_MESSAGES/django.po", 'msgid "A"\nmsgstr B\n')

    assert i18n_check.main(["--locale-dir", str(locale)]) == 2
    assert "django.po:2" in capsys.readouterr().err


EN_TO_FILL = (
    HEADER
    + """\
msgid "Skip to content"
msgstr ""

#, fuzzy, python-format
#| msgid "Hello %(name)s!"
msgid "Hello %(name)s"
msgstr "Hello %(name)s!"

#: core/views.py:3
msgid ""
"A long message that gettext wraps "
"over two lines"
msgstr ""

msgctxt "button"
msgid "Open"
msgstr ""

msgid "one note"
msgid_plural "%(count)s notes"
msgstr[0] ""
msgstr[1] ""

msgid "Kept as written"
msgstr "Kept, as written"

#~ msgid "Gone"
#~ msgstr ""
"""
)

EN_FILLED = (
    HEADER
    + """\
msgid "Skip to content"
msgstr "Skip to content"

#, python-format
msgid "Hello %(name)s"
msgstr "Hello %(name)s"

#: core/views.py:3
msgid ""
"A long message that gettext wraps "
"over two lines"
msgstr ""
"A long message that gettext wraps "
"over two lines"

msgctxt "button"
msgid "Open"
msgstr "Open"

msgid "one note"
msgid_plural "%(count)s notes"
msgstr[0] "one note"
msgstr[1] "%(count)s notes"

msgid "Kept as written"
msgstr "Kept, as written"

#~ msgid "Gone"
#~ msgstr ""
"""
)


def test_fill_en_copies_msgid_and_clears_fuzzy(tmp_path):
    path = write(tmp_path / "django.po", EN_TO_FILL)

    assert fill_source_language(path) == 5
    assert path.read_text() == EN_FILLED
    # A second run finds nothing left to do and leaves the file as it is.
    assert fill_source_language(path) == 0
    assert path.read_text() == EN_FILLED


def test_fill_en_option_changes_english_only_and_exits_0(locale, capsys):
    en = write(locale / "en/LC_MESSAGES/django.po", EN_TO_FILL)
    nl_text = HEADER + 'msgid "Skip to content"\nmsgstr ""\n'
    nl = write(locale / "nl/LC_MESSAGES/django.po", nl_text)

    assert i18n_check.main(["--fill-en", "--locale-dir", str(locale)]) == 0

    assert en.read_text() == EN_FILLED
    assert nl.read_text() == nl_text
    assert "still need a translator" in capsys.readouterr().out
    write_mo(en)
    assert {p.path for p in check(locale)} == {
        "locale/nl/LC_MESSAGES/django.po",
        "locale/nl/LC_MESSAGES/django.mo",
    }


def po_string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), whitelist_characters="\n\t"),
        min_size=1,
    )
)
def test_any_text_written_as_po_reads_back_the_same(text):
    (entry,) = parse_po(f"msgid {po_string(text)}\nmsgstr {po_string(text[::-1])}\n")
    assert entry.msgid.value == text
    assert entry.translations == [text[::-1]]
