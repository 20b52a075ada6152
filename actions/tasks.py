"""Background work: the e-mails of reminders and conversations (queued by services and
`reminders.run_tick`, after the record that makes them exactly-once is stored)."""

from __future__ import annotations

import logging
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from accounts.models import User

from . import emails, ics
from .models import OPEN_STATUSES, Action, Conversation


def _language(user: User | None, fallback: str = "nl") -> str:
    return getattr(user, "language", "") or fallback


logger = logging.getLogger(__name__)


@task()
def send_digests(day: str, batch: list[list]) -> int:
    """A batch of digests ([owner id, action ids] each); one failing address does not stop
    the others (it is logged, without any content)."""
    sent = 0
    for user_id, action_ids in batch:
        try:
            sent += 1 if _send_digest(int(user_id), day, list(action_ids)) else 0
        except Exception:
            logger.exception("digest to user %s failed", user_id)
    return sent


@task()
def send_due_reminders(action_ids: list[int]) -> int:
    sent = 0
    for action_id in action_ids:
        try:
            sent += 1 if _send_due_reminder(int(action_id)) else 0
        except Exception:
            logger.exception("due-date reminder of action %s failed", action_id)
    return sent


@task()
def send_digest(user_id: int, day: str, action_ids: list[str]) -> int:
    return _send_digest(user_id, day, action_ids)


def _send_digest(user_id: int, day: str, action_ids: list[str]) -> int:
    """One owner's digest: what is due within 3 days, overdue, or at its evaluation date."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    today = date.fromisoformat(day)
    actions = list(
        Action.objects.filter(owner=user, public_id__in=action_ids)
        .select_related("organisation")
        .order_by("due_date", "created_at")
    )
    if not actions:
        return 0
    overdue, due_soon, evaluate = [], [], []
    for action in actions:
        if action.status in OPEN_STATUSES and action.due_date and action.due_date < today:
            overdue.append(action)
        elif action.status in OPEN_STATUSES and action.due_date:
            due_soon.append(action)
        else:
            evaluate.append(action)
    language = _language(user, actions[0].organisation.language)
    message = emails.build(
        "digest",
        user.email,
        {
            "user": user,
            "overdue": overdue,
            "due_soon": due_soon,
            "evaluate": evaluate,
            "day": today,
            "site_url": settings.SITE_URL,
        },
        language,
        unsubscribe=emails.unsubscribe_token(user_id=user.pk),
    )
    message.send()
    return len(actions)


@task()
def send_due_reminder(action_id: int) -> bool:
    return _send_due_reminder(action_id)


def _send_due_reminder(action_id: int) -> bool:
    """A personal action's reminder on its due date, with its private link, in the language
    the participant's phone was in when they wrote it (else the organisation's)."""
    action = (
        Action.objects.select_related("organisation", "session", "personal_action")
        .filter(pk=action_id)
        .first()
    )
    if action is None or not action.contact_email or not action.has_link or action.reminders_off:
        return False
    written = action.personal_action
    message = emails.build(
        "due",
        action.contact_email,
        {"action": action, "link": action.link_url()},
        (written.language if written is not None else "") or action.organisation.language,
        unsubscribe=emails.unsubscribe_token(action_id=action.pk),
    )
    message.send()
    return True


@task()
def send_conversation_invite(conversation_id: int, sequence: int) -> bool:
    """The invitation (or its change or cancellation) with its iCalendar invite."""
    conversation = (
        Conversation.objects.select_related("organisation", "held_by", "action")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None or conversation.sequence != sequence:
        return False  # a later change has its own e-mail
    cancelled = conversation.status == "cancelled"
    method = "CANCEL" if cancelled else "REQUEST"
    data = ics.conversation_invite(conversation, method=method)
    message = emails.build(
        "conversation_cancel" if cancelled else "conversation",
        conversation.employee_email,
        {
            "conversation": conversation,
            "link": conversation.link_url(),
            "portfolio_url": settings.SITE_URL + reverse("portfolio:start"),
            "starts_at": timezone.localtime(conversation.starts_at),
            "changed": conversation.sequence > 0,
        },
        conversation.organisation.language,
    )
    message.attach_alternative(data.decode(), f"text/calendar; method={method}")
    message.attach("invite.ics", data, "application/ics")
    message.send()
    return True
