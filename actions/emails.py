"""The register's e-mails: digests, due-date reminders and conversation invitations.

Every e-mail carries a working unsubscribe link, also as `List-Unsubscribe` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). The link is signed, so it
needs no stored token and cannot be made up for someone else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

UNSUBSCRIBE_SALT = "actions.unsubscribe"


def unsubscribe_token(*, user_id: int | None = None, action_id: int | None = None) -> str:
    payload = {"u": user_id} if user_id is not None else {"a": action_id}
    return signing.dumps(payload, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> dict[str, int] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def unsubscribe_url(token: str) -> str:
    return f"{settings.SITE_URL}/acties/uitschrijven/{token}/"


def build(
    template: str,
    to: str,
    context: dict[str, Any],
    language: str,
    *,
    unsubscribe: str | None = None,
) -> EmailMultiAlternatives:
    """Render actions/email/<template>_{subject,body}.txt and _body.html in `language`."""
    context = dict(context)
    if unsubscribe:
        context["unsubscribe_url"] = unsubscribe_url(unsubscribe)
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"actions/email/{template}_subject.txt", context).split()
        )
        text = render_to_string(f"actions/email/{template}_body.txt", context)
        html = render_to_string(f"actions/email/{template}_body.html", context)
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message
