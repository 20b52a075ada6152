"""The learning-culture scan: questionnaires, campaigns, anonymous responses and counters.

What is stored about a respondent, and what is not
--------------------------------------------------
A `Response` holds the campaign, the team node it was given for and the day it was sent;
its key is a random UUID (an increasing number would tell the order of submission). Its
`Answer` rows hold the chosen options. No user, address, browser, token, client key or exact
time is stored with it. The invitation record (`ScanInvitation`) says only that it was used;
the idempotency record (`SubmissionReceipt`) holds a hash of the client's key and the day,
and neither points at the response. Free text ("Andere", open questions) is stored apart
(`FreeText`), per team node and question, without a link to the response either.

Reports never scan answers: `Counter` rows per (campaign, node, question, option) are
incremented in the submission's transaction, and `NodeAncestor` (the closure of the
campaign's team tree, snapshotted when the campaign is created) rolls them up.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import ANONYMITY_FLOOR, Organisation, Team

from .questionnaire import ScanQuestionnaire, load

if TYPE_CHECKING:
    from datetime import datetime

TOTAL = ""
"""The question key of the counter that counts respondents (with option TOTAL)."""


@lru_cache(maxsize=64)
def parse_content(data: str) -> ScanQuestionnaire:
    """Parsing a questionnaire costs more than a submission's queries: keep the last few
    (keyed by the content itself, so an edit is never served stale)."""
    return load(json.loads(data))


def random_pick() -> int:
    return secrets.randbelow(2**31)


def new_code() -> str:
    """An opaque code for a team link: 10 characters, no look-alikes."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class QuestionnaireQuerySet(models.QuerySet["Questionnaire"]):
    def visible_to(self, organisation: Organisation) -> QuestionnaireQuerySet:
        return self.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


class Questionnaire(models.Model):
    """A built-in questionnaire (no organisation) or an organisation's own."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scan_questionnaires",
    )
    slug = models.SlugField(max_length=80)
    title = models.CharField(_("title"), max_length=200)
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    current_version = models.ForeignKey(
        "QuestionnaireVersion", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = QuestionnaireQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(organisation__isnull=True),
                name="scan_questionnaire_builtin_slug_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="scan_questionnaire_org_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_builtin(self) -> bool:
        return self.organisation_id is None


class QuestionnaireVersion(models.Model):
    """One version's content. A version with responses is frozen: edits make a new one."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="scan_version_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    @cached_property
    def content(self) -> ScanQuestionnaire:
        return parse_content(json.dumps(self.data, sort_keys=True))

    @property
    def is_frozen(self) -> bool:
        return Response.objects.filter(campaign__questionnaire_version=self).exists()


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def of(self, organisation: Organisation) -> CampaignQuerySet:
        return self.filter(organisation=organisation)

    def open(self) -> CampaignQuerySet:
        now = timezone.now()
        return self.filter(state=CampaignState.OPEN).filter(
            Q(opens_at__isnull=True) | Q(opens_at__lte=now),
            Q(closes_at__isnull=True) | Q(closes_at__gt=now),
        )


class Campaign(models.Model):
    """A "meting": one questionnaire version asked of chosen teams between two dates."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="scan_campaigns"
    )
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=150)
    language = models.CharField(_("language"), max_length=8, default="nl")
    anonymity_minimum = models.PositiveSmallIntegerField(_("anonymity minimum"))
    state = models.CharField(max_length=8, choices=CampaignState.choices, default="draft")
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    reminder_days = models.PositiveSmallIntegerField(_("remind after (days)"), default=7)
    """Unused invitations get a reminder this many days after the last mail (0: never);
    see `scans.reminders`."""
    extra_questions = models.JSONField(default=list, blank=True)
    """Keys of questions lerend adds to the frozen version, marked as such (`scans.extras`)."""
    created_at = models.DateTimeField(default=timezone.now)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymity_minimum__gte=ANONYMITY_FLOOR),
                name="scan_campaign_anonymity_minimum_at_least_3",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def accepts_responses(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.state != CampaignState.OPEN:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return not (self.closes_at is not None and now >= self.closes_at)

    @cached_property
    def questionnaire(self) -> ScanQuestionnaire:
        """The frozen version, with lerend's additions appended (see `scans.extras`)."""
        from .extras import with_extras

        return with_extras(self.questionnaire_version.content, self.extra_questions, self.language)

    @property
    def uses_invitations(self) -> bool:
        return self.invitations.exists()


class CampaignNode(models.Model):
    """A node of the campaign's team tree, snapshotted at creation: the organisation (no
    team), the target teams and the departments above them. Targets get a link code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="nodes")
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, related_name="+")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, related_name="children")
    name = models.CharField(max_length=150)
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    """Pre-order position in the tree, for display."""
    is_target = models.BooleanField(default=False)
    code = models.CharField(max_length=16, unique=True, null=True, blank=True)
    """The team link's code (/s/<code>/); only target teams have one."""
    link_enabled = models.BooleanField(default=True)
    """Whether the open team link takes answers (off when the team answers only through
    single-use invitations or slips)."""
    link_used = models.BooleanField(default=False)
    """Set by the first answer through the open team link: the report marks the team."""

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(parent__isnull=True),
                name="scan_node_one_root_per_campaign",
            )
        ]

    def __str__(self) -> str:
        return self.name


class NodeAncestor(models.Model):
    """The closure of a campaign's tree: one row per (ancestor, descendant), self included."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    ancestor = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "descendant"], name="scan_closure_unique")
        ]
        indexes = [models.Index(fields=["campaign", "ancestor"], name="scan_closure_ancestor")]

    def __str__(self) -> str:
        return f"{self.ancestor_id} > {self.descendant_id}"


class ScanInvitation(models.Model):
    """An e-mail invitation with a single-use token; says only whether it was used."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(default=timezone.now)
    """When the invitation or its latest reminder was queued (for scheduled reminders)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email"], name="scan_invitation_one_per_address"
            )
        ]

    def __str__(self) -> str:
        return self.email


class Response(models.Model):
    """One respondent's answers: campaign, team node, day. Nothing that identifies them.

    `released` says the response is part of the figures reports show (see `scans.releases`);
    `superseded` that the same device answered again: it stays in the released figures until
    its node's next release, which deletes it. `device_hash` is a keyed hash of the answer
    page's device key (HMAC with the server's secret, per campaign), so that a second visit
    replaces the answers instead of adding a response; it is cleared when the campaign closes.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField()
    released = models.BooleanField(default=False)
    superseded = models.BooleanField(default=False)
    device_hash = models.CharField(max_length=64, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "device_hash"],
                condition=Q(device_hash__isnull=False),
                name="scan_response_one_per_device",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "released", "node"], name="scan_response_release")
        ]

    def __str__(self) -> str:
        return f"response to {self.campaign_id}"


class Answer(models.Model):
    """One chosen option (or scale value) of one question in one response. A random key:
    an increasing number would tell the order of submission."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)
    option = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["question", "option"], name="scan_answer_q_option")]

    def __str__(self) -> str:
        return f"{self.question}={self.option}"


class Counter(models.Model):
    """Respondents per (campaign, node, question, option), for the node itself only: the
    live figures, which no report reads (reports read `ReleasedCounter`).

    (question, option) = (TOTAL, TOTAL) counts respondents; (key, TOTAL) counts those who
    answered the question; (key, option) those who chose the option. A random key: an
    increasing one would tell in which order options were first chosen.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=40, blank=True)
    option = models.CharField(max_length=40, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "node", "question", "option"], name="scan_counter_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}={self.option}: {self.n}"


class ReleasedCounter(models.Model):
    """The counters of a node as of its last release: what every report, export, trend and
    presenter screen reads while the campaign is open (and, after the final release, once it
    has closed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=40, blank=True)
    option = models.CharField(max_length=40, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "node", "question", "option"], name="scan_released_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}={self.option}: {self.n}"


class NodeRelease(models.Model):
    """When a node's figures were last released (a day, shown as "figures of ...")."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    node = models.OneToOneField(CampaignNode, on_delete=models.CASCADE, related_name="release")
    released_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.node_id}: {self.released_on}"


class FreeText(models.Model):
    """An "Andere" or open-text answer, per node and question; shown shuffled. Written from
    the pool (`FreeTextPool`) in shuffled batches, so neither key nor row order follows the
    order of submission."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=40)
    text = models.TextField(max_length=1000)
    pick = models.PositiveIntegerField(default=random_pick)
    """A random number: a report shows the texts with the lowest, so that it draws a random
    sample through an index instead of sorting every text."""

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "question", "pick"], name="scan_text_pick"),
            models.Index(fields=["node", "question", "pick"], name="scan_text_node_pick"),
        ]

    def __str__(self) -> str:
        return self.question


class FreeTextPool(models.Model):
    """Free texts waiting to be written to `FreeText`: no response, no time. `ready` once
    their node's figures were released; flushed in a shuffled batch when at least the
    campaign's minimum are ready, or when the campaign closes. Kept in the database, so a
    restart loses nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=40)
    text = models.TextField(max_length=1000)
    ready = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["campaign", "ready"], name="scan_pool_ready")]

    def __str__(self) -> str:
        return self.question


class SubmissionReceipt(models.Model):
    """A submission's client key (hashed), so that a replay stores nothing new. A random
    key and the day only: neither tells the order of submission."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)
    submitted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key_hash"], name="scan_receipt_key")
        ]

    def __str__(self) -> str:
        return self.key_hash[:8]


class ScanSlip(models.Model):
    """A single-use code printed on a paper slip (a QR per person), for a team without
    e-mail: like an invitation, it says only whether it was used."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="slips")
    node = models.ForeignKey(CampaignNode, on_delete=models.CASCADE, related_name="slips")
    token_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "slip"
