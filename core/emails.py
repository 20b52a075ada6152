"""One way to send an e-mail: a subject/text/html template triplet in one language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def send_templated(
    template_prefix: str, to: str | Sequence[str], context: dict[str, Any], language: str
) -> None:
    """Render templates/email/<prefix>_subject.txt, _body.txt and _body.html and send them.

    The templates are rendered in `language`, whatever the language of the current request
    or worker. The subject is taken as one line.
    """
    recipients = [to] if isinstance(to, str) else list(to)
    with translation.override(language):
        subject = " ".join(
            render_to_string(f"email/{template_prefix}_subject.txt", context).split()
        )
        text = render_to_string(f"email/{template_prefix}_body.txt", context)
        html = render_to_string(f"email/{template_prefix}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=recipients
    )
    message.attach_alternative(html, "text/html")
    message.send()
