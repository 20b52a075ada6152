"""The facilitator's own summary of a session (`LiveSession.recap`, Markdown).

The seed's close asks for it: "maak er een samenvatting van die je deelt met de deelnemers".
It can be written at any time, also after the end (that is when it is usually written) and
after the contributions were purged; it sits at the top of every form of the summary.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

from ..models import RECAP_MAX_LENGTH, LiveSession
from .common import atomic, clean, locked


def clean_recap(text: Any) -> str:
    """The text as it would be stored: through `core.text` (control characters, lone
    surrogates, direction overrides and a text past RECAP_MAX_LENGTH refused with a
    DomainError); empty is allowed and clears the summary."""
    if text is not None and not isinstance(text, str):
        raise DomainError(_("Enter text."), code="type")
    return clean(text, max_length=RECAP_MAX_LENGTH, required=False)


def write_recap(session: LiveSession, *, text: Any, actor: Any) -> LiveSession:
    """Store the facilitator's summary (the caller checked that `actor` facilitates)."""
    value = clean_recap(text)
    with atomic():
        locked(session)
        if session.recap != value:
            session.recap = value
            LiveSession.objects.filter(pk=session.pk).update(recap=value)
    return session
