"""Questions lerend adds to a campaign, apart from the source questionnaire.

A campaign asks one frozen questionnaire version; the built-in version stays exactly as the
seed has it. An addition is a campaign option (`Campaign.extra_questions`, a list of keys):
the campaign's questionnaire is its version with the additions appended in a section of
their own, whose title marks it as lerend's addition, in the set-up, the answer form, the
report and the exports alike. Counters are kept per key, like every other question, so
the report's anonymity rule (released figures, `scans/releases.py`) holds for it unchanged.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .questionnaire import ScanQuestionnaire

LEARNING_PARTICIPATION = "lerend-leeractiviteit-12m"
"""Issue 13: the self-reported participation in learning, beside the recorded one."""

YES = "ja"

EXTRAS = (LEARNING_PARTICIPATION,)


def section_title() -> str:
    return _("Addition by lerend (not part of the source questionnaire)")


def _question(key: str) -> dict[str, Any]:
    if key == LEARNING_PARTICIPATION:
        return {
            "key": key,
            "kind": "yes_no",
            "required": False,
            "text": _(
                "Did you take part in a training course or another learning activity "
                "in the past 12 months?"
            ),
            "options": [{"key": YES, "label": _("Yes")}, {"key": "nee", "label": _("No")}],
        }
    raise KeyError(key)


def clean_keys(keys: Any) -> list[str]:
    """The known additions among `keys`, in their fixed order."""
    wanted = set(keys or [])
    return [key for key in EXTRAS if key in wanted]


def with_extras(content: ScanQuestionnaire, keys: Any, language: str = "nl") -> ScanQuestionnaire:
    """The questionnaire with the campaign's additions appended (unchanged without any)."""
    keys = [k for k in clean_keys(keys) if content.question(k) is None]
    if not keys:
        return content
    with translation.override(language if language in ("nl", "en") else "nl"):
        data = content.model_dump(mode="json")
        data["sections"].append(
            {"title": section_title(), "text": "", "questions": [_question(k) for k in keys]}
        )
    return ScanQuestionnaire.model_validate(data)


def is_extra(key: str) -> bool:
    return key in EXTRAS
