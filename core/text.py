"""One cleaner for every name and text that a user or a network sends.

Names (one line: a team, a campaign, a participant's display name) and texts (several
lines: a note, an action, a free-text answer) go through `clean_name` or `clean_text`
before they are stored. Both refuse, with a message for the person who typed it:

- lone UTF-16 surrogates (JSON can carry "\\ud800"; no database or encoder can store it);
- control characters (NUL, bell, escape...; texts keep newlines and tabs);
- bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069), which
  make a text display differently from what it says;
- a value that is empty once whitespace and invisible format characters (zero-width
  spaces, joiners, the byte-order mark) are set aside;
- a value longer than its limit.

Values are normalised to NFC, line endings to "\\n", and stripped. Pydantic fields use the
`Name` and `Text` annotated types; Django forms call the functions from `clean_<field>`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic import AfterValidator, Field

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SURROGATE = re.compile("[\ud800-\udfff]")


class TextError(ValueError):
    """A name or text that cannot be stored; the message is for the person who typed it."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _clean(value: str, *, max_length: int | None, multiline: bool, required: bool) -> str:
    if not isinstance(value, str):
        raise TextError(_("Enter text."), code="type")
    if _SURROGATE.search(value):
        raise TextError(_("The text contains a character that cannot be stored."), code="surrogate")
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    allowed = "\n\t" if multiline else ""
    for char in value:
        if char in BIDI_CONTROLS:
            raise TextError(
                _("The text contains a character that changes its writing direction."),
                code="bidi",
            )
        if unicodedata.category(char) == "Cc" and char not in allowed:
            raise TextError(_("The text contains a control character."), code="control")
    value = value.strip()
    visible = [c for c in value if not c.isspace() and unicodedata.category(c) != "Cf"]
    if not visible:
        if required:
            raise TextError(_("This field cannot be empty."), code="empty")
        return ""
    if max_length is not None and len(value) > max_length:
        raise TextError(
            ngettext(
                "Use at most %(limit)d character (this has %(length)d).",
                "Use at most %(limit)d characters (this has %(length)d).",
                max_length,
            )
            % {"limit": max_length, "length": len(value)},
            code="too_long",
        )
    return value


def clean_name(value: str, *, max_length: int | None = 150, required: bool = True) -> str:
    """One line: refuses newlines and every other control character."""
    return _clean(value, max_length=max_length, multiline=False, required=required)


def clean_text(value: str, *, max_length: int | None = 2000, required: bool = True) -> str:
    """Several lines: newlines and tabs stay, other control characters are refused."""
    return _clean(value, max_length=max_length, multiline=True, required=required)


_DOMAIN_CODES = {"empty": "required", "too_long": "too_long"}


def service_name(
    value: str | None, *, max_length: int = 150, field: str = "name", empty_message: str = ""
) -> str:
    """`clean_name` for a service: a `DomainError` (400, code `name_required`,
    `name_too_long` or `name_invalid`), and runs of whitespace collapsed to one space."""
    from .errors import DomainError

    try:
        value = clean_name(value if value is not None else "", max_length=max_length)
    except TextError as exc:
        message = empty_message if exc.code == "empty" and empty_message else exc.message
        raise DomainError(
            message, code=f"{field}_{_DOMAIN_CODES.get(exc.code, 'invalid')}"
        ) from None
    return " ".join(value.split())


def _pydantic(check):  # type: ignore[no-untyped-def]
    def validate(value: str) -> str:
        try:
            return check(value)
        except TextError as exc:
            # Pydantic turns a ValueError into a 422 entry with this message.
            raise ValueError(exc.message) from None

    return AfterValidator(validate)


def _schema(max_length: int, required: bool) -> Any:
    """The limits in the OpenAPI schema (the cleaner enforces them, after stripping)."""
    limits: dict[str, Any] = {"maxLength": max_length}
    if required:
        limits["minLength"] = 1
    return Field(json_schema_extra=limits)


def name_type(max_length: int = 150, *, required: bool = True):  # type: ignore[no-untyped-def]
    """An annotated `str` for pydantic schemas: `title: name_type(120)`."""
    return Annotated[
        str,
        _pydantic(lambda v: clean_name(v, max_length=max_length, required=required)),
        _schema(max_length, required),
    ]


def text_type(max_length: int = 2000, *, required: bool = True):  # type: ignore[no-untyped-def]
    """An annotated `str` for pydantic schemas holding several lines."""
    return Annotated[
        str,
        _pydantic(lambda v: clean_text(v, max_length=max_length, required=required)),
        _schema(max_length, required),
    ]


Name = name_type()
Text = text_type()
