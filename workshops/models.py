"""Live workshop sessions and everything participants contribute to them.

A `LiveSession` runs one version of a format (its content is copied into the session, so
editing the format later does not change a running or finished session). Participants
join with the session's code and get an opaque token (only its hash is stored). Steps are
addressed by a step id derived from the session and the step's position, so the step id of
one session means nothing in another.

Every contribution (note, vote, action, group summary) carries a client key (UUID) that is
unique per session and participant: a replayed request finds the first result and stores
nothing new. Votes and personal actions are append-only, the latest (`is_current`) counts.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from formats import schema
from orgs.models import Organisation

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join codes avoid characters that are easy to confuse: no 0/O, 1/I/L."""
CODE_LENGTH = 6
NOTE_MAX_LENGTH = 500
ACTION_MAX_LENGTH = 500
SUMMARY_MAX_LENGTH = 5000
RECAP_MAX_LENGTH = 20000
IDLE_HOURS = 24
PRESENT_MINUTES = 5
"""A participant whose screen asked for anything this recently counts as present."""
DEFAULT_RETENTION_DAYS = 365
PARTICIPANT_TOKEN_PREFIX = "lpt_"  # noqa: S105 - a prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_participant_token() -> str:
    return PARTICIPANT_TOKEN_PREFIX + secrets.token_urlsafe(24)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(raw: str) -> str:
    """What people type, in capitals without spaces or dashes: "abc 234" is "ABC234"."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())[:20]


def new_seed() -> int:
    return secrets.randbelow(2**31)


class Status(models.TextChoices):
    LOBBY = "lobby", _("Waiting for participants")
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


@dataclass(frozen=True)
class StepRef:
    """One step of the session's format, with its place and its session-bound id."""

    index: int
    phase_index: int
    step_index: int
    id: str
    step: Any
    phase: schema.Phase

    @property
    def kind(self) -> str:
        return str(self.step.kind)


_PARSED_MAX = 512
_parsed: dict[uuid.UUID, schema.Format] = {}
_parsed_lock = threading.Lock()


def _parsed_format(public_id: uuid.UUID, content: Any) -> schema.Format:
    """A session's content, parsed once per process: it is a snapshot that never changes,
    and validating it costs milliseconds, which every join and request would pay again."""
    found = _parsed.get(public_id)
    if found is None:
        found = schema.Format.model_validate(content)
        with _parsed_lock:
            if len(_parsed) >= _PARSED_MAX:
                _parsed.pop(next(iter(_parsed)))
            _parsed[public_id] = found
    return found


class LiveSessionQuerySet(models.QuerySet["LiveSession"]):
    def open(self) -> LiveSessionQuerySet:
        return self.exclude(status=Status.ENDED)


class LiveSession(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="live_sessions"
    )
    format = models.ForeignKey(
        "formats.Format", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    format_version = models.ForeignKey(
        "formats.FormatVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    planned_on = models.DateField(_("date"), null=True, blank=True)
    """The day the facilitator gave when starting the session (its summary's date)."""
    content = models.JSONField(_("format content"))
    """A snapshot of the format version's content at the start."""
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    code = models.CharField(_("join code"), max_length=CODE_LENGTH)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LOBBY)
    current_step = models.IntegerField(default=-1)
    """Index into the flat list of steps; -1 while people join."""
    current_item = models.PositiveSmallIntegerField(default=0)
    """The discussion item or world-café round shown now."""
    shown_action = models.ForeignKey(
        "PersonalAction", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scribe = models.ForeignKey(
        "Participant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    """A participant who takes the notes of discussions with the facilitator."""
    hands_up = models.BooleanField(default=False)
    """The presenter screen shows the statement poll as "hands up" instead of live bars."""
    scan_campaign = models.ForeignKey(
        "scans.Campaign", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    """The learning-culture scan this session discusses ("Bespreek deze resultaten")."""
    show_scan = models.BooleanField(default=False)
    """The presenter screen shows the scan's results."""
    scan_question = models.PositiveSmallIntegerField(default=0)
    """Which of the scan's questions the presenter screen shows (0-based)."""
    step_started_at = models.DateTimeField(null=True, blank=True)
    timer_deadline = models.DateTimeField(null=True, blank=True)
    timer_remaining = models.PositiveIntegerField(null=True, blank=True)
    """Seconds left while the timer is paused."""
    group_seed = models.BigIntegerField(default=new_seed)
    participant_counter = models.PositiveIntegerField(default=0)
    last_event_seq = models.PositiveBigIntegerField(default=0)
    retention_days = models.PositiveIntegerField(default=DEFAULT_RETENTION_DAYS)
    summary = models.JSONField(null=True, blank=True)
    """The summary, frozen when contributions are deleted after the retention period."""
    recap = models.TextField(_("summary"), max_length=RECAP_MAX_LENGTH, blank=True)
    """The facilitator's own summary (Markdown), shown at the top of the session's summary."""
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = LiveSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=~Q(status="ended"),
                name="live_session_code_unique_while_open",
            )
        ]
        indexes = [models.Index(fields=["code", "status"], name="live_session_code_status")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def format_content(self) -> schema.Format:
        cached = getattr(self, "_format_content", None) or _parsed.get(self.public_id)
        if cached is None:
            # `content` may be deferred (loaded with a participant): read only when parsing.
            cached = _parsed_format(self.public_id, self.content)
        self._format_content = cached
        return cached

    def step_id(self, phase_index: int, step_index: int) -> str:
        raw = f"{self.public_id}:{phase_index}:{step_index}".encode()
        return hashlib.sha256(raw).hexdigest()[:12]

    def steps(self) -> list[StepRef]:
        cached = getattr(self, "_steps", None)
        if cached is None:
            fmt = self.format_content
            cached = [
                StepRef(i, p, s, self.step_id(p, s), step, fmt.phases[p])
                for i, (p, s, step) in enumerate(fmt.steps())
            ]
            self._steps = cached
        return cached

    def step_by_id(self, step_id: str) -> StepRef | None:
        return next((ref for ref in self.steps() if ref.id == step_id), None)

    def step_by_key(self, key: str) -> StepRef | None:
        return next((ref for ref in self.steps() if ref.step.key == key), None)

    @property
    def current(self) -> StepRef | None:
        steps = self.steps()
        if 0 <= self.current_step < len(steps):
            return steps[self.current_step]
        return None

    @property
    def is_open(self) -> bool:
        return self.status != Status.ENDED

    @property
    def is_idle(self) -> bool:
        return self.last_activity_at < timezone.now() - timedelta(hours=IDLE_HOURS)

    def timer_seconds_left(self) -> int | None:
        if self.timer_remaining is not None:
            return self.timer_remaining
        if self.timer_deadline is None:
            return None
        return max(0, int((self.timer_deadline - timezone.now()).total_seconds()))

    def channel(self, audience: str = "all") -> str:
        """The hub channel for "all", "facilitator" or "p:<participant id>".

        Keyed by the public id: a join code is free again once the session has ended."""
        if audience == "all":
            return f"session:{self.public_id}"
        return f"session:{self.public_id}:{audience}"


class Participant(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    public_id = models.CharField(max_length=22, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    number = models.PositiveIntegerField()
    name = models.CharField(_("display name"), max_length=60, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], name="participant_number_unique_per_session"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @staticmethod
    def new_public_id() -> str:
        return secrets.token_urlsafe(12)

    def seen(self) -> None:
        """Note that the participant's screen is open (at most one write a minute)."""
        now = timezone.now()
        if now - self.last_seen_at > timedelta(seconds=60):
            Participant.objects.filter(pk=self.pk).update(last_seen_at=now)
            self.last_seen_at = now

    @property
    def is_present(self) -> bool:
        return timezone.now() - self.last_seen_at < timedelta(minutes=PRESENT_MINUTES)

    @property
    def display_name(self) -> str:
        return self.name or str(_("Participant %(number)s") % {"number": self.number})

    @property
    def audience(self) -> str:
        return f"p:{self.public_id}"


class SessionEvent(models.Model):
    """An event as sent to the screens, stored in the transaction of the change it reports."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    channel = models.CharField(max_length=40)
    """"all", "facilitator" or "p:<participant public id>"."""
    event = models.CharField(max_length=40)
    data = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="session_event_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.event}"


def _key_constraints(name: str) -> list[models.BaseConstraint]:
    """A client key once per participant (or once for the facilitators) in a session. The
    key leads the index: the writer looks a batch's keys up in one query
    (`key IN (...)`), a probe per key, not a scan of the session's rows."""
    return [
        models.UniqueConstraint(
            fields=["key", "session", "participant"],
            condition=Q(participant__isnull=False),
            name=f"{name}_key_unique_per_participant",
        ),
        models.UniqueConstraint(
            fields=["key", "session"],
            condition=Q(participant__isnull=True),
            name=f"{name}_key_unique_for_facilitator",
        ),
    ]


class Contribution(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="+")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    """Empty when the facilitator (or a co-facilitator) wrote it."""
    key = models.UUIDField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class Group(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="groups")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    step_id = models.CharField(max_length=12)
    number = models.PositiveSmallIntegerField()
    question = models.PositiveSmallIntegerField(null=True, blank=True)
    """The index of the group's question (groups steps) or instructions (experiments)."""
    members = models.ManyToManyField(Participant, through="GroupMembership", related_name="+")

    class Meta:
        ordering = ["step_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "step_id", "number"], name="group_number_unique_per_step"
            )
        ]

    def __str__(self) -> str:
        return str(_("Group %(number)s") % {"number": self.number})


class GroupMembership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    step_id = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "step_id"], name="one_group_per_participant_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} in {self.group_id}"


class Note(Contribution):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    step_id = models.CharField(max_length=12)
    question = models.PositiveSmallIntegerField(default=0)
    group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True)
    round = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=NOTE_MAX_LENGTH)
    hidden = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = _key_constraints("note")
        indexes = [models.Index(fields=["session", "step_id", "question"], name="note_by_step")]

    def __str__(self) -> str:
        return self.text[:60]


class Vote(Contribution):
    step_id = models.CharField(max_length=12)
    item = models.CharField(max_length=40, default="", blank=True)
    """Which statement of the step (an experiment's poll index, a checklist item key)."""
    choice = models.CharField(max_length=40)
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            *_key_constraints("vote"),
            models.UniqueConstraint(
                fields=["participant", "step_id", "item"],
                condition=Q(is_current=True),
                name="vote_one_current_per_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_id} {self.item} {self.choice}"


class GroupSummary(Contribution):
    """One write of a group's summary; the newest is the summary, the rest its history."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="summaries")
    question = models.PositiveSmallIntegerField(null=True, blank=True)
    """For world-café summaries: the question the group stood at."""
    text = models.TextField(max_length=SUMMARY_MAX_LENGTH)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = _key_constraints("group_summary")

    def __str__(self) -> str:
        return self.text[:60]


class RotationSchedule(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="rotations")
    step_id = models.CharField(max_length=12)
    groups = models.PositiveSmallIntegerField()
    questions = models.PositiveSmallIntegerField()
    moves = models.PositiveSmallIntegerField()
    minutes_per_round = models.PositiveSmallIntegerField()
    schedule = models.JSONField()
    """schedule[round][group] = question index."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "step_id"], name="one_rotation_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.groups} groups x {self.questions} questions"


class PersonalAction(Contribution):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    step_id = models.CharField(max_length=12)
    text = models.CharField(max_length=ACTION_MAX_LENGTH)
    email = models.EmailField(blank=True)
    show_name = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True, default="")
    """The language the participant's phone was in when they wrote the action: the summary
    and the reminder mailed to its address are written in it (else the organisation's)."""
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            *_key_constraints("personal_action"),
            models.UniqueConstraint(
                fields=["participant", "step_id"],
                condition=Q(is_current=True),
                name="personal_action_one_current",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class ActionPoint(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="action_points")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    step_id = models.CharField(max_length=12)
    key = models.UUIDField()
    text = models.CharField(_("agreement"), max_length=500)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    first_step = models.CharField(_("first step"), max_length=500, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    evaluation_date = models.DateField(_("evaluation date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "key"], name="action_point_key_unique")
        ]

    def __str__(self) -> str:
        return self.text[:60]


def photo_path(instance: Photo, filename: str) -> str:
    return f"workshops/{instance.session.public_id}/{instance.public_id}.{instance.extension}"


class Photo(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="photos")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    step_id = models.CharField(max_length=12, blank=True)
    image = models.FileField(upload_to=photo_path)
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def extension(self) -> str:
        return {"image/png": "png", "image/webp": "webp"}.get(self.content_type, "jpg")


class PhaseTiming(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="timings")
    phase_index = models.PositiveSmallIntegerField()
    planned_low = models.PositiveIntegerField(null=True, blank=True)
    planned_high = models.PositiveIntegerField(null=True, blank=True)
    seconds = models.PositiveIntegerField(default=0)
    """Real time spent in the phase, added up over every visit."""
    entered_at = models.DateTimeField(null=True, blank=True)
    """When the phase became current (empty while it is not)."""

    class Meta:
        ordering = ["phase_index"]
        constraints = [
            models.UniqueConstraint(fields=["session", "phase_index"], name="one_timing_per_phase")
        ]

    def __str__(self) -> str:
        return f"phase {self.phase_index}: {self.seconds} s"

    def real_seconds(self, now: Any = None) -> int:
        extra = 0
        if self.entered_at is not None:
            extra = int(((now or timezone.now()) - self.entered_at).total_seconds())
        return self.seconds + max(0, extra)
