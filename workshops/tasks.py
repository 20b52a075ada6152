"""Background work for live sessions: the summary e-mail to participants and the reminder
of their personal action."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from core.emails import send_templated

from .models import LiveSession, PersonalAction, Status
from .summary import address_reader, build_summary, render_recap, session_date


@task()
def send_summary_email(session_public_id: str, address: str) -> bool:
    """Mail the summary to one participant who left their address.

    The mail is the participant's: their own personal action is marked ("Your action"),
    another participant's is in it only when that participant shared it (see
    `summary.for_reader`), and there is no time per phase. It is written in the language
    the participant's phone was in when they left the address (`PersonalAction.language`),
    else in the organisation's."""
    session = (
        LiveSession.objects.select_related("organisation")
        .filter(public_id=session_public_id)
        .first()
    )
    if session is None:
        return False
    chosen = (
        PersonalAction.objects.filter(session=session, email=address, is_current=True)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    language = chosen or session.organisation.language
    with translation.override(language):
        summary = build_summary(session, reader=address_reader(session, address))
    own = [a for a in summary["personal_actions"] if a["own"]]
    others = [a for a in summary["personal_actions"] if not a["own"]]
    send_templated(
        "workshop_summary",
        address,
        {
            "session": session,
            "summary": summary,
            "recap_html": render_recap(summary["recap"]),
            "own_actions": own,
            "other_actions": others,
            "summary_url": f"{settings.SITE_URL}/s/{session.public_id}/",
        },
        language,
    )
    return True


ACTION_REMINDER_DAYS = 7
"""Days after the session that a participant who left an address is reminded of their
personal action (setting WORKSHOP_ACTION_REMINDER_DAYS)."""


def reminder_days() -> int:
    return int(getattr(settings, "WORKSHOP_ACTION_REMINDER_DAYS", ACTION_REMINDER_DAYS))


def schedule_action_reminder(action_public_id: str) -> None:
    """Queue the reminder of one personal action to run `reminder_days()` from now.

    A backend that cannot defer (the immediate one of the tests and development) runs the
    task at once; the task sees that the reminder is not due and sends nothing."""
    due = timezone.now() + timedelta(days=reminder_days())
    task = send_action_reminder
    if task.get_backend().supports_defer:
        task = task.using(run_after=due)
    task.enqueue(action_public_id, due.isoformat())


@task()
def send_action_reminder(action_public_id: str, due: str) -> str:
    """Remind the author of a personal action of it, by the address they left.

    Skipped (and says why) when it is not due yet, when the action is gone (the session was
    deleted or its contributions purged), when it was replaced by a later version (which has
    its own reminder) or no longer carries an address."""
    if timezone.now() < datetime.fromisoformat(due):
        return "not_due"
    action = (
        PersonalAction.objects.select_related("session__organisation")
        .filter(public_id=action_public_id)
        .first()
    )
    if action is None:
        return "gone"
    if not action.is_current or not action.email:
        return "replaced"
    session = action.session
    send_templated(
        "workshop_action_reminder",
        action.email,
        {
            "session": session,
            "action": action,
            "date": session_date(session),
            "summary_url": f"{settings.SITE_URL}/s/{session.public_id}/",
            "ended": session.status == Status.ENDED,
        },
        action.language or session.organisation.language,
    )
    return "sent"
