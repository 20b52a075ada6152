"""The scan over the JSON API.

`POST /responses` is for respondents (no account: a team link code or an invitation token,
and a client key that makes it idempotent). The rest is for the organisation: campaigns are
addressed by their UUID; a campaign of an organisation the caller is not in answers 404,
and a role too low 403. `GET /campaigns/{id}/report` answers the report page's data with the
same anonymity rule: a hidden group has `visible: false` and no figures at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from ninja.responses import Status
from pydantic import ConfigDict, StrictBool

from core.api_errors import ErrorOut, error_responses
from core.text import name_type
from orgs.access import get_membership
from orgs.models import Role, Team

from . import services
from .models import Campaign, Questionnaire
from .reports import Report, build_report, too_few

router = Router(tags=["scans"])


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


# --- Respondents ------------------------------------------------------------------------

AnswerValue = str | int | list[str] | None


class ResponseIn(Input):
    code: str | None = Field(None, max_length=16, description="A team link's code (/s/<code>/).")
    token: str | None = Field(None, max_length=100, description="An invitation's token.")
    client_key: str = Field(
        min_length=16,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A random key made once per response on the device; "
        "sending again with it stores nothing new.",
    )
    answers: dict[str, AnswerValue] = Field(
        description="Question key -> option key, list of option keys, scale number or text."
    )
    other: dict[str, str] = Field(
        default_factory=dict, description="Question key -> the “Andere” text."
    )
    device_key: str | None = Field(
        None,
        min_length=16,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A random key kept on the device for the campaign (the answer page keeps "
        "one): a second response with it is refused with 409 `already_answered`, unless "
        "`replace` is true, which replaces the first (while the campaign is open).",
    )
    replace: StrictBool = Field(False, description="Replace this device's earlier answers.")


class ResponseOut(Schema):
    status: Literal["accepted"]
    campaign: UUID
    submitted_on: date = Field(description="The day, never the time.")
    replaced: bool = Field(False, description="Whether earlier answers were replaced.")


def json_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only `application/json`: a cross-site page can post `text/plain` or a form without
    asking (no CORS preflight), so anything else is refused with 415 before it is read."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        content_type = request.content_type or ""
        if content_type.lower() != "application/json":
            return JsonResponse(
                {
                    "detail": _("Send the response as application/json."),
                    "code": "unsupported_media_type",
                },
                status=415,
            )
        return view(request, *args, **kwargs)

    return wrapper


@router.post(
    "/responses",
    auth=None,
    response={
        201: ResponseOut,
        200: ResponseOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Send one anonymous response",
    description="201 when stored; 200 with the first result when this client key was seen "
    "before (nothing new is stored). Every check runs before anything is stored. Only "
    "`application/json` (else 415). Submissions are limited per team link (or token) and per "
    "device, not per address: 429 with Retry-After. A team never takes more responses than "
    "its headcount: 409 `headcount_reached`.",
)
@decorate_view(json_only)
def post_response(request: HttpRequest, payload: ResponseIn) -> Any:
    result = services.submit_response(
        code=payload.code,
        token=payload.token,
        client_key=payload.client_key,
        answers=payload.answers,
        other=payload.other,
        device_key=payload.device_key,
        replace=payload.replace,
    )
    return Status(200 if result.replayed else 201, result.as_dict())


# --- Campaigns --------------------------------------------------------------------------


class CampaignOut(Schema):
    id: UUID
    organisation: str
    name: str
    questionnaire: UUID
    questionnaire_title: str
    version: int
    state: str
    accepts_responses: bool
    opens_at: datetime | None
    closes_at: datetime | None
    language: str
    anonymity_minimum: int
    extra_questions: list[str] = Field(
        default_factory=list,
        description="Questions lerend adds to the questionnaire, marked as not part of it.",
    )


class CampaignIn(Input):
    organisation: str = Field(description="The organisation's slug.")
    name: name_type(150)  # type: ignore[valid-type]
    questionnaire: UUID | None = Field(
        None, description="Leave out for the built-in learning-culture questionnaire."
    )
    teams: list[UUID] = Field(min_length=1, max_length=1000)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    language: Literal["nl", "en"] | None = None
    anonymity_minimum: int | None = Field(
        None, description="At least 3 and at least the organisation's minimum."
    )
    extra_questions: list[Literal["lerend-leeractiviteit-12m"]] = Field(
        default_factory=list,
        max_length=1,
        description=(
            "lerend's optional question on learning in the past 12 months (yes/no), "
            "appended and marked as not part of the source questionnaire."
        ),
    )


def campaign_out(c: Campaign) -> dict[str, Any]:
    version = c.questionnaire_version
    return {
        "id": c.public_id,
        "organisation": c.organisation.slug,
        "name": c.name,
        "questionnaire": version.questionnaire.public_id,
        "questionnaire_title": version.questionnaire.title,
        "version": version.number,
        "state": c.state,
        "accepts_responses": c.accepts_responses(),
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "language": c.language,
        "anonymity_minimum": c.anonymity_minimum,
        "extra_questions": list(c.extra_questions or []),
    }


def _campaign(request: HttpRequest, campaign_id: UUID, role: str) -> Campaign:
    campaign = (
        Campaign.objects.select_related("organisation", "questionnaire_version__questionnaire")
        .filter(public_id=campaign_id)
        .first()
    )
    if campaign is None:
        raise Http404
    get_membership(request.user, campaign.organisation.slug, role=role)
    return campaign


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], **error_responses(403, 404)},
    summary="Campaigns of an organisation (facilitators and admins)",
)
def list_campaigns(request: HttpRequest, organisation: str) -> list[dict[str, Any]]:
    membership = get_membership(request.user, organisation, role=Role.FACILITATOR)
    campaigns = Campaign.objects.of(membership.organisation).select_related(
        "organisation", "questionnaire_version__questionnaire"
    )
    return [campaign_out(c) for c in campaigns]


@router.post(
    "/campaigns",
    response={201: CampaignOut, **error_responses(400, 403, 404, 422)},
    summary="Create a campaign (admins)",
)
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Any:
    membership = get_membership(request.user, payload.organisation, role=Role.ADMIN)
    organisation = membership.organisation
    if payload.questionnaire is None:
        questionnaire = Questionnaire.objects.filter(
            organisation__isnull=True, slug="leercultuur"
        ).first()
    else:
        questionnaire = (
            Questionnaire.objects.visible_to(organisation)
            .filter(public_id=payload.questionnaire)
            .first()
        )
    if questionnaire is None:
        raise Http404
    teams = list(Team.objects.filter(organisation=organisation, public_id__in=payload.teams))
    if len(teams) != len(set(payload.teams)):
        raise Http404
    campaign = services.create_campaign(
        organisation,
        questionnaire=questionnaire,
        name=payload.name,
        teams=teams,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        language=payload.language,
        anonymity_minimum=payload.anonymity_minimum,
        extra_questions=payload.extra_questions,
        actor=request.user,
    )
    return Status(201, campaign_out(campaign))


@router.post(
    "/campaigns/{campaign_id}/open",
    response={200: CampaignOut, **error_responses(403, 404, 409)},
    summary="Open a campaign (admins)",
)
def open_campaign(request: HttpRequest, campaign_id: UUID) -> dict[str, Any]:
    campaign = _campaign(request, campaign_id, Role.ADMIN)
    return campaign_out(services.open_campaign(campaign, actor=request.user))


@router.post(
    "/campaigns/{campaign_id}/close",
    response={200: CampaignOut, **error_responses(403, 404, 409)},
    summary="Close a campaign (admins)",
)
def close_campaign(request: HttpRequest, campaign_id: UUID) -> dict[str, Any]:
    campaign = _campaign(request, campaign_id, Role.ADMIN)
    return campaign_out(services.close_campaign(campaign, actor=request.user))


# --- Reports ----------------------------------------------------------------------------


class OptionOut(Schema):
    key: str
    label: str
    count: int
    percent: float


class GroupOut(Schema):
    node: UUID
    name: str
    visible: bool
    note: str | None = Field(None, description="“too few responses” for a hidden group.")
    answered: int | None
    options: list[OptionOut] | None
    free_texts: list[str] | None = Field(description="In random order; none for a filter.")


class QuestionOut(Schema):
    key: str
    number: int | None
    text: str
    kind: str
    section: str | None
    groups: list[GroupOut] = Field(description="The group, its department, the organisation.")


class NodeOut(Schema):
    id: UUID
    name: str
    depth: int
    parent: UUID | None
    is_target: bool
    visible: bool
    respondents: int | None = Field(
        description="As of the last release: while the campaign is open, figures move only "
        "when at least the minimum number of new responses arrived."
    )
    invited: int | None
    response_rate: float | None = Field(
        description="Respondents as a percentage of the headcount (or of those invited)."
    )
    headcount: int | None = None
    released_on: date | None = Field(None, description="The day these figures were released.")
    open_link: bool = Field(
        False,
        description="Answered through the team's open link (which anyone holding it can use).",
    )


class TrendPointOut(Schema):
    campaign: UUID
    name: str
    date: date
    visible: bool
    answered: int | None
    options: dict[str, float] | None


class TrendOut(Schema):
    key: str
    number: int | None
    text: str
    option_labels: dict[str, str]
    points: list[TrendPointOut]


class FilterOut(Schema):
    question: str
    option: str
    label: str


class ComparisonRowOut(Schema):
    node: UUID
    name: str
    depth: int
    respondents: int
    shares: list[float | None]


class ComparisonOut(Schema):
    questions: list[tuple[str, int | None, str, str]] = Field(
        description="(key, number, text, option label) of each yes/no question."
    )
    rows: list[ComparisonRowOut] = Field(description="Visible groups only.")


class ReportOut(Schema):
    campaign: UUID
    name: str
    anonymity_minimum: int
    focus: NodeOut
    filter: FilterOut | None
    nodes: list[NodeOut]
    questions: list[QuestionOut]
    trend: list[TrendOut]
    comparison: ComparisonOut | None = Field(
        None, description="For the organisation's report without a filter."
    )


def report_out(report: Report) -> dict[str, Any]:
    from dataclasses import asdict

    note = too_few()
    questions = []
    for q in report.questions:
        groups = []
        for c in q.columns:
            groups.append(
                {
                    "node": c.node,
                    "name": c.name,
                    "visible": c.visible,
                    "note": None if c.visible else note,
                    "answered": c.answered,
                    "options": [asdict(o) for o in c.options] if c.options is not None else None,
                    "free_texts": c.free_texts,
                }
            )
        questions.append(
            {
                "key": q.key,
                "number": q.number,
                "text": q.text,
                "kind": q.kind,
                "section": q.section,
                "groups": groups,
            }
        )
    return {
        "campaign": report.campaign.public_id,
        "name": report.campaign.name,
        "anonymity_minimum": report.minimum,
        "focus": asdict(report.focus),
        "filter": asdict(report.filter) if report.filter else None,
        "nodes": [asdict(n) for n in report.nodes],
        "questions": questions,
        "trend": [asdict(t) for t in report.trend],
        "comparison": asdict(report.comparison) if report.comparison else None,
    }


@router.get(
    "/campaigns/{campaign_id}/report",
    response={200: ReportOut, **error_responses(400, 403, 404)},
    summary="A campaign's report (facilitators and admins)",
    description="`team` is a group's id from `nodes` (leave out for the organisation); "
    "`filter` is `question:option` of a yes/no or single-choice question.",
)
def campaign_report(
    request: HttpRequest, campaign_id: UUID, team: UUID | None = None, filter: str | None = None
) -> dict[str, Any]:
    campaign = _campaign(request, campaign_id, Role.FACILITATOR)
    report = build_report(campaign, team=str(team) if team else None, filter=filter)
    return report_out(report)


# --- Team links (for an intranet) -------------------------------------------------------


class TeamLinkOut(Schema):
    node: UUID = Field(description="The campaign node's id (as in the report's `nodes`).")
    team: UUID | None = Field(description="The organisation's team, or null once deleted.")
    name: str
    code: str = Field(description="The team link's code, as in `POST /responses`.")
    url: str = Field(description="The answer page's address (SITE_URL + /s/<code>/).")


@router.get(
    "/campaigns/{campaign_id}/links",
    response={200: list[TeamLinkOut], **error_responses(403, 404)},
    summary="A campaign's team links (admins)",
    description="Every team of the campaign with its link code and address, in tree order, "
    "to publish on an intranet. Anyone with a team's link answers for that team.",
)
def campaign_links(request: HttpRequest, campaign_id: UUID) -> list[dict[str, Any]]:
    from .links import team_link
    from .models import CampaignNode

    campaign = _campaign(request, campaign_id, Role.ADMIN)
    nodes = (
        CampaignNode.objects.filter(campaign=campaign, is_target=True)
        .exclude(code=None)
        .select_related("team")
        .order_by("position")
    )
    return [
        {
            "node": n.public_id,
            "team": n.team.public_id if n.team else None,
            "name": n.name,
            "code": n.code,
            "url": team_link(n.code or ""),
        }
        for n in nodes
    ]
