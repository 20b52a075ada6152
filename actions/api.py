"""The register over the JSON API: `/api/v1/actions` and `/api/v1/conversations`.

Agreements are listed, made and changed by the organisation's members under the same rules
as the pages (`actions.access`); personal actions are reached only through their private
token (`/actions/link/{token}`), without an account. An action or conversation of another
organisation answers 404 and changes nothing. A create with a client key seen before
answers 200 with the first result and stores nothing new.
"""

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import ConfigDict, StrictBool

from core import ratelimit
from core.api_errors import ErrorOut, error_responses
from core.net import client_address
from core.text import name_type, text_type
from orgs.access import get_membership
from orgs.models import Membership, Role

from . import filters, services
from .access import can_edit, get_action, visible_actions
from .models import Action, Conversation, Kind

router = Router(tags=["actions"])


def _user(request: HttpRequest) -> Any:
    return request.user


StatusName = Literal["open", "in_progress", "done", "dropped"]
ThemeName = Literal["budget", "time", "securing", "route", "other"]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


class EventOut(Schema):
    at: datetime
    kind: str
    by: str
    via: str
    old_status: str
    new_status: str
    note: str


class ActionOut(Schema):
    id: UUID
    organisation: str
    kind: str
    text: str
    owner: UUID | None = Field(description="The owner's membership id, if they have an account.")
    owner_name: str
    first_step: str
    due_date: date | None
    evaluation_date: date | None
    status: str
    theme: str
    team: UUID | None
    source: str
    session: UUID | None
    campaign: UUID | None
    question_key: str
    overdue: bool
    created_at: datetime
    updated_at: datetime
    warnings: list[str] = Field(default_factory=list)


class ActionDetailOut(ActionOut):
    history: list[EventOut]


def _owner_membership(action: Action, memberships: dict[int, UUID] | None = None) -> UUID | None:
    if not action.owner_id:
        return None
    if memberships is not None:
        return memberships.get(action.owner_id)
    m = Membership.objects.filter(organisation_id=action.organisation_id, user_id=action.owner_id)
    return m.values_list("public_id", flat=True).first()


def action_out(
    action: Action, *, warnings: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "id": action.public_id,
        "organisation": action.organisation.slug,
        "kind": action.kind,
        "text": action.text,
        "owner": extra.get("owner", _owner_membership(action)),
        "owner_name": action.owner_name,
        "first_step": action.first_step,
        "due_date": action.due_date,
        "evaluation_date": action.evaluation_date,
        "status": action.status,
        "theme": action.theme,
        "team": action.team.public_id if action.team_id else None,  # type: ignore[union-attr]
        "source": action.source,
        "session": action.session.public_id if action.session_id else None,  # type: ignore[union-attr]
        "campaign": action.campaign.public_id if action.campaign_id else None,  # type: ignore[union-attr]
        "question_key": action.question_key,
        "overdue": action.is_overdue(),
        "created_at": action.created_at,
        "updated_at": action.updated_at,
        "warnings": warnings or [],
    }


def detail_out(action: Action, **kwargs: Any) -> dict[str, Any]:
    out = action_out(action, **kwargs)
    out["history"] = [
        {
            "at": e.created_at,
            "kind": e.kind,
            "by": e.actor_label,
            "via": e.via,
            "old_status": e.old_status,
            "new_status": e.new_status,
            "note": e.note,
        }
        for e in action.events.all()
    ]
    return out


class ActionFilters(Schema):
    organisation: str = Field(description="The organisation's slug.", max_length=60)
    status: StatusName | None = None
    owner: UUID | None = Field(None, description="A membership id.")
    team: UUID | None = None
    theme: ThemeName | None = None
    source: Literal["manual", "session", "scan", "checklist", "conversation"] | None = None
    when: Literal["overdue", "week"] | None = None


class ListItem(Schema):
    """One action of the list (the history is on the action's own endpoint)."""

    id: UUID = Field(alias="public_id")
    kind: str
    text: str
    owner: UUID | None = Field(None, alias="owner_membership", description="A membership id.")
    owner_name: str
    due_date: date | None
    evaluation_date: date | None
    status: str
    theme: str
    team: UUID | None = Field(None, alias="team.public_id")
    source: str
    updated_at: datetime


def _membership(request: HttpRequest, slug: str, role: str = Role.MEMBER) -> Membership:
    return get_membership(request.user, slug, role=role)


@router.get(
    "/actions",
    response={200: list[ListItem], **error_responses(403, 404, 422)},
    summary="List agreements (with the page's filters)",
    description="Facilitators and admins see the organisation's agreements; a member sees "
    "the agreements they own. Personal actions are not listed (only their private link "
    "reaches them). Paginated with limit and offset.",
)
@paginate(LimitOffsetPagination, max_limit=200)
def list_actions(request: HttpRequest, params: ActionFilters = Query(...)) -> Any:  # noqa: B008
    membership = _membership(request, params.organisation)
    qs = visible_actions(membership).filter(kind=Kind.AGREEMENT)
    qs = filters.apply(qs, params.dict(exclude_none=True))
    owner_ms = Membership.objects.filter(
        organisation=membership.organisation, user=OuterRef("owner_id")
    ).values("public_id")[:1]
    return (
        qs.select_related("team")
        .annotate(owner_membership=Subquery(owner_ms))
        .order_by("due_date", "created_at", "id")
    )


class ActionIn(Input):
    organisation: str = Field(max_length=60, description="The organisation's slug.")
    text: text_type(500)  # type: ignore[valid-type]
    owner: UUID | None = Field(None, description="A membership id of the organisation.")
    owner_name: name_type(150, required=False) = ""  # type: ignore[valid-type]
    first_step: text_type(500, required=False) = ""  # type: ignore[valid-type]
    due_date: date | None = None
    evaluation_date: date | None = None
    theme: ThemeName = "other"
    team: UUID | None = None
    client_key: str | None = Field(
        None,
        min_length=16,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A random key made once per action on the client; sending again with it "
        "answers the first action and stores nothing new.",
    )


@router.post(
    "/actions",
    response={201: ActionDetailOut, 200: ActionDetailOut, **error_responses(400, 403, 404, 422)},
    summary="Make an agreement",
    description="Facilitators and admins. 201 when made; 200 with the first action when this "
    "client key was seen before. An evaluation date before the due date is stored with a "
    "warning; a date more than 5 years ahead and an owner who is not a member are refused.",
)
def create_action(request: HttpRequest, payload: ActionIn) -> Any:
    membership = _membership(request, payload.organisation, Role.FACILITATOR)
    data = payload.dict(exclude={"organisation", "client_key"})
    result = services.create_action(
        membership.organisation, data, actor=request.user, client_key=payload.client_key, via="api"
    )
    return Status(
        201 if result.created else 200, detail_out(result.action, warnings=result.warnings)
    )


def _find(request: HttpRequest, action_id: UUID) -> tuple[Membership, Action]:
    org_id = (
        Action.objects.filter(public_id=action_id, kind=Kind.AGREEMENT)
        .values_list("organisation_id", flat=True)
        .first()
    )
    if org_id is None:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation", "user")
        .filter(organisation_id=org_id, user=_user(request), user__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    action = get_action(membership, action_id)
    return membership, action


@router.get(
    "/actions/{action_id}",
    response={200: ActionDetailOut, **error_responses(404)},
    summary="One agreement with its history",
)
def read_action(request: HttpRequest, action_id: UUID) -> Any:
    _m, action = _find(request, action_id)
    return detail_out(action)


class ActionPatch(Input):
    text: text_type(500) | None = None  # type: ignore[valid-type]
    owner: UUID | None = None
    owner_name: name_type(150, required=False) | None = None  # type: ignore[valid-type]
    first_step: text_type(500, required=False) | None = None  # type: ignore[valid-type]
    due_date: date | None = None
    evaluation_date: date | None = None
    theme: ThemeName | None = None
    team: UUID | None = None


@router.patch(
    "/actions/{action_id}",
    response={200: ActionDetailOut, **error_responses(400, 403, 404, 422)},
    summary="Change an agreement's fields",
    description="Facilitators and admins. Only the fields sent change; send null for a date "
    "or owner to clear it.",
)
def update_action(request: HttpRequest, action_id: UUID, payload: ActionPatch) -> Any:
    membership, action = _find(request, action_id)
    if not can_edit(membership, action):
        raise Http404
    data = payload.dict(exclude_unset=True)
    warnings = services.update_action(action, data, actor=request.user, via="api")
    return detail_out(action, warnings=warnings)


class NoteIn(Input):
    note: text_type(2000)  # type: ignore[valid-type]


class StatusIn(Input):
    status: StatusName
    note: text_type(2000, required=False) = ""  # type: ignore[valid-type]


@router.post(
    "/actions/{action_id}/notes",
    response={201: ActionDetailOut, **error_responses(400, 404, 422)},
    summary="Add a progress note",
    description="The owner, facilitators and admins.",
)
def add_note(request: HttpRequest, action_id: UUID, payload: NoteIn) -> Any:
    _m, action = _find(request, action_id)
    services.record_progress(action, actor=request.user, note=payload.note, via="api")
    return Status(201, detail_out(action))


@router.post(
    "/actions/{action_id}/status",
    response={200: ActionDetailOut, **error_responses(400, 404, 422)},
    summary="Change the status",
    description="The owner, facilitators and admins. From done back to open needs a note.",
)
def change_status(request: HttpRequest, action_id: UUID, payload: StatusIn) -> Any:
    _m, action = _find(request, action_id)
    services.record_progress(
        action, actor=request.user, status=payload.status, note=payload.note, via="api"
    )
    return detail_out(action)


# --- Personal actions through their private token -----------------------------------------


class PersonalOut(Schema):
    text: str
    status: str
    due_date: date | None
    history: list[EventOut]


class PersonalIn(Input):
    status: StatusName | None = None
    note: text_type(2000, required=False) = ""  # type: ignore[valid-type]


def _personal(action: Action) -> dict[str, Any]:
    out = detail_out(action)
    return {k: out[k] for k in ("text", "status", "due_date", "history")}


def _limit(request: HttpRequest) -> None:
    from django.utils.translation import gettext as _

    ratelimit.check(
        f"action-link:{client_address(request)}",
        60,
        60,
        message=_("Too many requests. Try again in a minute."),
    )


@router.get(
    "/actions/link/{token}",
    auth=None,
    response={200: PersonalOut, 404: ErrorOut, 429: ErrorOut},
    summary="A personal action, by its private token",
    description="No account needed. A wrong, expired or replaced token answers 404.",
)
def read_personal(request: HttpRequest, token: str) -> Any:
    _limit(request)
    return _personal(services.action_by_token(token))


@router.post(
    "/actions/link/{token}/progress",
    auth=None,
    response={200: PersonalOut, 400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Mark progress on a personal action, by its private token",
)
def personal_progress(request: HttpRequest, token: str, payload: PersonalIn) -> Any:
    _limit(request)
    action = services.action_by_token(token)
    services.record_progress(action, via_token=token, status=payload.status, note=payload.note)
    return _personal(action)


# --- Conversations -------------------------------------------------------------------------


class ConversationOut(Schema):
    id: UUID
    organisation: str
    employee_name: str
    employee_email: str
    starts_at: datetime
    duration_minutes: int
    location: str
    offer_url: str
    status: str
    sequence: int
    action: UUID | None
    answers: dict[str, str]


def conversation_out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.public_id,
        "organisation": c.organisation.slug,
        "employee_name": c.employee_name,
        "employee_email": c.employee_email,
        "starts_at": c.starts_at,
        "duration_minutes": c.duration_minutes,
        "location": c.location,
        "offer_url": c.offer_url,
        "status": c.status,
        "sequence": c.sequence,
        "action": c.action.public_id if c.action_id else None,  # type: ignore[union-attr]
        "answers": c.answers or {},
    }


class ConversationIn(Input):
    organisation: str = Field(max_length=60)
    employee_email: str = Field(max_length=254)
    employee_name: name_type(150, required=False) = ""  # type: ignore[valid-type]
    starts_at: datetime
    duration_minutes: int = Field(30, ge=5, le=480)
    location: name_type(200, required=False) = ""  # type: ignore[valid-type]
    offer_url: str = Field("", max_length=300)
    action: UUID | None = None
    client_key: str | None = Field(None, min_length=16, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")


class ConversationPatch(Input):
    starts_at: datetime | None = None
    duration_minutes: int | None = Field(None, ge=5, le=480)
    location: name_type(200, required=False) | None = None  # type: ignore[valid-type]
    answers: dict[str, str] | None = None
    held: StrictBool | None = None


@router.get(
    "/conversations",
    response={200: list[ConversationOut], **error_responses(403, 404, 422)},
    summary="My follow-up conversations in an organisation",
    description="Only the conversations the caller holds; admins see no one else's.",
)
@paginate(LimitOffsetPagination, max_limit=200)
def list_conversations(request: HttpRequest, organisation: str) -> Any:
    membership = _membership(request, organisation, Role.FACILITATOR)
    rows = (
        Conversation.objects.filter(organisation=membership.organisation, held_by=_user(request))
        .select_related("organisation", "action")
        .order_by("starts_at", "id")[:5000]
    )
    return [conversation_out(c) for c in rows]


@router.post(
    "/conversations",
    response={201: ConversationOut, 200: ConversationOut, **error_responses(400, 403, 404, 422)},
    summary="Plan a follow-up conversation",
    description="Sends the invitation with an iCalendar invite (METHOD:REQUEST). A moment in "
    "the past is refused; a replayed client key answers the first conversation.",
)
def plan_conversation(request: HttpRequest, payload: ConversationIn) -> Any:
    membership = _membership(request, payload.organisation, Role.FACILITATOR)
    action = get_action(membership, payload.action) if payload.action else None
    conversation, created = services.plan_conversation(
        membership.organisation,
        payload.dict(exclude={"organisation", "action", "client_key"}),
        actor=request.user,
        action=action,
        client_key=payload.client_key,
    )
    return Status(201 if created else 200, conversation_out(conversation))


def _conversation(request: HttpRequest, conversation_id: UUID) -> Conversation:
    conversation = (
        Conversation.objects.select_related("organisation", "action", "held_by")
        .filter(public_id=conversation_id, held_by=_user(request))
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationOut, **error_responses(404)},
    summary="One follow-up conversation (only for the person who holds it)",
)
def read_conversation(request: HttpRequest, conversation_id: UUID) -> Any:
    return conversation_out(_conversation(request, conversation_id))


@router.patch(
    "/conversations/{conversation_id}",
    response={200: ConversationOut, **error_responses(400, 404, 422)},
    summary="Reschedule, or note the answers",
    description="A new moment sends the invitation again with a higher SEQUENCE.",
)
def update_conversation(
    request: HttpRequest, conversation_id: UUID, payload: ConversationPatch
) -> Any:
    conversation = _conversation(request, conversation_id)
    data = payload.dict(exclude_unset=True)
    answers, held = data.pop("answers", None), data.pop("held", None)
    if data:
        conversation = services.reschedule_conversation(conversation, data, actor=request.user)
    if answers is not None or held:
        services.save_conversation_answers(
            conversation,
            answers if answers is not None else conversation.answers,
            actor=request.user,
            held=bool(held),
        )
    return conversation_out(conversation)


@router.post(
    "/conversations/{conversation_id}/cancel",
    response={200: ConversationOut, **error_responses(404)},
    summary="Cancel a conversation (METHOD:CANCEL is sent)",
)
def cancel_conversation(request: HttpRequest, conversation_id: UUID) -> Any:
    conversation = services.cancel_conversation(
        _conversation(request, conversation_id), actor=request.user
    )
    return conversation_out(conversation)
