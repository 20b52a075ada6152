"""iCalendar files made with the `icalendar` package (which escapes text per RFC 5545:
commas, semicolons, backslashes and newlines).

- `conversation_invite`: METHOD:REQUEST (or CANCEL) with a stable UID, ORGANIZER, ATTENDEE
  and the conversation's SEQUENCE, raised by the services on every change.
- `member_feed`: a member's private feed with the due and evaluation dates of the actions
  they own and the conversations they hold or are invited to.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event, vCalAddress, vText

from .models import OPEN_STATUSES, Action, Conversation, ConversationStatus

PRODID = "-//lerend//actions//NL"


def _calendar(method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    return cal


def _address(email: str, name: str = "", **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def _conversation_event(conversation: Conversation, *, method: str) -> Event:
    event = Event()
    event.add("uid", conversation.uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", conversation.starts_at)
    event.add("dtend", conversation.ends_at)
    event.add("sequence", conversation.sequence)
    event.add("summary", _("Follow-up conversation"))
    description = _("Your follow-up conversation. Your page: %(link)s") % {
        "link": conversation.link_url()
    }
    if conversation.action_id:
        description += "\n" + _("Action: %(text)s") % {"text": conversation.action.text}  # type: ignore[union-attr]
    event.add("description", description)
    if conversation.location:
        event.add("location", conversation.location)
    holder = conversation.held_by
    event.add("organizer", _address(holder.email, holder.name))
    event.add(
        "attendee",
        _address(
            conversation.employee_email,
            conversation.employee_name,
            role="REQ-PARTICIPANT",
            partstat="NEEDS-ACTION",
            rsvp="TRUE",
        ),
    )
    cancelled = method == "CANCEL" or conversation.status == ConversationStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def conversation_invite(conversation: Conversation, *, method: str = "REQUEST") -> bytes:
    with override(conversation.organisation.language):
        cal = _calendar(method)
        cal.add_component(_conversation_event(conversation, method=method))
    return cal.to_ical()


def _day_event(uid: str, day: Any, summary: str, description: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def member_feed(user: Any, language: str = "nl") -> bytes:
    with override(user.language or language):
        cal = _calendar()
        cal.add("x-wr-calname", "lerend")
        actions = (
            Action.objects.filter(owner=user, status__in=OPEN_STATUSES)
            .select_related("organisation")
            .only("public_id", "text", "due_date", "evaluation_date", "organisation__slug")[:2000]
        )
        for action in actions:
            link = f"{settings.SITE_URL}/o/{action.organisation.slug}/acties/{action.public_id}/"
            if action.due_date:
                cal.add_component(
                    _day_event(
                        f"action-{action.public_id}-due@lerend",
                        action.due_date,
                        _("Due: %(text)s") % {"text": action.text[:120]},
                        action.text + "\n" + link,
                    )
                )
            if action.evaluation_date:
                cal.add_component(
                    _day_event(
                        f"action-{action.public_id}-evaluation@lerend",
                        action.evaluation_date,
                        _("Evaluate: %(text)s") % {"text": action.text[:120]},
                        action.text + "\n" + link,
                    )
                )
        conversations = (
            Conversation.objects.filter(
                Q(held_by=user) | Q(employee=user), status=ConversationStatus.PLANNED
            )
            .select_related("held_by", "action", "organisation")
            .order_by("starts_at")[:500]
        )
        for conversation in conversations:
            cal.add_component(_conversation_event(conversation, method="PUBLISH"))
    return cal.to_ical()
