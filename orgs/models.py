from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
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
    # How many people the team has, set by an admin. A scan never accepts more responses
    # for a team than this; the training figures divide by `fte`. Unknown when empty.
    headcount = models.PositiveIntegerField(_("headcount"), null=True, blank=True)
    fte = models.DecimalField(
        _("full-time equivalents"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            # Sibling teams have different names (ignoring case); roots need their own
            # constraint because NULL parents never collide in a unique index.
            models.UniqueConstraint(
                "organisation", "parent", Lower("name"), name="team_unique_name_among_siblings"
            ),
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                condition=models.Q(parent__isnull=True),
                name="team_unique_name_among_roots",
            ),
        ]

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


@dataclass
class TeamNode:
    team: Team
    depth: int
    children: list[TeamNode] = field(default_factory=list)


def team_tree(teams: Iterable[Team]) -> list[TeamNode]:
    """Arrange one organisation's teams as a forest, siblings sorted by name."""
    nodes = {team.pk: TeamNode(team, 0) for team in teams}
    roots: list[TeamNode] = []
    for node in sorted(nodes.values(), key=lambda n: n.team.name.casefold()):
        parent = nodes.get(node.team.parent_id)  # type: ignore[arg-type]
        (parent.children if parent else roots).append(node)

    def set_depth(branch: list[TeamNode], depth: int) -> None:
        for node in branch:
            node.depth = depth
            set_depth(node.children, depth + 1)

    set_depth(roots, 0)
    return roots


def flatten_tree(branch: list[TeamNode]) -> list[TeamNode]:
    """Depth-first: each team followed by its sub-teams."""
    flat: list[TeamNode] = []
    for node in branch:
        flat.append(node)
        flat.extend(flatten_tree(node.children))
    return flat


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
        constraints = [
            # A new invitation to the same address revokes the open one first.
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_address",
            )
        ]

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


def accept_url_for(raw_key: str) -> str:
    """The link in the invitation e-mail; only the key's hash is stored, so it is built once."""
    return f"{settings.SITE_URL}/o/invitations/{raw_key}/"


AUDIT_ACTIONS = {
    "organisation.created": _("Organisation created"),
    "organisation.updated": _("Organisation settings changed"),
    "invitation.created": _("Invitation sent"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.accepted": _("Invitation accepted"),
    "member.role_changed": _("Role changed"),
    "member.removed": _("Member removed"),
    "member.teams_changed": _("Teams of a member changed"),
    "team.created": _("Team created"),
    "team.updated": _("Team changed"),
    "team.deleted": _("Team deleted"),
    "format.created": _("Workshop format created"),
    "format.copied": _("Workshop format copied"),
    "format.version_saved": _("Workshop format changed"),
    "scan.questionnaire_created": _("Questionnaire created"),
    "scan.questionnaire_edited": _("Questionnaire changed"),
    "scan.campaign_created": _("Scan created"),
    "scan.campaign_opened": _("Scan opened"),
    "scan.campaign_closed": _("Scan closed"),
    "scan.team_link_changed": _("Scan team link opened or closed"),
    "scan.slips_printed": _("Scan answer slips printed"),
    "scan.invitations_sent": _("Scan invitations sent"),
    "scan.reminders_sent": _("Scan reminders sent"),
    "learning.settings_changed": _("Learning settings changed"),
    "learning.offer_created": _("Offer item created"),
    "learning.offer_changed": _("Offer item changed"),
    "learning.offer_deleted": _("Offer item deleted"),
    "learning.route_changed": _("Learning route changed"),
    "learning.budget_saved": _("Learning budget saved"),
    "learning.trainings_imported": _("Trainings imported"),
    "learning.untrained_viewed": _("List of people without training viewed"),
    "learning.untrained_exported": _("List of people without training exported"),
    "learning.plan_created": _("Training plan created"),
    "learning.plan_changed": _("Training plan changed"),
    "scan.reminder_days_set": _("Scan reminder schedule changed"),
}

AUDIT_DATA_LABELS = {
    "name": _("name"),
    "slug": _("short name"),
    "language": _("language"),
    "anonymity_minimum": _("anonymity minimum"),
    "role": _("role"),
    "old": _("from"),
    "new": _("to"),
    "parent": _("part of"),
    "added": _("added"),
    "removed": _("removed"),
    "replaced": _("replaced invitations"),
    "members": _("members"),
    "team": _("team"),
    "teams": _("teams"),
    "count": _("number"),
    "version": _("version"),
    "based_on": _("copied from"),
    "based_on_version": _("version copied"),
    "planned": _("planned"),
    "used": _("used"),
    "training_right": _("training right"),
    "headcount": _("headcount"),
    "fte": _("full-time equivalents"),
    "days": _("days"),
    "scheduled": _("on schedule"),
}


def _audit_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_audit_value(item) for item in value) or "—"
    if isinstance(value, str) and value in Role.values:
        return str(Role(value).label)
    return "—" if value in ("", None) else str(value)


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
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="audit_org_newest_first")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    @property
    def action_label(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))

    @property
    def details(self) -> str:
        """The data as one readable line: "role: Member; name: A → B"."""
        parts = []
        # PostgreSQL's jsonb does not keep the order of keys: show them in the order of
        # AUDIT_DATA_LABELS ("from" before "to"), unknown keys after, alphabetically.
        known = list(AUDIT_DATA_LABELS)
        items = sorted(
            (self.data or {}).items(),
            key=lambda item: (known.index(item[0]) if item[0] in known else len(known), item[0]),
        )
        for key, value in items:
            if key == "changes" and isinstance(value, dict):
                for field, pair in value.items():
                    old, new = pair if isinstance(pair, list) and len(pair) == 2 else ("", pair)
                    label = AUDIT_DATA_LABELS.get(field, field)
                    parts.append(f"{label}: {_audit_value(old)} → {_audit_value(new)}")
            else:
                parts.append(f"{AUDIT_DATA_LABELS.get(key, key)}: {_audit_value(value)}")
        return "; ".join(parts)
