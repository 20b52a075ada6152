"""Background work for live sessions: the summary e-mail to participants."""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from core.emails import send_templated

from .models import LiveSession
from .summary import build_summary


@task()
def send_summary_email(session_public_id: str, address: str) -> bool:
    """Mail the summary to one participant who left their address."""
    session = (
        LiveSession.objects.select_related("organisation")
        .filter(public_id=session_public_id)
        .first()
    )
    if session is None:
        return False
    summary = build_summary(session)
    send_templated(
        "workshop_summary",
        address,
        {
            "session": session,
            "summary": summary,
            "summary_url": f"{settings.SITE_URL}/s/{session.public_id}/",
        },
        session.organisation.language,
    )
    return True
