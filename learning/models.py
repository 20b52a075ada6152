"""The learning offer, the learning route, budgets, training records and the training plan.

Figures never read the training records directly: `DayTally` (days per team and year) and
`PersonTally` (per team and person, the end date of their latest formal or non-formal
training) are kept up to date by `learning.services` in the same transaction as the records,
so the figures cost the same whatever the number of records.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Membership, Organisation, Team

DEFAULT_TRAINING_RIGHT_DAYS = Decimal("5")
"""Days per full-time employee per year (law of 3 October 2022, from 2024)."""
DEFAULT_HOURS_PER_DAY = Decimal("7.6")
"""A day of a 38-hour week; records in hours are converted with the organisation's figure."""
PARTICIPATION_TARGET = 60
"""Per cent: the EU 2030 target of adults taking part in learning in the last 12 months."""
MAX_DAYS = Decimal("365")


class Kind(models.TextChoices):
    FORMAL = "formal", _("Formal")
    NON_FORMAL = "non_formal", _("Non-formal")
    INFORMAL = "informal", _("Informal")


COUNTS_FOR_PARTICIPATION = (Kind.FORMAL, Kind.NON_FORMAL)
"""The EU target counts formal and non-formal learning (Adult Education Survey)."""


class LearningFormat(models.TextChoices):
    COURSE = "course", _("Training or course")
    ELEARNING = "elearning", _("E-learning")
    ON_THE_JOB = "on_the_job", _("Learning on the job")
    MENTORING = "mentoring", _("Mentoring (meter/peter)")
    EXPERTS = "experts", _("Internal experts and knowledge sharing")
    INTERVISION = "intervision", _("Intervision")
    EXTERNAL = "external", _("External offer")
    OTHER = "other", _("Other")


class UnusedBudget(models.TextChoices):
    CARRY_OVER = "carry_over", _("Carried over to next year")
    TEAM_POOL = "pool", _("Goes to a shared pool for other teams")
    LAPSES = "lapses", _("Lapses at the end of the year")
    OTHER = "other", _("Other (see the note)")


class DurationUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    DAYS = "days", _("days")


class LearningSettings(models.Model):
    """An organisation's own figures: its training right (e.g. from a sector agreement)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="learning_settings"
    )
    training_right_days = models.DecimalField(
        _("training right (days per full-time employee per year)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TRAINING_RIGHT_DAYS,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_DAYS)],
    )
    hours_per_day = models.DecimalField(
        _("hours in a working day"),
        max_digits=4,
        decimal_places=2,
        default=DEFAULT_HOURS_PER_DAY,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("24"))],
    )
    public_intro = models.TextField(_("introduction on the public page"), blank=True)
    public_enabled = models.BooleanField(_("public offer page is on"), default=True)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.training_right_days}"


def settings_for(organisation: Organisation) -> LearningSettings:
    found = LearningSettings.objects.filter(organisation=organisation).first()
    return found or LearningSettings(organisation=organisation)


class ContactPoint(models.Model):
    """Where employees go with a learning question ("aanspreekpunt leervragen")."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="learning_contacts"
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role or subject"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class OfferItemQuerySet(models.QuerySet["OfferItem"]):
    def of(self, organisation: Organisation) -> OfferItemQuerySet:
        return self.filter(organisation=organisation)

    def active_on(self, day: date) -> OfferItemQuerySet:
        return self.filter(
            models.Q(active_from__isnull=True) | models.Q(active_from__lte=day),
            models.Q(active_until__isnull=True) | models.Q(active_until__gte=day),
        )

    def active_in_year(self, year: int) -> OfferItemQuerySet:
        return self.filter(
            models.Q(active_from__isnull=True) | models.Q(active_from__lte=date(year, 12, 31)),
            models.Q(active_until__isnull=True) | models.Q(active_until__gte=date(year, 1, 1)),
        )


class OfferItem(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="offer_items"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    format = models.CharField(
        _("format"), max_length=16, choices=LearningFormat.choices, default=LearningFormat.COURSE
    )
    provider = models.CharField(_("provider"), max_length=150, blank=True)
    internal = models.BooleanField(_("internal"), default=True)
    duration_hours = models.DecimalField(
        _("duration (hours)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    cost = models.DecimalField(
        _("cost per person (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    budget_source = models.CharField(_("budget source"), max_length=200, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    language = models.CharField(_("language"), max_length=60, blank=True)
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    risk_groups = models.BooleanField(
        _("meant for a risk group (such as employees of 50 and older)"), default=False
    )
    contact = models.ForeignKey(
        ContactPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offer_items",
        verbose_name=_("contact point"),
    )
    link = models.URLField(_("link"), max_length=500, blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    competences = models.CharField(_("competences (comma-separated)"), max_length=500, blank=True)
    themes = models.CharField(_("themes (comma-separated)"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfferItemQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organisation", "title"], name="offer_org_title")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_until__isnull=True)
                | models.Q(active_from__isnull=True)
                | models.Q(active_until__gte=models.F("active_from")),
                name="offer_active_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def keyword_list(self, field: str) -> list[str]:
        return [w.strip() for w in getattr(self, field).split(",") if w.strip()]

    @property
    def competence_list(self) -> list[str]:
        return self.keyword_list("competences")

    @property
    def theme_list(self) -> list[str]:
        return self.keyword_list("themes")

    def build_search_text(self) -> str:
        parts = [
            self.title,
            self.description,
            self.provider,
            self.target_group,
            self.competences,
            self.themes,
            self.language,
        ]
        return " ".join(p for p in parts if p).casefold()


class RouteStep(models.Model):
    """One step of the learning route: what an employee who wants to learn does next."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="route_steps"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("step"), max_length=200)
    description = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Budget(models.Model):
    """A year's learning budget for a team, or for the whole organisation (no team)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="learning_budgets"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("team")
    )
    planned = models.DecimalField(_("planned (EUR)"), max_digits=12, decimal_places=2)
    used = models.DecimalField(_("used (EUR)"), max_digits=12, decimal_places=2, default=0)
    unused = models.CharField(
        _("what happens to unused budget"),
        max_length=16,
        choices=UnusedBudget.choices,
        default=UnusedBudget.LAPSES,
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-year", "team__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "team"], name="budget_one_per_team_and_year"
            ),
            models.UniqueConstraint(
                fields=["organisation", "year"],
                condition=models.Q(team__isnull=True),
                name="budget_one_organisation_wide_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.team or ''}"

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.used

    @property
    def used_percent(self) -> int | None:
        if not self.planned:
            return None
        return round(self.used / self.planned * 100)


class TrainingRecord(models.Model):
    """A training a person followed (or was registered for and did not follow)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_records"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(_("person"), max_length=150)
    person_key = models.CharField(max_length=200, editable=False)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="training_records")
    offer_item = models.ForeignKey(
        OfferItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    title = models.CharField(_("training"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    duration = models.DecimalField(_("duration"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=DurationUnit.choices)
    days = models.DecimalField(max_digits=9, decimal_places=4, editable=False)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    followed = models.BooleanField(_("followed"), default=True)
    certificate = models.BooleanField(_("certificate"), default=False)
    certificate_valid_until = models.DateField(_("certificate valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-end_date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "end_date"], name="training_org_end"),
            models.Index(fields=["team", "person_key", "end_date"], name="training_team_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="training_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=models.Q(duration__gt=0), name="training_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.title}"


class DayTally(models.Model):
    """Followed training days per team and calendar year (of the end date)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    days = models.DecimalField(max_digits=14, decimal_places=4, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "year"], name="daytally_one_per_team_year")
        ]
        indexes = [models.Index(fields=["organisation", "year"], name="daytally_org_year")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.year}: {self.days}"


class PersonTally(models.Model):
    """Per team and person: the end date of their latest followed formal or non-formal
    training, and of their latest followed training of any kind."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    person_key = models.CharField(max_length=200)
    person_name = models.CharField(max_length=150)
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_counted = models.DateField(null=True)
    last_any = models.DateField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person_key"], name="persontally_one_per_team_person"
            )
        ]
        indexes = [
            # Covers the participation queries: a range on the date, then team and person.
            models.Index(
                fields=["organisation", "last_counted", "team", "person_key"],
                name="persontally_window",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.person_key}"


# --- The training plan -----------------------------------------------------------------------


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the works council")
    ADVISED = "advised", _("Advice received")
    IN_FORCE = "in_force", _("In force")


class Advice(models.TextChoices):
    NONE = "", _("Not yet")
    POSITIVE = "positive", _("Positive")
    CONDITIONAL = "conditional", _("Positive with remarks")
    NEGATIVE = "negative", _("Negative")


class Consultation(models.TextChoices):
    WORKS_COUNCIL = "works_council", _("Works council")
    UNION_DELEGATION = "union_delegation", _("Union delegation")
    EMPLOYEES = "employees", _("Employees directly (no council or delegation)")


class TrainingPlan(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="training_plans"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2023), MaxValueValidator(2100)]
    )
    period_start = models.DateField(_("in force from"))
    period_end = models.DateField(_("in force until"))
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    consultation = models.CharField(
        _("consulted body"),
        max_length=20,
        choices=Consultation.choices,
        default=Consultation.WORKS_COUNCIL,
    )
    meeting_date = models.DateField(_("date of the meeting that discusses the plan"), null=True)
    submitted_on = models.DateField(_("submitted on"), null=True)
    advice = models.CharField(
        _("advice"), max_length=16, choices=Advice.choices, default="", blank=True
    )
    advice_on = models.DateField(_("advice received on"), null=True)
    advice_text = models.TextField(_("the advice"), blank=True)
    in_force_on = models.DateField(_("in force on"), null=True)
    informed_on = models.DateField(_("employees informed on"), null=True)
    texts = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="plan_one_per_organisation_and_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class PlanVersion(models.Model):
    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"


class PlanReminder(models.Model):
    """One reminder of one step of one plan: recorded before it is queued, so never twice."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.CASCADE, related_name="reminders")
    step = models.CharField(max_length=32)
    due_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "step"], name="planreminder_once_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.step}"
