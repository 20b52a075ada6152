"""The register of actions of an organisation, their history, reminders and follow-up talks.

An `Action` is an agreement (a collective action point, owned by a member or a free-text
name) or a personal action (one participant's own). Personal actions stay the
participant's: the organisation sees them only when they were shared (an address left or
the name shown), and then only the facilitator of their session does. A participant who
left an address reaches their action through a private link: the token is derived from the
site's secret and a per-action salt (so the reminder e-mail can carry it again); only its
hash is stored, and a new salt revokes it.

`Reminder` rows make every reminder exactly-once: a row is inserted (unique per action or
owner, kind and day) before the e-mail is queued, and only the tick that inserted it sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from orgs.models import Organisation, Team

TEXT_MAX_LENGTH = 500
NOTE_MAX_LENGTH = 2000
LINK_VALID_DAYS = 365
"""A personal action's private link works this long after it was made (or last renewed)."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def new_salt() -> str:
    return secrets.token_urlsafe(16)


def derive_token(prefix: str, purpose: str, salt: str) -> str:
    """An unguessable token that can be derived again from the secret key and the salt."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{salt}".encode(), hashlib.sha256
    ).digest()
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Theme(models.TextChoices):
    BUDGET = "budget", _("Budget and flexibility")
    TIME = "time", _("Time and workload")
    SECURING = "securing", _("Securing what was learned")
    ROUTE = "route", _("Learning route")
    OTHER = "other", pgettext_lazy("theme", "Other")


class Kind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement")
    PERSONAL = "personal", _("Personal action")


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)


class Source(models.TextChoices):
    MANUAL = "manual", _("Made by hand")
    SESSION = "session", _("Live session")
    SCAN = "scan", _("Scan")
    CHECKLIST = "checklist", _("Checklist")
    CONVERSATION = "conversation", _("Follow-up conversation")


class ActionQuerySet(models.QuerySet["Action"]):
    def agreements(self) -> ActionQuerySet:
        return self.filter(kind=Kind.AGREEMENT)

    def personal(self) -> ActionQuerySet:
        return self.filter(kind=Kind.PERSONAL)

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def of(self, organisation: Organisation) -> ActionQuerySet:
        return self.filter(organisation=organisation)


class Action(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.AGREEMENT)
    text = models.CharField(_("action"), max_length=TEXT_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner"),
    )
    owner_name = models.CharField(_("owner (name)"), max_length=150, blank=True)
    """A free-text owner, for someone without an account."""
    first_step = models.CharField(_("first step"), max_length=TEXT_MAX_LENGTH, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices, default=Theme.OTHER)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    # Where it came from.
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    session = models.ForeignKey(
        "workshops.LiveSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    step_id = models.CharField(max_length=12, blank=True)
    action_point = models.OneToOneField(
        "workshops.ActionPoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_action",
    )
    personal_action = models.OneToOneField(
        "workshops.PersonalAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="register_action",
    )
    checklist_item = models.CharField(max_length=64, blank=True)
    campaign = models.ForeignKey(
        "scans.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question_key = models.CharField(max_length=64, blank=True)
    # Personal actions: how the participant can be reached, and whether they are shown.
    contact_email = models.EmailField(blank=True)
    participant_name = models.CharField(max_length=60, blank=True)
    shared = models.BooleanField(default=False)
    """A personal action the participant shared (address left or name shown)."""
    reminders_off = models.BooleanField(default=False)
    """The participant unsubscribed from this action's reminders."""
    link_salt = models.CharField(max_length=32, blank=True)
    link_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_actions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    client_key = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "created_at", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "client_key"],
                condition=Q(client_key__isnull=False),
                name="action_client_key_unique",
            ),
            models.UniqueConstraint(
                fields=["session", "step_id", "checklist_item"],
                condition=Q(source="checklist"),
                name="action_one_per_checklist_item",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["agreement", "personal"]), name="action_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "kind", "status"], name="action_org_kind_status"),
            models.Index(fields=["organisation", "due_date"], name="action_org_due"),
            models.Index(fields=["owner", "status"], name="action_owner_status"),
            models.Index(fields=["campaign", "question_key"], name="action_campaign_question"),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_date is not None and self.due_date < today

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.display_name  # type: ignore[union-attr]
        return self.owner_name

    @property
    def evaluation_before_due(self) -> bool:
        return bool(self.due_date and self.evaluation_date and self.evaluation_date < self.due_date)

    # The private link of a personal action.
    def link_token(self) -> str:
        return derive_token("lma_", f"action-link:{self.public_id}", self.link_salt)

    def issue_link(self, *, now: Any = None) -> str:
        """A new private link (the old one stops working); returns the raw token."""
        self.link_salt = new_salt()
        raw = self.link_token()
        self.link_hash = hash_token(raw)
        self.link_expires_at = (now or timezone.now()) + timedelta(days=LINK_VALID_DAYS)
        return raw

    def link_url(self) -> str:
        return f"{settings.SITE_URL}/a/{self.link_token()}/"

    @property
    def has_link(self) -> bool:
        return bool(self.link_hash) and (
            self.link_expires_at is None or self.link_expires_at > timezone.now()
        )


class EventKind(models.TextChoices):
    CREATED = "created", _("Made")
    NOTE = "note", _("Progress note")
    STATUS = "status", _("Status changed")
    UPDATED = "updated", _("Changed")
    CLAIMED = "claimed", _("Added to a portfolio")


class ActionEvent(models.Model):
    """One line of an action's history: who, when, what."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    via = models.CharField(max_length=16, blank=True)
    """"web", "api", "link" (the private link), "session", "migration"."""
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    session = models.ForeignKey(
        "workshops.LiveSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    """The live session (an `action_review` step) the change was made in."""
    step_id = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.kind}"

    @property
    def old_status_label(self) -> str:
        return str(Status(self.old_status).label) if self.old_status in Status.values else ""

    @property
    def new_status_label(self) -> str:
        return str(Status(self.new_status).label) if self.new_status in Status.values else ""


class Review(models.Model):
    """An agreement picked for review in a live session's `action_review` step."""

    session = models.ForeignKey("workshops.LiveSession", on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=12)
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reviews")
    position = models.PositiveSmallIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "step_id", "action"], name="actions_review_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.step_id}: {self.action_id}"


class ReminderKind(models.TextChoices):
    DIGEST = "digest", _("Daily digest")
    DUE = "due", _("Due-date reminder")


class Reminder(models.Model):
    """A reminder that was (or is being) sent: recorded before it is queued."""

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    day = models.DateField()
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tick = models.UUIDField()
    """The tick that inserted the row: only that tick queues the e-mail."""
    items = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "day"],
                condition=Q(action__isnull=False),
                name="reminder_once_per_action_kind_day",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "day"],
                condition=Q(user__isnull=False),
                name="reminder_once_per_user_kind_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"


class OwnerSettings(models.Model):
    """Per person: the digest switch and the private calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="action_settings"
    )
    digest = models.BooleanField(_("daily digest"), default=True)
    feed_salt = models.CharField(max_length=32, blank=True)
    feed_hash = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"settings of {self.user_id}"

    def feed_token(self) -> str:
        return derive_token("lmf_", f"feed:{self.user_id}", self.feed_salt)

    def feed_url(self) -> str:
        return f"{settings.SITE_URL}/acties/agenda/{self.feed_token()}.ics"


class ConversationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


DEFAULT_OFFER_URL = "https://www.elanplus.be"


class Conversation(models.Model):
    """A one-on-one follow-up conversation (opvolggesprek)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    session = models.ForeignKey(
        "workshops.LiveSession", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employee_name = models.CharField(_("employee"), max_length=150, blank=True)
    employee_email = models.EmailField(_("employee's e-mail address"))
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    location = models.CharField(_("place"), max_length=200, blank=True)
    offer_url = models.URLField(_("learning offer"), max_length=300, default=DEFAULT_OFFER_URL)
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.PLANNED
    )
    sequence = models.PositiveIntegerField(default=0)
    """The iCalendar SEQUENCE: raised on every change that is sent."""
    answers = models.JSONField(default=dict, blank=True)
    link_salt = models.CharField(max_length=32, blank=True)
    link_hash = models.CharField(max_length=64, blank=True, db_index=True)
    client_key = models.CharField(max_length=100, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "client_key"],
                condition=Q(client_key__isnull=False),
                name="conversation_client_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee_name or self.employee_email} {self.starts_at:%Y-%m-%d}"

    @property
    def uid(self) -> str:
        return f"conversation-{self.public_id}@lerend"

    @property
    def ends_at(self) -> Any:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    def link_token(self) -> str:
        return derive_token("lmg_", f"conversation:{self.public_id}", self.link_salt)

    def issue_link(self) -> str:
        self.link_salt = new_salt()
        raw = self.link_token()
        self.link_hash = hash_token(raw)
        return raw

    def link_url(self) -> str:
        return f"{settings.SITE_URL}/g/{self.link_token()}/"

    @property
    def employee_label(self) -> str:
        return self.employee_name or self.employee_email
