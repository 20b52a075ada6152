"""The learning offer, training records, figures and training plans over the JSON API.

Everything of an organisation lives under `/organisations/{slug}/learning/`: a caller who is
not a member gets 404, a role too low 403, another organisation's id 404. The public offer
(`/public/learning/{slug}`) needs no account. Bad input gets 400 (a rule) or 422 (a type)
and stores nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, StrictBool

from core.api_errors import ErrorOut, error_responses
from core.pagination import MAX_OFFSET
from core.text import name_type, text_type
from orgs.access import get_membership, get_team
from orgs.models import Role, Team

from . import csvio, documents, figures, offer, people, plan, services
from .access import (
    get_budget,
    get_contact,
    get_offer_item,
    get_plan,
    get_route_step,
    get_training,
)
from .models import (
    Advice,
    Budget,
    Consultation,
    ContactPoint,
    LearningFormat,
    OfferItem,
    PlanStatus,
    RouteStep,
    TrainingPlan,
    TrainingRecord,
    UnusedBudget,
    settings_for,
)

router = Router(tags=["learning"])
ORG = "/organisations/{slug}/learning"

KindName = Literal["formal", "non_formal", "informal"]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


def _member(request: HttpRequest, slug: str, role: str = Role.MEMBER) -> Any:
    return get_membership(request.user, slug, role=role)


# --- Schemas ----------------------------------------------------------------------------------


class ContactOut(Schema):
    id: UUID
    name: str
    role: str
    email: str
    phone: str


class ContactIn(Input):
    name: name_type(150)  # type: ignore[valid-type]
    role: name_type(150, required=False) = ""  # type: ignore[valid-type]
    email: str = Field("", max_length=254)
    phone: name_type(40, required=False) = ""  # type: ignore[valid-type]


def contact_out(c: ContactPoint) -> dict[str, Any]:
    return {"id": c.public_id, "name": c.name, "role": c.role, "email": c.email, "phone": c.phone}


class OfferItemOut(Schema):
    id: UUID
    title: str
    description: str
    kind: KindName
    format: str
    provider: str
    internal: bool
    duration_hours: Decimal | None
    cost: Decimal | None
    budget_source: str
    conditions: str
    language: str
    target_group: str
    risk_groups: bool
    contact: ContactOut | None
    link: str
    active_from: date | None
    active_until: date | None
    competences: list[str]
    themes: list[str]


class OfferItemIn(Input):
    title: name_type(200)  # type: ignore[valid-type]
    kind: KindName
    format: Literal[tuple(LearningFormat.values)] = "course"  # type: ignore[valid-type]
    description: text_type(5000, required=False) = ""  # type: ignore[valid-type]
    provider: name_type(150, required=False) = ""  # type: ignore[valid-type]
    internal: StrictBool = True
    duration_hours: Decimal | None = Field(None, description="More than 0, at most 8760.")
    cost: Decimal | None = Field(None, description="Euro per person, not negative.")
    budget_source: name_type(200, required=False) = ""  # type: ignore[valid-type]
    conditions: text_type(3000, required=False) = ""  # type: ignore[valid-type]
    language: name_type(60, required=False) = ""  # type: ignore[valid-type]
    target_group: name_type(300, required=False) = ""  # type: ignore[valid-type]
    risk_groups: StrictBool = False
    contact: UUID | None = None
    link: str = Field("", max_length=500, description="http:// or https:// only.")
    active_from: date | None = None
    active_until: date | None = None
    competences: list[name_type(100)] = Field(default_factory=list, max_length=30)  # type: ignore[valid-type]
    themes: list[name_type(100)] = Field(default_factory=list, max_length=30)  # type: ignore[valid-type]


def item_out(i: OfferItem) -> dict[str, Any]:
    return {
        "id": i.public_id,
        "title": i.title,
        "description": i.description,
        "kind": i.kind,
        "format": i.format,
        "provider": i.provider,
        "internal": i.internal,
        "duration_hours": i.duration_hours,
        "cost": i.cost,
        "budget_source": i.budget_source,
        "conditions": i.conditions,
        "language": i.language,
        "target_group": i.target_group,
        "risk_groups": i.risk_groups,
        "contact": contact_out(i.contact) if i.contact else None,
        "link": i.link,
        "active_from": i.active_from,
        "active_until": i.active_until,
        "competences": i.competence_list,
        "themes": i.theme_list,
    }


def _item_data(payload: OfferItemIn) -> dict[str, Any]:
    data = payload.dict()
    data["competences"] = ", ".join(payload.competences)
    data["themes"] = ", ".join(payload.themes)
    return data


class StepOut(Schema):
    id: UUID
    position: int
    title: str
    description: str


class StepIn(Input):
    title: name_type(200)  # type: ignore[valid-type]
    description: text_type(3000, required=False) = ""  # type: ignore[valid-type]


class MoveIn(Input):
    direction: Literal["up", "down"]


def step_out(s: RouteStep) -> dict[str, Any]:
    return {
        "id": s.public_id,
        "position": s.position,
        "title": s.title,
        "description": s.description,
    }


class PublicOfferOut(Schema):
    organisation: str
    name: str
    intro: str
    url: str
    count: int
    page: int
    pages: int
    items: list[OfferItemOut]
    route: list[StepOut]
    contacts: list[ContactOut]


class PublicFilter(Schema):
    q: str = Field("", max_length=100)
    kind: Literal["", "formal", "non_formal", "informal"] = ""
    format: Literal[("", *LearningFormat.values)] = ""  # type: ignore[valid-type]
    page: int = Field(1, ge=1, le=10000)


# --- Public offer -----------------------------------------------------------------------------


@router.get(
    "/public/learning/{slug}",
    auth=None,
    response={200: PublicOfferOut, 404: ErrorOut, 422: ErrorOut},
    summary="An organisation's public learning offer, route and contact points",
    description="No account needed. 404 when the organisation does not exist or has its "
    "public page switched off. Items active today, 30 a page.",
)
def public_offer(request: HttpRequest, slug: str, filters: Query[PublicFilter]) -> Any:
    organisation = offer.public_organisation(slug)
    flt = offer.OfferFilter.from_params(filters.dict())
    page = offer.page_of(offer.search(organisation, flt), filters.page)
    return {
        "organisation": organisation.slug,
        "name": organisation.name,
        "intro": settings_for(organisation).public_intro,
        "url": offer.public_url(organisation),
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": [item_out(i) for i in page.object_list],
        "route": [step_out(s) for s in offer.route(organisation)],
        "contacts": [contact_out(c) for c in offer.contacts(organisation)],
    }


# --- Offer (admins change, members read) --------------------------------------------------------


@router.get(ORG + "/offer", response={200: list[OfferItemOut], **error_responses(403, 404)})
def list_offer(request: HttpRequest, slug: str) -> Any:
    membership = _member(request, slug)
    items = OfferItem.objects.of(membership.organisation).select_related("contact")
    return [item_out(i) for i in items]


@router.post(ORG + "/offer", response={201: OfferItemOut, **error_responses(400, 403, 404, 422)})
def create_offer(request: HttpRequest, slug: str, payload: OfferItemIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    item = services.save_offer_item(
        membership.organisation, _item_data(payload), actor=request.user
    )
    return Status(201, item_out(item))


@router.get(ORG + "/offer/{item_id}", response={200: OfferItemOut, **error_responses(403, 404)})
def get_offer(request: HttpRequest, slug: str, item_id: UUID) -> Any:
    return item_out(get_offer_item(_member(request, slug), item_id))


@router.put(
    ORG + "/offer/{item_id}", response={200: OfferItemOut, **error_responses(400, 403, 404, 422)}
)
def update_offer(request: HttpRequest, slug: str, item_id: UUID, payload: OfferItemIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    item = get_offer_item(membership, item_id)
    item = services.save_offer_item(
        membership.organisation, _item_data(payload), actor=request.user, item=item
    )
    return item_out(item)


@router.delete(ORG + "/offer/{item_id}", response={204: None, **error_responses(403, 404)})
def delete_offer(request: HttpRequest, slug: str, item_id: UUID) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    services.delete_offer_item(get_offer_item(membership, item_id), actor=request.user)
    return Status(204, None)


# --- Contacts and route -----------------------------------------------------------------------


@router.get(ORG + "/contacts", response={200: list[ContactOut], **error_responses(403, 404)})
def list_contacts(request: HttpRequest, slug: str) -> Any:
    return [contact_out(c) for c in offer.contacts(_member(request, slug).organisation)]


@router.post(ORG + "/contacts", response={201: ContactOut, **error_responses(400, 403, 404, 422)})
def create_contact(request: HttpRequest, slug: str, payload: ContactIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    contact = services.save_contact(membership.organisation, payload.dict(), actor=request.user)
    return Status(201, contact_out(contact))


@router.delete(ORG + "/contacts/{contact_id}", response={204: None, **error_responses(403, 404)})
def delete_contact(request: HttpRequest, slug: str, contact_id: UUID) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    services.delete_contact(get_contact(membership, contact_id), actor=request.user)
    return Status(204, None)


@router.get(ORG + "/route", response={200: list[StepOut], **error_responses(403, 404)})
def list_route(request: HttpRequest, slug: str) -> Any:
    return [step_out(s) for s in offer.route(_member(request, slug).organisation)]


@router.post(ORG + "/route", response={201: StepOut, **error_responses(400, 403, 404, 422)})
def add_step(request: HttpRequest, slug: str, payload: StepIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    step = services.save_route_step(membership.organisation, payload.dict(), actor=request.user)
    return Status(201, step_out(step))


@router.put(
    ORG + "/route/{step_id}", response={200: StepOut, **error_responses(400, 403, 404, 422)}
)
def update_step(request: HttpRequest, slug: str, step_id: UUID, payload: StepIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    step = get_route_step(membership, step_id)
    step = services.save_route_step(
        membership.organisation, payload.dict(), actor=request.user, step=step
    )
    return step_out(step)


@router.post(
    ORG + "/route/{step_id}/move",
    response={200: list[StepOut], **error_responses(400, 403, 404, 422)},
)
def move_step(request: HttpRequest, slug: str, step_id: UUID, payload: MoveIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    services.move_route_step(
        get_route_step(membership, step_id), payload.direction, actor=request.user
    )
    return [step_out(s) for s in offer.route(membership.organisation)]


@router.delete(ORG + "/route/{step_id}", response={204: None, **error_responses(403, 404)})
def delete_step(request: HttpRequest, slug: str, step_id: UUID) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    services.delete_route_step(get_route_step(membership, step_id), actor=request.user)
    return Status(204, None)


# --- Budgets, settings, team sizes --------------------------------------------------------------


class BudgetOut(Schema):
    id: UUID
    year: int
    team: UUID | None
    team_name: str | None
    planned: Decimal
    used: Decimal
    remaining: Decimal
    unused: str
    note: str


class BudgetIn(Input):
    year: int = Field(ge=2000, le=2100)
    team: UUID | None = Field(None, description="Leave out for the whole organisation.")
    planned: Decimal
    used: Decimal = Decimal(0)
    unused: Literal[tuple(UnusedBudget.values)] = "lapses"  # type: ignore[valid-type]
    note: text_type(2000, required=False) = ""  # type: ignore[valid-type]


def budget_out(b: Budget) -> dict[str, Any]:
    return {
        "id": b.public_id,
        "year": b.year,
        "team": b.team.public_id if b.team else None,
        "team_name": b.team.name if b.team else None,
        "planned": b.planned,
        "used": b.used,
        "remaining": b.remaining,
        "unused": b.unused,
        "note": b.note,
    }


@router.get(ORG + "/budgets", response={200: list[BudgetOut], **error_responses(403, 404)})
def list_budgets(request: HttpRequest, slug: str) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    rows = Budget.objects.filter(organisation=membership.organisation).select_related("team")
    return [budget_out(b) for b in rows]


@router.put(ORG + "/budgets", response={200: BudgetOut, **error_responses(400, 403, 404, 422)})
def save_budget(request: HttpRequest, slug: str, payload: BudgetIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    data = payload.dict()
    data["team"] = get_team(membership, payload.team) if payload.team else None
    return budget_out(services.save_budget(membership.organisation, data, actor=request.user))


@router.delete(ORG + "/budgets/{budget_id}", response={204: None, **error_responses(403, 404)})
def delete_budget(request: HttpRequest, slug: str, budget_id: UUID) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    services.delete_budget(get_budget(membership, budget_id), actor=request.user)
    return Status(204, None)


class SettingsOut(Schema):
    training_right_days: Decimal
    hours_per_day: Decimal
    public_enabled: bool
    public_intro: str
    public_url: str


class SettingsIn(Input):
    training_right_days: Decimal | None = None
    hours_per_day: Decimal | None = None
    public_enabled: StrictBool | None = None
    public_intro: text_type(3000, required=False) | None = None  # type: ignore[valid-type]


def settings_out(organisation: Any) -> dict[str, Any]:
    s = settings_for(organisation)
    return {
        "training_right_days": s.training_right_days,
        "hours_per_day": s.hours_per_day,
        "public_enabled": s.public_enabled,
        "public_intro": s.public_intro,
        "public_url": offer.public_url(organisation),
    }


@router.get(ORG + "/settings", response={200: SettingsOut, **error_responses(403, 404)})
def get_settings(request: HttpRequest, slug: str) -> Any:
    return settings_out(_member(request, slug, Role.ADMIN).organisation)


@router.patch(ORG + "/settings", response={200: SettingsOut, **error_responses(400, 403, 404, 422)})
def patch_settings(request: HttpRequest, slug: str, payload: SettingsIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    data = payload.dict(exclude_none=True)
    services.update_settings(membership.organisation, data, actor=request.user)
    return settings_out(membership.organisation)


class TeamSizeIn(Input):
    headcount: int | None = Field(None, ge=0, le=1_000_000, strict=True)
    fte: Decimal | None = Field(None, description="At most the headcount.")


class TeamSizeOut(Schema):
    id: UUID
    name: str
    headcount: int | None
    fte: Decimal | None


@router.put(
    ORG + "/teams/{team_id}/size",
    response={200: TeamSizeOut, **error_responses(400, 403, 404, 422)},
    summary="Set a team's headcount and full-time equivalents",
)
def set_team_size(request: HttpRequest, slug: str, team_id: UUID, payload: TeamSizeIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    team = services.set_team_size(
        get_team(membership, team_id),
        headcount=payload.headcount,
        fte=payload.fte,
        actor=request.user,
    )
    return {"id": team.public_id, "name": team.name, "headcount": team.headcount, "fte": team.fte}


# --- Training records -------------------------------------------------------------------------


class TrainingOut(Schema):
    id: UUID
    person: str
    email: str | None
    team: UUID
    team_name: str
    offer_item: UUID | None
    title: str
    kind: KindName
    duration: Decimal
    unit: Literal["hours", "days"]
    days: Decimal
    start_date: date
    end_date: date
    followed: bool
    certificate: bool
    certificate_valid_until: date | None


class TrainingIn(Input):
    email: str = Field("", max_length=254, description="A member's address, or leave empty.")
    person_name: str = Field("", max_length=150, description="A free name when no e-mail.")
    team: UUID | None = Field(None, description="Needed unless the member is in one team.")
    offer_item: UUID | None = None
    title: str = Field("", max_length=200, description="Empty: the offer item's title.")
    kind: Literal["", "formal", "non_formal", "informal"] = ""
    duration: Decimal = Field(description="More than 0; at most 365 days.")
    unit: Literal["hours", "days"] = "days"
    start_date: date
    end_date: date
    followed: StrictBool = True
    certificate: StrictBool = False
    certificate_valid_until: date | None = None


def training_out(r: TrainingRecord) -> dict[str, Any]:
    return {
        "id": r.public_id,
        "person": r.person_name,
        "email": r.membership.user.email if r.membership else None,
        "team": r.team.public_id,
        "team_name": r.team.name,
        "offer_item": r.offer_item.public_id if r.offer_item else None,
        "title": r.title,
        "kind": r.kind,
        "duration": r.duration,
        "unit": r.unit,
        "days": r.days,
        "start_date": r.start_date,
        "end_date": r.end_date,
        "followed": r.followed,
        "certificate": r.certificate,
        "certificate_valid_until": r.certificate_valid_until,
    }


class Paging(Schema):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)  # beyond 64 bits the database fails (500)


class TrainingPage(Schema):
    count: int
    items: list[TrainingOut]


@router.get(ORG + "/trainings", response={200: TrainingPage, **error_responses(403, 404, 422)})
def list_trainings(request: HttpRequest, slug: str, paging: Query[Paging]) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    rows = TrainingRecord.objects.filter(organisation=membership.organisation).select_related(
        "team", "offer_item", "membership__user"
    )
    return {
        "count": rows.count(),
        "items": [training_out(r) for r in rows[paging.offset : paging.offset + paging.limit]],
    }


@router.post(ORG + "/trainings", response={201: TrainingOut, **error_responses(400, 403, 404, 422)})
def create_training(request: HttpRequest, slug: str, payload: TrainingIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    team = get_team(membership, payload.team) if payload.team else None
    item = get_offer_item(membership, payload.offer_item) if payload.offer_item else None
    data = payload.dict()
    data.update(team=team, offer_item=item)
    created = services.record_training(
        membership.organisation, services.TrainingInput(**data), actor=request.user
    )
    return Status(201, training_out(created))


class ImportIn(Input):
    csv: str = Field(
        max_length=csvio.MAX_BYTES,
        description="The CSV text: a header row (email or name, team, title or offer_item, "
        "kind, duration, unit, start_date, end_date, followed, certificate, "
        "certificate_valid_until) and one row per training.",
    )


class RowProblemOut(Schema):
    line: int
    message: str


class ImportOut(Schema):
    imported: int


class ImportRejectedOut(Schema):
    detail: str
    code: str
    problems: list[RowProblemOut] = Field(default_factory=list)


# Registered before DELETE /trainings/{training_id}, so that Django's URL patterns try
# "import" and "quarter.csv" first.
@router.post(
    ORG + "/trainings/import",
    response={
        201: ImportOut,
        400: ImportRejectedOut,
        **error_responses(403, 404, 413, 422, 429),
    },
    summary="Import training records from CSV: all rows or none",
    description="Every row is checked first; with any problem nothing is imported and the "
    "answer is 400 with each row's problems.",
)
def import_trainings(request: HttpRequest, slug: str, payload: ImportIn) -> Any:
    from django.utils.translation import gettext as _

    from core import ratelimit

    membership = _member(request, slug, Role.ADMIN)
    organisation = membership.organisation
    ratelimit.check(
        f"learning-import:{organisation.pk}",
        30,
        3600,
        message=_("Too many imports in an hour. Try again later."),
    )
    report = csvio.parse(organisation, payload.csv)
    if not report.ok:
        return Status(
            400,
            {
                "detail": _("Nothing was imported: %(n)d rows have problems.")
                % {"n": len({p.line for p in report.problems})},
                "code": "import_rejected",
                "problems": [{"line": p.line, "message": p.message} for p in report.problems],
            },
        )
    services.save_records(organisation, report.records, actor=request.user)
    return Status(201, {"imported": len(report.records)})


class QuarterQuery(Schema):
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4)


@router.get(
    ORG + "/trainings/quarter.csv",
    response={200: str, **error_responses(403, 404, 422)},
    summary="The quarter's trainings in the Federal Learning Account's fields (CSV)",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def quarter_csv(request: HttpRequest, slug: str, query: Query[QuarterQuery]) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    header, rows = csvio.quarter_rows(membership.organisation, query.year, query.quarter)
    response = HttpResponse(csvio.csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"{membership.organisation.slug}-fla-{query.year}-q{query.quarter}.csv",
    )
    return response


@router.delete(ORG + "/trainings/{training_id}", response={204: None, **error_responses(403, 404)})
def delete_training(request: HttpRequest, slug: str, training_id: UUID) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    services.delete_training(get_training(membership, training_id), actor=request.user)
    return Status(204, None)


# --- Figures and personal data ---------------------------------------------------------------


class FigureRowOut(Schema):
    team: UUID | None = Field(description="None for the organisation.")
    name: str
    depth: int
    visible: bool = Field(description="False: too few people; no figures at all.")
    headcount: int | None
    fte: Decimal | None
    days: Decimal | None
    days_per_fte: Decimal | None
    right_percent: int | None
    trained: int | None
    share: int | None


class FiguresOut(Schema):
    year: int
    as_of: date
    anonymity_minimum: int
    training_right_days: Decimal
    participation_target: int
    left_out_people: int = Field(description="People with records in teams without a headcount.")
    rows: list[FigureRowOut]


class YearQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


@router.get(ORG + "/figures", response={200: FiguresOut, **error_responses(403, 404, 422)})
def get_figures(request: HttpRequest, slug: str, query: Query[YearQuery]) -> Any:
    membership = _member(request, slug, Role.FACILITATOR)
    numbers = figures.compute(membership.organisation, query.year)
    ids = dict(
        Team.objects.filter(organisation=membership.organisation).values_list("id", "public_id")
    )
    return {
        "year": numbers.year,
        "as_of": numbers.as_of,
        "anonymity_minimum": numbers.minimum,
        "training_right_days": numbers.right_days,
        "participation_target": numbers.target,
        "left_out_people": numbers.left_out,
        "rows": [
            {
                "team": ids.get(r.key) if isinstance(r.key, int) else None,
                "name": r.label,
                "depth": r.depth,
                "visible": r.visible,
                "headcount": r.headcount,
                "fte": r.fte,
                "days": r.days,
                "days_per_fte": r.days_per_fte,
                "right_percent": r.right_percent,
                "trained": r.trained,
                "share": r.share,
            }
            for r in numbers.rows
        ],
    }


class PersonOut(Schema):
    name: str
    email: str
    last_training: date | None


class UntrainedOut(Schema):
    personal_data: StrictBool = True
    as_of: date
    people: list[PersonOut]


@router.get(
    ORG + "/no-training",
    response={200: UntrainedOut, **error_responses(403, 404)},
    summary="Who has not followed any training in the last 12 months (personal data)",
    description="Admins only. Every call is written to the organisation's audit log.",
)
def get_untrained(request: HttpRequest, slug: str) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    found = people.untrained(membership.organisation)
    people.audit_access(
        membership.organisation, actor=request.user, exported=False, count=len(found)
    )
    return {
        "as_of": timezone.localdate(),
        "people": [p.__dict__ for p in found],
    }


# --- Training plans --------------------------------------------------------------------------


class PlanSummaryOut(Schema):
    id: UUID
    year: int
    status: str
    version: int


class PlanIn(Input):
    year: int = Field(ge=2023, le=2100)


class MilestoneOut(Schema):
    step: str
    label: str
    due: date
    done_on: date | None
    legal: bool


class SectionOut(Schema):
    key: str
    title: str
    text: str


class AgreementOut(Schema):
    theme: str
    texts: list[str]


class PlanOut(Schema):
    id: UUID
    year: int
    status: str
    version: int
    consultation: str
    period_start: date
    period_end: date
    meeting_date: date | None
    submitted_on: date | None
    advice: str
    advice_on: date | None
    advice_text: str
    in_force_on: date | None
    informed_on: date | None
    draft: bool
    missing: list[str]
    sections: list[SectionOut]
    items: list[OfferItemOut]
    agreements: list[AgreementOut]
    timeline: list[MilestoneOut]
    sources: list[list[str]]


class PlanPatch(Input):
    texts: dict[str, str] | None = Field(None, description="Section key -> the own text.")
    status: Literal[tuple(PlanStatus.values)] | None = None  # type: ignore[valid-type]
    consultation: Literal[tuple(Consultation.values)] | None = None  # type: ignore[valid-type]
    period_start: date | None = None
    period_end: date | None = None
    meeting_date: date | None = None
    submitted_on: date | None = None
    advice: Literal[tuple(Advice.values)] | None = None  # type: ignore[valid-type]
    advice_on: date | None = None
    advice_text: str | None = Field(None, max_length=10000)
    in_force_on: date | None = None
    informed_on: date | None = None


def plan_out(p: TrainingPlan) -> dict[str, Any]:
    doc = plan.document(p)
    return {
        "id": p.public_id,
        "year": p.year,
        "status": p.status,
        "version": p.version,
        "consultation": p.consultation,
        "period_start": p.period_start,
        "period_end": p.period_end,
        "meeting_date": p.meeting_date,
        "submitted_on": p.submitted_on,
        "advice": p.advice,
        "advice_on": p.advice_on,
        "advice_text": p.advice_text,
        "in_force_on": p.in_force_on,
        "informed_on": p.informed_on,
        "draft": doc["draft"],
        "missing": doc["missing"],
        "sections": [{"key": k, "title": t, "text": x} for k, t, x in doc["sections"]],
        "items": [item_out(i) for i in doc["items"]],
        "agreements": [
            {"theme": theme, "texts": [a.text for a in actions]}
            for theme, actions in doc["agreements"]
        ],
        "timeline": [m.__dict__ for m in doc["timeline"]],
        "sources": [list(s) for s in doc["sources"]],
    }


@router.get(ORG + "/plans", response={200: list[PlanSummaryOut], **error_responses(403, 404)})
def list_plans(request: HttpRequest, slug: str) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    return [
        {"id": p.public_id, "year": p.year, "status": p.status, "version": p.version}
        for p in TrainingPlan.objects.filter(organisation=membership.organisation)
    ]


@router.post(ORG + "/plans", response={201: PlanOut, **error_responses(400, 403, 404, 409, 422)})
def create_plan(request: HttpRequest, slug: str, payload: PlanIn) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    created = services.create_plan(membership.organisation, payload.year, actor=request.user)
    return Status(201, plan_out(created))


@router.get(ORG + "/plans/{plan_id}", response={200: PlanOut, **error_responses(403, 404)})
def get_plan_detail(request: HttpRequest, slug: str, plan_id: UUID) -> Any:
    return plan_out(get_plan(_member(request, slug, Role.ADMIN), plan_id))


@router.patch(
    ORG + "/plans/{plan_id}", response={200: PlanOut, **error_responses(400, 403, 404, 422)}
)
def patch_plan(request: HttpRequest, slug: str, plan_id: UUID, payload: PlanPatch) -> Any:
    membership = _member(request, slug, Role.ADMIN)
    current = get_plan(membership, plan_id)
    data = payload.dict(exclude_unset=True)
    return plan_out(services.update_plan(current, data, actor=request.user))


class ChangeOut(Schema):
    part: str
    lines: list[str]


class VersionOut(Schema):
    number: int
    created_at: Any
    changes: list[ChangeOut] = Field(description="Differences from the version before.")


@router.get(
    ORG + "/plans/{plan_id}/versions", response={200: list[VersionOut], **error_responses(403, 404)}
)
def plan_versions(request: HttpRequest, slug: str, plan_id: UUID) -> Any:
    current = get_plan(_member(request, slug, Role.ADMIN), plan_id)
    versions = list(current.versions.all())
    out = []
    for index, version in enumerate(versions):
        before = versions[index + 1].snapshot if index + 1 < len(versions) else {}
        changes = plan.differences(before, version.snapshot) if before else []
        out.append(
            {
                "number": version.number,
                "created_at": version.created_at,
                "changes": [c.__dict__ for c in changes],
            }
        )
    return out


class DocumentQuery(Schema):
    format: Literal["pdf", "docx"] = "pdf"
    lang: Literal["nl", "en"] = "nl"


@router.get(
    ORG + "/plans/{plan_id}/document",
    response={200: bytes, **error_responses(403, 404, 422)},
    summary="The training plan as PDF or DOCX, in Dutch or English",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "application/pdf": {},
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                }
            }
        }
    },
)
def plan_document(
    request: HttpRequest, slug: str, plan_id: UUID, query: Query[DocumentQuery]
) -> Any:
    current = get_plan(_member(request, slug, Role.ADMIN), plan_id)
    if query.format == "pdf":
        data = documents.pdf_bytes(current, query.lang)
        content_type = "application/pdf"
    else:
        data = documents.docx_bytes(current, query.lang)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=documents.filename(current, query.lang, query.format)
    )
    return response
