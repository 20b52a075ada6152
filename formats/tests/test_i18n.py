"""Every message of the format library's data layer has a proposed Dutch translation in
formats/i18n/nl.po (until it is merged into locale/nl; then delete the file and this test)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext"}
MODULES = (
    *("schema", "questionnaire", "loader", "timing", "models", "services", "apps"),
    *("views", "library", "editor", "pdf", "api", "templatetags/formats_tags"),
)


def msgids_in_code() -> set[str]:
    found = set()
    for path in (APP / f"{name}.py" for name in MODULES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def msgids_in_catalogue() -> dict[str, str]:
    text = (APP / "i18n" / "nl.po").read_text(encoding="utf-8")
    pairs = re.findall(
        r'^msgid "(.+)"\n(?:msgid_plural ".*"\n)?msgstr(?:\[0\])? "(.*)"$', text, re.M
    )
    return {msgid.replace('\\"', '"'): msgstr for msgid, msgstr in pairs}


def test_every_message_has_a_dutch_proposal():
    catalogue = msgids_in_catalogue()
    assert msgids_in_code() - set(catalogue) == set()
    assert all(catalogue.values())


def test_placeholders_match():
    for msgid, msgstr in msgids_in_catalogue().items():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", msgstr))
