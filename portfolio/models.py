"""A private learning portfolio that belongs to a person, not to an organisation.

Nothing here points at an organisation except a conversation's origin (which manager's
questionnaire it answers); leaving an organisation changes nothing in the portfolio.
Every row belongs to `owner` and goes when the owner's account goes (CASCADE).
"""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS, kind_choices
from .storage import private_storage

TEXT_MAX = 10_000
TITLE_MAX = 200
SHARE_DAYS_DEFAULT = 30
SHARE_DAYS_MAX = 365


class ActivityType(models.TextChoices):
    FORMAL = "formal", _("Formal (a course or training with a certificate)")
    NON_FORMAL = "non_formal", _("Non-formal (a workshop, a seminar, an online course)")
    INFORMAL = "informal", _("Informal (a book, a podcast, learning from a colleague)")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Reached")
    DROPPED = "dropped", _("Dropped")


def certificate_path(instance: Entry, filename: str) -> str:
    # The stored name says nothing about the person or the file's original name.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.owner_id}/{uuid.uuid4().hex}.{extension}"


class EntryQuerySet(models.QuerySet["Entry"]):
    def search(self, query: str) -> EntryQuerySet:
        # Control characters and lone surrogates cannot be in a stored text (and NUL
        # breaks PostgreSQL): drop them from the query instead of failing.
        query = "".join(c for c in str(query) if unicodedata.category(c) not in ("Cc", "Cs"))
        query = query.strip().lower()
        if not query:
            return self
        return self.filter(search_text__contains=query)


class Entry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_entries"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=kind_choices())
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    activity_type = models.CharField(
        _("kind of learning"), max_length=16, choices=ActivityType.choices, blank=True
    )
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, null=True, blank=True)
    certificate = models.FileField(
        _("certificate"), storage=private_storage, upload_to=certificate_path, blank=True
    )
    certificate_type = models.CharField(max_length=40, blank=True)
    first_step = models.TextField(_("first step"), blank=True)
    due_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    # Lower-cased title and texts, for the owner's own search.
    search_text = models.TextField(blank=True, editable=False)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portfolio entry")
        verbose_name_plural = _("portfolio entries")
        indexes = [models.Index(fields=["owner", "kind", "-created_at"], name="entry_owner_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="entry_idempotency_once",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_info(self):  # type: ignore[no-untyped-def]
        return KINDS[self.kind]

    @property
    def date(self):  # type: ignore[no-untyped-def]
        return self.occurred_on or self.created_at.date()

    def answer_pairs(self) -> list[tuple[str, str]]:
        """(question, answer) in the kind's order, answered questions only."""
        answers = self.answers or {}
        return [
            (str(prompt.question), answers[prompt.key])
            for prompt in self.kind_info.prompts
            if answers.get(prompt.key)
        ]

    def build_search_text(self) -> str:
        parts = [self.title, self.first_step, *[str(v) for v in (self.answers or {}).values()]]
        return "\n".join(p for p in parts if p).lower()


class Conversation(models.Model):
    """Preparing a career or follow-up conversation, optionally on a manager's questionnaire."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_conversations"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    # The manager who sent the questionnaire; answers are shared with that person only.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_by_label = models.CharField(max_length=254, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    questions = models.JSONField(default=list, blank=True)
    answers = models.JSONField(default=list, blank=True)
    entries = models.ManyToManyField(Entry, blank=True, related_name="conversations")
    planned_on = models.DateField(_("date of the conversation"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.title

    def question_pairs(self) -> list[tuple[str, str]]:
        answers = list(self.answers or [])
        return [
            (question, answers[i] if i < len(answers) else "")
            for i, question in enumerate(self.questions or [])
        ]


def hash_share_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


class ShareTarget(models.TextChoices):
    ENTRY = "entry", _("One entry")
    SUMMARY = "summary", _("A summary")
    CONVERSATION = "conversation", _("A prepared conversation")


class ShareQuerySet(models.QuerySet["Share"]):
    def live(self) -> ShareQuerySet:
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def default_share_expiry():  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(days=SHARE_DAYS_DEFAULT)


class Share(models.Model):
    """A read-only link to a chosen part of the portfolio, for one person, until it expires.

    Only the SHA-256 of the link's token is stored (see services.share_token).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portfolio_shares"
    )
    target = models.CharField(max_length=16, choices=ShareTarget.choices)
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    recipient = models.CharField(_("shared with"), max_length=150)
    # When set, only this person (logged in) can open the link: a conversation's manager.
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    salt = models.CharField(max_length=32, editable=False)
    expires_at = models.DateTimeField(default=default_share_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="share_idempotency_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_target_display()} → {self.recipient}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def what_label(self) -> str:
        if self.entry_id and self.entry is not None:
            return self.entry.title
        if self.conversation_id and self.conversation is not None:
            return self.conversation.title
        return str(self.get_target_display())


class ShareEvent(models.Model):
    """The portfolio's audit log: a share was created, revoked or viewed. Never content."""

    class Action(models.TextChoices):
        CREATED = "created", _("Share created")
        REVOKED = "revoked", _("Share revoked")
        VIEWED = "viewed", _("Share viewed")

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("share event")
        verbose_name_plural = _("share events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
