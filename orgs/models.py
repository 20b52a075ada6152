from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ANONYMITY_FLOOR = 3
"""No organisation may set its anonymity minimum below this."""


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    FACILITATOR = "facilitator", _("Facilitator")
    MEMBER = "member", _("Member")


ROLE_RANK = {Role.MEMBER: 1, Role.FACILITATOR: 2, Role.ADMIN: 3}


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(_("short name in addresses"), max_length=60, unique=True)
    language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    anonymity_minimum = models.PositiveSmallIntegerField(
        _("anonymity minimum"),
        default=5,
        validators=[MinValueValidator(ANONYMITY_FLOOR), MaxValueValidator(1000)],
        help_text=_("Results of a group with fewer respondents are never shown."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonymity_minimum__gte=ANONYMITY_FLOOR),
                name="organisation_anonymity_minimum_at_least_3",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team or department; teams form a tree through `parent`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teams")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=150)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Team]:
        """From the parent up to the root."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class MembershipQuerySet(models.QuerySet["Membership"]):
    def admins(self) -> MembershipQuerySet:
        return self.filter(role=Role.ADMIN)


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    teams = models.ManyToManyField(Team, blank=True, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_one_per_user_and_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


def hash_invitation_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use, expiring invitation to join an organisation with a role."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @staticmethod
    def new_key() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class AuditEvent(models.Model):
    """Who did what to whom, in an organisation. Never holds survey answers."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    target_label = models.CharField(max_length=254, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
