"""Every change to the learning offer, budgets, training records and plans goes through here.

Views, the API and the command line call these functions; each runs in a transaction, checks
the rules (raising DomainError with a translated message) and writes an audit event for the
changes admins need to trace. Access (who may call what) is checked by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.text import TextError, clean_name, clean_text
from orgs.models import Membership, Organisation, Team
from orgs.services import record

from .models import (
    COUNTS_FOR_PARTICIPATION,
    MAX_DAYS,
    Budget,
    ContactPoint,
    DayTally,
    DurationUnit,
    Kind,
    LearningFormat,
    LearningSettings,
    OfferItem,
    PersonTally,
    PlanStatus,
    PlanVersion,
    RouteStep,
    TrainingPlan,
    TrainingRecord,
    UnusedBudget,
    settings_for,
)

MAX_HOURS = MAX_DAYS * 24
MAX_MONEY = Decimal("100000000")
EARLIEST = date(2000, 1, 1)


# --- Small checks shared by the web, the API and the import -------------------------------


def _label(field: str) -> str:
    return field


def name(value: Any, *, limit: int = 150, required: bool = True, label: str = "") -> str:
    try:
        return clean_name(value if value is not None else "", max_length=limit, required=required)
    except TextError as exc:
        message = f"{label}: {exc.message}" if label else exc.message
        raise DomainError(message, code=exc.code) from None


def text(value: Any, *, limit: int = 5000, required: bool = False, label: str = "") -> str:
    try:
        return clean_text(value if value is not None else "", max_length=limit, required=required)
    except TextError as exc:
        message = f"{label}: {exc.message}" if label else exc.message
        raise DomainError(message, code=exc.code) from None


def keywords(value: Any, *, label: str = "") -> str:
    cleaned = name(value, limit=500, required=False, label=label)
    words: list[str] = []
    for word in cleaned.split(","):
        word = " ".join(word.split())
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return ", ".join(words)


_url = URLValidator(schemes=["http", "https"])


def link(value: Any) -> str:
    value = name(value, limit=500, required=False, label=_("Link"))
    if not value:
        return ""
    try:
        _url(value)
    except ValidationError:
        raise DomainError(
            _("Enter a link that starts with http:// or https://."), code="link_invalid"
        ) from None
    return value


def decimal(
    value: Any,
    *,
    label: str,
    minimum: Decimal = Decimal("0"),
    maximum: Decimal,
    positive: bool = False,
    required: bool = True,
) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise DomainError(_("%(field)s: enter a number.") % {"field": label}, code="required")
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise DomainError(
            _("%(field)s: “%(value)s” is not a number.") % {"field": label, "value": value},
            code="not_a_number",
        ) from None
    if not number.is_finite():
        raise DomainError(_("%(field)s: enter a number.") % {"field": label}, code="not_a_number")
    if number < minimum or (positive and number <= 0):
        raise DomainError(
            _("%(field)s cannot be negative or zero.") % {"field": label}
            if positive
            else _("%(field)s cannot be negative.") % {"field": label},
            code="negative",
        )
    if number > maximum:
        raise DomainError(
            _("%(field)s is too large (at most %(max)s).") % {"field": label, "max": maximum},
            code="too_large",
        )
    return number.quantize(Decimal("0.01"))


def choice(value: Any, choices: Iterable[str], *, label: str) -> str:
    if value not in set(choices):
        raise DomainError(
            _("%(field)s: choose one of the offered values.") % {"field": label},
            code="choice_invalid",
        )
    return str(value)


def period(start: date | None, end: date | None, *, required: bool = False) -> None:
    for day in (start, end):
        if day is not None and not isinstance(day, date):
            raise DomainError(_("Enter a valid date."), code="date_invalid")
    if required and (start is None or end is None):
        raise DomainError(_("Enter a start and an end date."), code="date_required")
    if start and end and end < start:
        raise DomainError(_("The end date is before the start date."), code="end_before_start")
    for day in (start, end):
        if day is not None and not EARLIEST <= day <= date(2100, 12, 31):
            raise DomainError(_("Enter a date between 2000 and 2100."), code="date_out_of_range")


def _same_org(obj: Any, organisation: Organisation) -> None:
    if obj is not None and obj.organisation_id != organisation.pk:
        raise DomainError(_("Not found."), code="not_found", status=404)


# --- Settings and team sizes ------------------------------------------------------------------


def update_settings(
    organisation: Organisation, data: Mapping[str, Any], *, actor
) -> LearningSettings:
    with transaction.atomic():
        current = settings_for(organisation)
        if "training_right_days" in data:
            current.training_right_days = decimal(
                data["training_right_days"], label=_("Training right"), maximum=MAX_DAYS
            )  # type: ignore[assignment]
        if "hours_per_day" in data:
            current.hours_per_day = decimal(
                data["hours_per_day"],
                label=_("Hours in a working day"),
                minimum=Decimal("1"),
                maximum=Decimal("24"),
            )  # type: ignore[assignment]
        if "public_intro" in data:
            current.public_intro = text(data["public_intro"], limit=3000)
        if "public_enabled" in data:
            current.public_enabled = bool(data["public_enabled"])
        current.save()
        record(
            organisation,
            actor=actor,
            action="learning.settings_changed",
            target_label=organisation.name,
            training_right=str(current.training_right_days),
        )
        return current


def set_team_size(team: Team, *, headcount: Any, fte: Any, actor) -> Team:
    """Headcount and full-time equivalents of a team; an FTE above the headcount is refused."""
    count = decimal(headcount, label=_("Headcount"), maximum=Decimal("1000000"), required=False)
    if count is not None and count != count.to_integral_value():
        raise DomainError(_("The headcount is a whole number."), code="not_whole")
    full = decimal(
        fte, label=_("Full-time equivalents"), maximum=Decimal("1000000"), required=False
    )
    if full is not None and count is None:
        raise DomainError(_("Enter the headcount with the FTE."), code="headcount_required")
    if full is not None and count is not None and full > count:
        raise DomainError(
            _("The full-time equivalents (%(fte)s) cannot be more than the headcount (%(n)s).")
            % {"fte": full, "n": int(count)},
            code="fte_above_headcount",
        )
    with transaction.atomic():
        old = (team.headcount, str(team.fte) if team.fte is not None else None)
        team.headcount = int(count) if count is not None else None
        team.fte = full
        team.save(update_fields=["headcount", "fte"])
        record(
            team.organisation,
            actor=actor,
            action="team.updated",
            target_label=team.name,
            changes={
                "headcount": [old[0], team.headcount],
                "fte": [old[1], str(full) if full is not None else None],
            },
        )
    return team


# --- Contact points ---------------------------------------------------------------------------


def _contact_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    email = name(data.get("email", ""), limit=254, required=False, label=_("E-mail address"))
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            raise DomainError(_("Enter a valid e-mail address."), code="email_invalid") from None
    return {
        "name": name(data.get("name"), label=_("Name")),
        "role": name(data.get("role", ""), required=False, label=_("Role")),
        "email": email.lower(),
        "phone": name(data.get("phone", ""), limit=40, required=False, label=_("Phone")),
    }


def save_contact(
    organisation: Organisation,
    data: Mapping[str, Any],
    *,
    actor,
    contact: ContactPoint | None = None,
) -> ContactPoint:
    fields = _contact_fields(data)
    _same_org(contact, organisation)
    with transaction.atomic():
        if contact is None:
            contact = ContactPoint.objects.create(organisation=organisation, **fields)
        else:
            for key, value in fields.items():
                setattr(contact, key, value)
            contact.save()
        return contact


def delete_contact(contact: ContactPoint, *, actor) -> None:
    with transaction.atomic():
        contact.delete()


# --- The offer --------------------------------------------------------------------------------


OFFER_FIELDS = (
    "title",
    "description",
    "kind",
    "format",
    "provider",
    "internal",
    "duration_hours",
    "cost",
    "budget_source",
    "conditions",
    "language",
    "target_group",
    "risk_groups",
    "contact",
    "link",
    "active_from",
    "active_until",
    "competences",
    "themes",
)


def _offer_fields(organisation: Organisation, data: Mapping[str, Any]) -> dict[str, Any]:
    contact = data.get("contact")
    if contact is not None and not isinstance(contact, ContactPoint):
        contact = ContactPoint.objects.filter(organisation=organisation, public_id=contact).first()
        if contact is None:
            raise DomainError(_("Choose one of your contact points."), code="contact_unknown")
    _same_org(contact, organisation)
    active_from, active_until = data.get("active_from"), data.get("active_until")
    period(active_from, active_until)
    return {
        "title": name(data.get("title"), limit=200, label=_("Title")),
        "description": text(data.get("description", ""), limit=5000, label=_("Description")),
        "kind": choice(data.get("kind"), Kind.values, label=_("Kind")),
        "format": choice(
            data.get("format") or LearningFormat.COURSE, LearningFormat.values, label=_("Format")
        ),
        "provider": name(data.get("provider", ""), required=False, label=_("Provider")),
        "internal": bool(data.get("internal", True)),
        "duration_hours": decimal(
            data.get("duration_hours"),
            label=_("Duration"),
            maximum=MAX_HOURS,
            positive=True,
            required=False,
        ),
        "cost": decimal(data.get("cost"), label=_("Cost"), maximum=MAX_MONEY, required=False),
        "budget_source": name(
            data.get("budget_source", ""), limit=200, required=False, label=_("Budget source")
        ),
        "conditions": text(data.get("conditions", ""), limit=3000, label=_("Conditions")),
        "language": name(data.get("language", ""), limit=60, required=False, label=_("Language")),
        "target_group": name(
            data.get("target_group", ""), limit=300, required=False, label=_("Target group")
        ),
        "risk_groups": bool(data.get("risk_groups", False)),
        "contact": contact,
        "link": link(data.get("link", "")),
        "active_from": active_from,
        "active_until": active_until,
        "competences": keywords(data.get("competences", ""), label=_("Competences")),
        "themes": keywords(data.get("themes", ""), label=_("Themes")),
    }


def save_offer_item(
    organisation: Organisation,
    data: Mapping[str, Any],
    *,
    actor,
    item: OfferItem | None = None,
) -> OfferItem:
    """Create an offer item, or change one (`item`); `data` holds every field."""
    _same_org(item, organisation)
    fields = _offer_fields(organisation, data)
    with transaction.atomic():
        if item is None:
            item = OfferItem(organisation=organisation)
            action = "learning.offer_created"
        else:
            action = "learning.offer_changed"
        for key, value in fields.items():
            setattr(item, key, value)
        item.search_text = item.build_search_text()
        item.save()
        record(organisation, actor=actor, action=action, target_label=item.title)
    return item


def delete_offer_item(item: OfferItem, *, actor) -> None:
    with transaction.atomic():
        record(
            item.organisation, actor=actor, action="learning.offer_deleted", target_label=item.title
        )
        item.delete()


# --- The learning route -----------------------------------------------------------------------


def save_route_step(
    organisation: Organisation,
    data: Mapping[str, Any],
    *,
    actor,
    step: RouteStep | None = None,
) -> RouteStep:
    _same_org(step, organisation)
    title = name(data.get("title"), limit=200, label=_("Step"))
    description = text(data.get("description", ""), limit=3000, label=_("Explanation"))
    with transaction.atomic():
        if step is None:
            if RouteStep.objects.filter(organisation=organisation).count() >= 30:
                raise DomainError(_("A route has at most 30 steps."), code="too_many")
            last = (
                RouteStep.objects.filter(organisation=organisation).aggregate(m=Max("position"))[
                    "m"
                ]
                or 0
            )
            step = RouteStep(organisation=organisation, position=last + 1)
        step.title, step.description = title, description
        step.save()
        record(organisation, actor=actor, action="learning.route_changed", target_label=title)
    return step


def move_route_step(step: RouteStep, direction: str, *, actor) -> None:
    """Swap the step with its neighbour above ("up") or below ("down")."""
    if direction not in ("up", "down"):
        raise DomainError(_("Move a step up or down."), code="direction_invalid")
    with transaction.atomic():
        steps = list(
            RouteStep.objects.select_for_update().filter(organisation_id=step.organisation_id)
        )
        index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(steps):
            return
        steps[index], steps[other] = steps[other], steps[index]
        for position, item in enumerate(steps, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])


def delete_route_step(step: RouteStep, *, actor) -> None:
    with transaction.atomic():
        record(
            step.organisation, actor=actor, action="learning.route_changed", target_label=step.title
        )
        step.delete()


# --- Budgets ----------------------------------------------------------------------------------


def save_budget(organisation: Organisation, data: Mapping[str, Any], *, actor) -> Budget:
    """Set the budget of one year and team (or of the organisation, team None): planned,
    used and what happens to what is not used."""
    team = data.get("team")
    _same_org(team, organisation)
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(_("Enter a year between 2000 and 2100."), code="year_invalid")
    planned = decimal(data.get("planned"), label=_("Planned budget"), maximum=MAX_MONEY)
    used = decimal(data.get("used") or 0, label=_("Used budget"), maximum=MAX_MONEY)
    unused = choice(
        data.get("unused") or UnusedBudget.LAPSES, UnusedBudget.values, label=_("Unused budget")
    )
    note = text(data.get("note", ""), limit=2000, label=_("Note"))
    with transaction.atomic():
        budget, _created = Budget.objects.update_or_create(
            organisation=organisation,
            year=year,
            team=team,
            defaults={
                "planned": planned or Decimal(0),
                "used": used or Decimal(0),
                "unused": unused,
                "note": note,
            },
        )
        record(
            organisation,
            actor=actor,
            action="learning.budget_saved",
            target_label=f"{year} {team.name if team else organisation.name}",
            planned=str(planned),
            used=str(used),
        )
    return budget


def delete_budget(budget: Budget, *, actor) -> None:
    with transaction.atomic():
        budget.delete()


# --- Training records -------------------------------------------------------------------------


def person_key_for(membership: Membership | None, person_name: str) -> str:
    if membership is not None:
        return f"m:{membership.pk}"
    return "n:" + " ".join(person_name.split()).casefold()[:190]


@dataclass
class TrainingInput:
    """One training as typed or imported, before it is checked."""

    email: str = ""
    person_name: str = ""
    team: Team | None = None
    offer_item: OfferItem | None = None
    title: str = ""
    kind: str = ""
    duration: Any = None
    unit: str = DurationUnit.DAYS
    start_date: date | None = None
    end_date: date | None = None
    followed: bool = True
    certificate: bool = False
    certificate_valid_until: date | None = None


def _membership_by_email(organisation: Organisation, email: str) -> Membership:
    found = (
        Membership.objects.select_related("user")
        .filter(organisation=organisation, user__email__iexact=email.strip())
        .first()
    )
    if found is None:
        raise DomainError(
            _("No member of the organisation has the e-mail address “%(email)s”.")
            % {"email": email[:254]},
            code="person_unknown",
        )
    return found


def build_record(
    organisation: Organisation,
    data: TrainingInput,
    *,
    today: date | None = None,
    hours_per_day: Decimal | None = None,
    members: dict[str, Membership] | None = None,
) -> TrainingRecord:
    """A checked, unsaved record. Raises DomainError for the first problem."""
    today = today or timezone.localdate()
    membership = None
    email = (data.email or "").strip()
    if email:
        if members is not None:
            membership = members.get(email.casefold())
            if membership is None:
                raise DomainError(
                    _("No member of the organisation has the e-mail address “%(email)s”.")
                    % {"email": email[:254]},
                    code="person_unknown",
                )
        else:
            membership = _membership_by_email(organisation, email)
        person_name = membership.user.display_name
    else:
        person_name = name(data.person_name, label=_("Person"))
    team = data.team
    if team is None and membership is not None:
        teams = list(membership.teams.all())
        if len(teams) == 1:
            team = teams[0]
    if team is None:
        raise DomainError(_("Choose the team of the person."), code="team_required")
    _same_org(team, organisation)
    item = data.offer_item
    _same_org(item, organisation)
    title = name(data.title or (item.title if item else ""), limit=200, label=_("Training"))
    kind = choice(data.kind or (item.kind if item else ""), Kind.values, label=_("Kind"))
    unit = choice(data.unit, DurationUnit.values, label=_("Unit"))
    per_day = hours_per_day or settings_for(organisation).hours_per_day
    maximum = MAX_DAYS if unit == DurationUnit.DAYS else MAX_DAYS * per_day
    duration = decimal(data.duration, label=_("Duration"), maximum=maximum, positive=True)
    assert duration is not None
    days = (
        duration if unit == DurationUnit.DAYS else (duration / per_day).quantize(Decimal("0.0001"))
    )
    period(data.start_date, data.end_date, required=True)
    assert data.end_date is not None and data.start_date is not None
    if data.end_date > today:
        raise DomainError(
            _("The training has not ended yet: record it once it has."), code="end_in_future"
        )
    if (data.end_date - data.start_date).days > 366 * 5:
        raise DomainError(_("A training lasts at most five years."), code="period_too_long")
    if data.certificate_valid_until and not data.certificate:
        raise DomainError(
            _("A certificate's validity needs a certificate."), code="certificate_missing"
        )
    return TrainingRecord(
        organisation=organisation,
        membership=membership,
        person_name=person_name[:150],
        person_key=person_key_for(membership, person_name),
        team=team,
        offer_item=item,
        title=title,
        kind=kind,
        duration=duration,
        unit=unit,
        days=days,
        start_date=data.start_date,
        end_date=data.end_date,
        followed=bool(data.followed),
        certificate=bool(data.certificate),
        certificate_valid_until=data.certificate_valid_until,
    )


def record_key(training: TrainingRecord) -> tuple[Any, ...]:
    """What makes two records the same training of the same person."""
    return (
        training.person_key,
        training.team_id,
        training.title.casefold(),
        training.start_date,
        training.end_date,
    )


def record_training(organisation: Organisation, data: TrainingInput, *, actor) -> TrainingRecord:
    """Record one training; the same training of the same person again (a form sent twice)
    is refused."""
    training = build_record(organisation, data)
    training.created_by = actor if actor is not None and actor.pk else None
    with transaction.atomic():
        same = TrainingRecord.objects.filter(
            organisation=organisation,
            person_key=training.person_key,
            team=training.team,
            start_date=training.start_date,
            end_date=training.end_date,
        )
        if any(record_key(r) == record_key(training) for r in same):
            raise DomainError(
                _("This training is already recorded for this person."),
                code="already_recorded",
                status=409,
            )
        training.save()
        refresh_tallies(organisation, [training])
    return training


def delete_training(training: TrainingRecord, *, actor) -> None:
    with transaction.atomic():
        organisation = training.organisation
        training.delete()
        refresh_tallies(organisation, [training])


def save_records(
    organisation: Organisation, records: list[TrainingRecord], *, actor
) -> list[TrainingRecord]:
    """Store checked records (an import) and their tallies in one transaction."""
    creator = actor if actor is not None and actor.pk else None
    for training in records:
        training.created_by = creator
    with transaction.atomic():
        TrainingRecord.objects.bulk_create(records, batch_size=500)
        refresh_tallies(organisation, records)
        record(
            organisation,
            actor=actor,
            action="learning.trainings_imported",
            target_label=organisation.name,
            count=len(records),
        )
    return records


# --- Tallies: what the figures read -----------------------------------------------------------


def refresh_tallies(organisation: Organisation, changed: Iterable[TrainingRecord]) -> None:
    """Recompute the tallies that the changed (added or deleted) records touch."""
    years: set[tuple[int, int]] = set()
    people: set[tuple[int, str]] = set()
    for training in changed:
        years.add((training.team_id, training.end_date.year))
        people.add((training.team_id, training.person_key))
    _refresh_days(organisation, years)
    _refresh_people(organisation, people)


def _refresh_days(organisation: Organisation, keys: set[tuple[int, int]]) -> None:
    if not keys:
        return
    by_year: dict[int, set[int]] = {}
    for team_id, year in keys:
        by_year.setdefault(year, set()).add(team_id)
    for year, team_ids in by_year.items():
        sums = dict(
            TrainingRecord.objects.filter(
                organisation=organisation,
                followed=True,
                team_id__in=team_ids,
                end_date__gte=date(year, 1, 1),
                end_date__lte=date(year, 12, 31),
            )
            .values("team_id")
            .annotate(total=Sum("days"))
            .values_list("team_id", "total")
        )
        DayTally.objects.filter(organisation=organisation, year=year, team_id__in=team_ids).delete()
        DayTally.objects.bulk_create(
            [
                DayTally(organisation=organisation, team_id=t, year=year, days=total)
                for t, total in sums.items()
                if total
            ]
        )


def _refresh_people(organisation: Organisation, keys: set[tuple[int, str]]) -> None:
    if not keys:
        return
    team_ids = {team_id for team_id, _k in keys}
    person_keys = {key for _t, key in keys}
    rows = (
        TrainingRecord.objects.filter(
            organisation=organisation, team_id__in=team_ids, person_key__in=person_keys
        )
        .values("team_id", "person_key")
        .annotate(
            last_any=Max("end_date", filter=Q(followed=True)),
            last_counted=Max(
                "end_date", filter=Q(followed=True, kind__in=list(COUNTS_FOR_PARTICIPATION))
            ),
            name=Max("person_name"),
            membership=Max("membership_id"),
        )
    )
    found = {(r["team_id"], r["person_key"]): r for r in rows}
    stale = [k for k in keys if k not in found]
    for team_id, key in stale:
        PersonTally.objects.filter(team_id=team_id, person_key=key).delete()
    existing = {
        (t.team_id, t.person_key): t
        for t in PersonTally.objects.filter(
            organisation=organisation, team_id__in=team_ids, person_key__in=person_keys
        )
    }
    new, changed = [], []
    for pair, row in found.items():
        if pair not in keys:
            continue
        tally = existing.get(pair)
        if tally is None:
            new.append(
                PersonTally(
                    organisation=organisation,
                    team_id=pair[0],
                    person_key=pair[1],
                    person_name=row["name"],
                    membership_id=row["membership"],
                    last_any=row["last_any"],
                    last_counted=row["last_counted"],
                )
            )
        else:
            tally.last_any, tally.last_counted = row["last_any"], row["last_counted"]
            tally.person_name, tally.membership_id = row["name"], row["membership"]
            changed.append(tally)
    PersonTally.objects.bulk_create(new, batch_size=1000)
    PersonTally.objects.bulk_update(
        changed, ["last_any", "last_counted", "person_name", "membership"], batch_size=1000
    )


def rebuild_tallies(organisation: Organisation) -> None:
    """Recompute every tally of the organisation (after a bulk load)."""
    with transaction.atomic():
        DayTally.objects.filter(organisation=organisation).delete()
        PersonTally.objects.filter(organisation=organisation).delete()
        records = TrainingRecord.objects.filter(organisation=organisation)
        years = {
            (t, d.year) for t, d in records.values_list("team_id", "end_date").distinct().iterator()
        }
        _refresh_days(organisation, years)
        people = set(records.values_list("team_id", "person_key").distinct())
        for chunk_start in range(0, len(people), 20000):
            chunk = set(list(people)[chunk_start : chunk_start + 20000])
            _refresh_people(organisation, chunk)


# --- The training plan ------------------------------------------------------------------------

PLAN_SECTIONS = (
    "intro",
    "offer",
    "agreements",
    "training_right",
    "risk_groups",
    "gender",
    "evaluation",
)


def create_plan(organisation: Organisation, year: Any, *, actor) -> TrainingPlan:
    if not isinstance(year, int) or not 2023 <= year <= 2100:
        raise DomainError(_("Enter a year from 2023 on."), code="year_invalid")
    from .plan import snapshot

    try:
        with transaction.atomic():
            plan = TrainingPlan.objects.create(
                organisation=organisation,
                year=year,
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
            )
            PlanVersion.objects.create(
                plan=plan, number=1, snapshot=snapshot(plan), created_by=_actor(actor)
            )
            record(
                organisation, actor=actor, action="learning.plan_created", target_label=str(year)
            )
    except IntegrityError:
        raise DomainError(
            _("There is already a training plan for %(year)d.") % {"year": year},
            code="plan_exists",
            status=409,
        ) from None
    return plan


def _actor(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "pk", None) else None


PLAN_DATE_FIELDS = (
    "period_start",
    "period_end",
    "meeting_date",
    "submitted_on",
    "advice_on",
    "in_force_on",
    "informed_on",
)


def update_plan(plan: TrainingPlan, data: Mapping[str, Any], *, actor) -> TrainingPlan:
    """Change a plan's texts, dates, status or advice; every change is a new version."""
    from .models import Advice, Consultation
    from .plan import snapshot

    texts = dict(plan.texts or {})
    for section, value in (data.get("texts") or {}).items():
        if section not in PLAN_SECTIONS:
            raise DomainError(_("Unknown section."), code="section_unknown")
        texts[section] = text(value, limit=10000, label=section)
    changes: dict[str, Any] = {"texts": texts}
    for field in PLAN_DATE_FIELDS:
        if field in data:
            value = data[field]
            if value is not None and not isinstance(value, date):
                raise DomainError(_("Enter a valid date."), code="date_invalid")
            changes[field] = value
    if "status" in data:
        changes["status"] = choice(data["status"], PlanStatus.values, label=_("Status"))
    if "advice" in data:
        changes["advice"] = choice(data["advice"] or "", Advice.values, label=_("Advice"))
    if "advice_text" in data:
        changes["advice_text"] = text(data["advice_text"], limit=10000, label=_("Advice"))
    if "consultation" in data:
        changes["consultation"] = choice(
            data["consultation"], Consultation.values, label=_("Consulted body")
        )
    start = changes.get("period_start", plan.period_start)
    end = changes.get("period_end", plan.period_end)
    period(start, end, required=True)
    if changes.get("status") == PlanStatus.IN_FORCE and not (
        changes.get("in_force_on") or plan.in_force_on
    ):
        changes["in_force_on"] = timezone.localdate()
    with transaction.atomic():
        locked = TrainingPlan.objects.select_for_update().get(pk=plan.pk)
        for key, value in changes.items():
            setattr(locked, key, value)
        before = locked.versions.first()
        new_snapshot = snapshot(locked)
        if before is not None and before.snapshot == new_snapshot:
            locked.save()
            return locked
        locked.version = (before.number if before else 0) + 1
        locked.save()
        PlanVersion.objects.create(
            plan=locked, number=locked.version, snapshot=new_snapshot, created_by=_actor(actor)
        )
        record(
            plan.organisation,
            actor=actor,
            action="learning.plan_changed",
            target_label=str(plan.year),
            version=locked.version,
        )
    return locked
