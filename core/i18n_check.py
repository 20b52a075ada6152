"""Check the translation catalogues: nothing untranslated, nothing fuzzy, .mo files current.

    python -m core.i18n_check             # report problems, exit 1 if there are any
    python -m core.i18n_check --fill-en   # English is the source language: copy msgid to
                                          # empty or fuzzy English msgstr, then exit 0

Reads locale/<lang>/LC_MESSAGES/django.po (required) and djangojs.po (when any language
has one) for Dutch and English, with a small PO parser of our own so that the check needs
neither gettext nor a third-party package. Obsolete (#~) entries are ignored; the header
entry (msgid "") is not checked. Each .po must have a compiled .mo beside it that holds
exactly the .po's finished translations (file times are useless after a git clone, so the
contents are compared).
"""

from __future__ import annotations

import argparse
import gettext
import re
import struct
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("nl", "en")
SOURCE_LANGUAGE = "en"
DOMAINS = ("django", "djangojs")
REQUIRED_DOMAIN = "django"

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
_STRING = re.compile(r'^(".*")\s*$')
_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "?": "?",
}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)", re.DOTALL)


class PoSyntaxError(ValueError):
    def __init__(self, path: Path | str, lineno: int, message: str) -> None:
        super().__init__(f"{path}:{lineno}: {message}")
        self.path = path
        self.lineno = lineno


@dataclass
class Field:
    """One keyword with its string, and where its lines are in the file (0-based, end excl.)."""

    value: str
    start: int
    end: int


@dataclass
class Entry:
    lineno: int  # 1-based line of the first line of the entry
    msgctxt: Field | None = None
    msgid: Field | None = None
    msgid_plural: Field | None = None
    msgstr: Field | None = None
    msgstr_plural: dict[int, Field] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    flag_lines: list[int] = field(default_factory=list)
    previous_lines: list[int] = field(default_factory=list)  # "#|" lines
    obsolete: bool = False

    @property
    def is_header(self) -> bool:
        return self.msgid is not None and self.msgid.value == "" and self.msgctxt is None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[i].value for i in sorted(self.msgstr_plural)]
        return [self.msgstr.value] if self.msgstr is not None else []

    @property
    def key(self) -> str:
        """The key gettext uses: context and msgid joined by EOT."""
        assert self.msgid is not None
        if self.msgctxt is not None:
            return f"{self.msgctxt.value}\x04{self.msgid.value}"
        return self.msgid.value

    def label(self) -> str:
        assert self.msgid is not None
        text = self.msgid.value
        if len(text) > 70:
            text = text[:67] + "..."
        shown = '"' + text.replace("\n", "\\n") + '"'
        if self.msgctxt is not None:
            shown = f"[{self.msgctxt.value}] {shown}"
        return shown


def unescape(quoted: str, path: Path | str = "<po>", lineno: int = 0) -> str:
    """Turn one PO string literal (with its quotes) into text."""
    if len(quoted) < 2 or not (quoted.startswith('"') and quoted.endswith('"')):
        raise PoSyntaxError(path, lineno, f"not a quoted string: {quoted}")
    body = quoted[1:-1]
    # An unescaped quote inside the string is an error.
    if re.search(r'(?<!\\)(?:\\\\)*"', body):
        raise PoSyntaxError(path, lineno, f"unescaped quote in {quoted}")

    def replace(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] == "x" and len(code) > 1:
            return chr(int(code[1:], 16))
        if code[0] in "01234567":
            return chr(int(code, 8))
        if code in _ESCAPES:
            return _ESCAPES[code]
        raise PoSyntaxError(path, lineno, f"unknown escape \\{code}")

    return _ESCAPE.sub(replace, body)


def parse_po(text: str, path: Path | str = "<po>") -> list[Entry]:
    """Parse PO text into entries (obsolete ones included, marked as such)."""
    entries: list[Entry] = []
    current: Entry | None = None
    last: Field | None = None  # the field that continuation lines extend
    last_parts: list[str] = []

    def finish() -> None:
        nonlocal current, last
        if current is not None:
            _validate(current, path)
            entries.append(current)
        current = None
        last = None

    def close_field() -> None:
        nonlocal last
        if last is not None:
            last.value = "".join(last_parts)
        last = None

    def entry_started_msgstr(entry: Entry) -> bool:
        return entry.msgstr is not None or bool(entry.msgstr_plural)

    for index, raw in enumerate(text.splitlines()):
        lineno = index + 1
        line = raw.strip()
        if not line:
            close_field()
            finish()
            continue
        if line.startswith("#~"):
            # Obsolete entry: keep it apart, never checked or changed.
            close_field()
            if current is not None and not current.obsolete and current.msgid is not None:
                finish()
            if current is None:
                current = Entry(lineno=lineno)
            current.obsolete = True
            continue
        if current is not None and current.obsolete:
            # Text after an obsolete block without a blank line starts a new entry.
            finish()
        if line.startswith("#"):
            close_field()
            if current is not None and entry_started_msgstr(current):
                finish()
            if current is None:
                current = Entry(lineno=lineno)
            if line.startswith("#,"):
                current.flags.extend(f.strip() for f in line[2:].split(",") if f.strip())
                current.flag_lines.append(index)
            elif line.startswith("#|"):
                current.previous_lines.append(index)
            continue
        if line.startswith('"'):
            match = _STRING.match(line)
            if last is None or match is None:
                raise PoSyntaxError(path, lineno, "string outside of a keyword")
            last_parts.append(unescape(match.group(1), path, lineno))
            last.end = index + 1
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise PoSyntaxError(path, lineno, f"cannot read line: {line[:60]}")
        close_field()
        keyword, plural_index, quoted = match.groups()
        starts_entry = current is not None and (
            (keyword == "msgid" and entry_started_msgstr(current))
            or (
                keyword == "msgctxt"
                and (current.msgid is not None or entry_started_msgstr(current))
            )
        )
        if starts_entry:
            finish()
        if current is None:
            current = Entry(lineno=lineno)
        new = Field(value="", start=index, end=index + 1)
        if keyword == "msgctxt":
            if current.msgctxt is not None or current.msgid is not None:
                raise PoSyntaxError(path, lineno, "msgctxt out of place")
            current.msgctxt = new
        elif keyword == "msgid":
            if current.msgid is not None:
                raise PoSyntaxError(path, lineno, "second msgid in one entry")
            current.msgid = new
        elif keyword == "msgid_plural":
            if current.msgid is None or current.msgid_plural is not None:
                raise PoSyntaxError(path, lineno, "msgid_plural out of place")
            current.msgid_plural = new
        elif plural_index is not None:
            number = int(plural_index)
            if current.msgid is None or number in current.msgstr_plural:
                raise PoSyntaxError(path, lineno, f"{keyword} out of place")
            current.msgstr_plural[number] = new
        else:
            if current.msgid is None or current.msgstr is not None:
                raise PoSyntaxError(path, lineno, "msgstr out of place")
            current.msgstr = new
        last = new
        last_parts = [unescape(quoted, path, lineno)]
    close_field()
    finish()
    return entries


def _validate(entry: Entry, path: Path | str) -> None:
    if entry.obsolete:
        return
    if entry.msgid is None:
        if entry.msgctxt is None and entry.msgstr is None and not entry.msgstr_plural:
            return  # a block of comments only, such as the file's opening comment
        raise PoSyntaxError(path, entry.lineno, "entry without msgid")
    if entry.msgid_plural is not None:
        if entry.msgstr is not None:
            raise PoSyntaxError(path, entry.lineno, "plural entry with plain msgstr")
        if sorted(entry.msgstr_plural) != list(range(len(entry.msgstr_plural))) or (
            not entry.msgstr_plural
        ):
            raise PoSyntaxError(path, entry.lineno, "msgstr[n] must count up from 0")
    else:
        if entry.msgstr_plural:
            raise PoSyntaxError(path, entry.lineno, "msgstr[n] without msgid_plural")
        if entry.msgstr is None:
            raise PoSyntaxError(path, entry.lineno, "entry without msgstr")


def live_entries(entries: Iterable[Entry]) -> list[Entry]:
    """Entries that count: not obsolete, not comment-only, not the header."""
    return [e for e in entries if not e.obsolete and e.msgid is not None and not e.is_header]


def plural_count(entries: Iterable[Entry]) -> int | None:
    for entry in entries:
        if entry.is_header and not entry.obsolete and entry.msgstr is not None:
            match = re.search(r"nplurals\s*=\s*(\d+)", entry.msgstr.value)
            if match:
                return int(match.group(1))
    return None


@dataclass(frozen=True)
class Problem:
    path: str
    lineno: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.lineno}: {self.kind}: {self.text}"


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def check_entries(entries: list[Entry], shown: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    nplurals = plural_count(entries)
    for entry in live_entries(entries):
        if entry.key in seen:
            problems.append(
                Problem(
                    shown,
                    entry.lineno,
                    "duplicate",
                    f"{entry.label()} (first on line {seen[entry.key]})",
                )
            )
            continue
        seen[entry.key] = entry.lineno
        translations = entry.translations
        if entry.fuzzy:
            problems.append(Problem(shown, entry.lineno, "fuzzy", entry.label()))
        elif not translations or any(t == "" for t in translations):
            problems.append(Problem(shown, entry.lineno, "untranslated", entry.label()))
        elif entry.msgid_plural is not None and nplurals and len(translations) != nplurals:
            problems.append(
                Problem(
                    shown,
                    entry.lineno,
                    "plural forms",
                    f"{entry.label()} has {len(translations)}, the header says {nplurals}",
                )
            )
    return problems


def compiled_catalogue(entries: list[Entry]) -> dict[str | tuple[str, int], str]:
    """What msgfmt puts in the .mo for these entries (header and fuzzy ones left out)."""
    catalogue: dict[str | tuple[str, int], str] = {}
    for entry in live_entries(entries):
        translations = entry.translations
        if entry.fuzzy or not translations or any(t == "" for t in translations):
            continue
        if entry.msgid_plural is not None:
            for number, text in enumerate(translations):
                catalogue[(entry.key, number)] = text
        else:
            catalogue[entry.key] = translations[0]
    return catalogue


def check_mo(po_path: Path, entries: list[Entry], shown: str) -> list[Problem]:
    mo_path = po_path.with_suffix(".mo")
    shown_mo = shown[: -len(".po")] + ".mo"
    if not mo_path.exists():
        return [Problem(shown_mo, 0, "missing", "compile it with `make messages`")]
    try:
        with mo_path.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    except (OSError, UnicodeDecodeError, struct.error) as error:
        return [Problem(shown_mo, 0, "unreadable", str(error))]
    compiled = {k: v for k, v in compiled.items() if k != ""}
    expected = compiled_catalogue(entries)
    differences = sorted(
        {
            (k if isinstance(k, str) else k[0]).replace("\x04", " | ")
            for k in set(expected) | set(compiled)
            if expected.get(k) != compiled.get(k)
        }
    )
    if differences:
        return [
            Problem(
                shown_mo,
                0,
                "out of date",
                f"{len(differences)} messages differ from the .po (first: "
                f"{differences[0][:60]!r}); run `make messages`",
            )
        ]
    return []


def catalogue_paths(locale_dir: Path, languages: Sequence[str]) -> tuple[list[Path], list[str]]:
    """The .po files to check, and the ones that should exist but do not."""
    paths: list[Path] = []
    missing: list[str] = []
    for domain in DOMAINS:
        expected = [locale_dir / lang / "LC_MESSAGES" / f"{domain}.po" for lang in languages]
        present = [p for p in expected if p.exists()]
        if domain != REQUIRED_DOMAIN and not present:
            continue
        paths.extend(present)
        missing.extend(str(p) for p in expected if not p.exists())
    return paths, missing


def check(locale_dir: Path = LOCALE_DIR, languages: Sequence[str] = LANGUAGES) -> list[Problem]:
    """Every problem in the catalogues under locale_dir; raises PoSyntaxError on bad syntax."""
    root = locale_dir.parent
    paths, missing = catalogue_paths(locale_dir, languages)
    problems = [
        Problem(_shown(Path(p), root), 0, "missing", "create it with `make messages`")
        for p in missing
    ]
    for path in paths:
        entries = parse_po(path.read_text(encoding="utf-8"), path)
        shown = _shown(path, root)
        problems.extend(check_entries(entries, shown))
        problems.extend(check_mo(path, entries, shown))
    return problems


def fill_source_language(path: Path) -> int:
    """Copy msgid into each empty or fuzzy msgstr and drop fuzzy flags; returns entries changed.

    Only for the source language's catalogue (English): there a translation equals its
    msgid, and a fuzzy guess from msgmerge belongs to an older msgid, so it is replaced
    too. The msgid's own lines are reused, keeping the file's wrapping as gettext made it.
    """
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    entries = parse_po(text, path)
    replacements: dict[int, tuple[int, list[str]]] = {}  # start -> (end, new lines)
    changed = 0

    def copied(source: Field, keyword: str) -> list[str]:
        first = lines[source.start].strip()
        # Replace the keyword at the start of the first line, keep the string as written.
        quoted = first[first.index('"') :]
        return [f"{keyword} {quoted}", *(lines[i] for i in range(source.start + 1, source.end))]

    for entry in live_entries(entries):
        assert entry.msgid is not None
        translations = entry.translations
        needs = entry.fuzzy or not translations or any(t == "" for t in translations)
        if not needs:
            continue
        changed += 1
        if entry.msgid_plural is not None:
            for number, target in entry.msgstr_plural.items():
                source = entry.msgid if number == 0 else entry.msgid_plural
                replacements[target.start] = (target.end, copied(source, f"msgstr[{number}]"))
        else:
            assert entry.msgstr is not None
            replacements[entry.msgstr.start] = (entry.msgstr.end, copied(entry.msgid, "msgstr"))
        if entry.fuzzy:
            for index in entry.flag_lines:
                flags = [
                    f.strip() for f in lines[index].strip()[2:].split(",") if f.strip() != "fuzzy"
                ]
                flags = [f for f in flags if f]
                replacements[index] = (index + 1, ["#, " + ", ".join(flags)] if flags else [])
            for index in entry.previous_lines:
                replacements[index] = (index + 1, [])
    if not changed:
        return 0
    output: list[str] = []
    index = 0
    while index < len(lines):
        if index in replacements:
            end, new_lines = replacements[index]
            output.extend(new_lines)
            index = end
        else:
            output.append(lines[index])
            index += 1
    path.write_text("\n".join(output) + "\n", encoding="utf-8")
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.i18n_check",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--fill-en",
        action="store_true",
        help="fill empty or fuzzy English msgstr with the msgid, then report and exit 0",
    )
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    locale_dir: Path = options.locale_dir

    try:
        if options.fill_en:
            paths, _missing = catalogue_paths(locale_dir, [SOURCE_LANGUAGE])
            for path in paths:
                count = fill_source_language(path)
                print(f"{_shown(path, locale_dir.parent)}: filled {count} English entries")
        problems = check(locale_dir)
    except PoSyntaxError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    if options.fill_en:
        # Part of `make messages`: the .mo files are compiled after this step, and Dutch
        # gaps are for a translator, so they are listed but do not stop the build.
        left = [p for p in problems if not p.path.endswith(".mo")]
        if left:
            print(f"{len(left)} entries still need a translator (python -m core.i18n_check).")
        return 0

    for problem in problems:
        print(problem)
    if problems:
        print(f"i18n check: {len(problems)} problems.", file=sys.stderr)
        return 1
    print("i18n check: every message is translated and compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
