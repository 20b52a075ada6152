"""The owner's portfolio over the API: /api/v1/me/portfolio/...

Only ever the caller's own portfolio: another person's entry, share or conversation is a
404, whatever the caller's role in any organisation. Changes go through
portfolio.services, like the pages. A create with an `Idempotency-Key` header that was
already used answers with the first result (200 instead of 201).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, cast
from uuid import UUID

from django.http import FileResponse, HttpRequest, HttpResponseBase
from django.utils.http import content_disposition_header
from ninja import Field, File, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from accounts.models import User
from core.api_errors import error_responses
from core.text import name_type, text_type

from . import exports, services
from .access import get_own_conversation, get_own_entry, get_own_share
from .kinds import KINDS
from .models import TEXT_MAX, Conversation, Entry, Share, ShareEvent, ShareTarget
from .storage import private_storage

router = Router(tags=["portfolio"])

KindKey = Literal["today", "my_learning", "mistake", "can_now", "competences", "activity", "goal"]
assert set(KindKey.__args__) == set(KINDS)  # type: ignore[attr-defined]


def me(request: HttpRequest) -> User:
    return cast(User, request.user)


IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    description="Optional; a create sent again with the same key gives the first result.",
)


# --- Schemas ----------------------------------------------------------------------------


class EntryIn(Schema):
    kind: KindKey = Field(
        description="today, my_learning, mistake, can_now, competences, activity or goal"
    )  # type: ignore[valid-type]
    title: name_type(200, required=False) = ""  # type: ignore[valid-type]
    answers: dict[str, text_type(TEXT_MAX, required=False)] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Answer per question key of the kind (see /kinds)."
    )
    occurred_on: date | None = Field(None, description="When it happened: today or earlier.")
    activity_type: Literal["", "formal", "non_formal", "informal"] = ""
    hours: Decimal | None = Field(None, gt=0, le=10000, max_digits=7, decimal_places=2)
    first_step: text_type(TEXT_MAX, required=False) = ""  # type: ignore[valid-type]
    due_date: date | None = None
    status: Literal["open", "done", "dropped"] = "open"


class EntryUpdate(Schema):
    title: name_type(200, required=False) = ""  # type: ignore[valid-type]
    answers: dict[str, text_type(TEXT_MAX, required=False)] = Field(default_factory=dict)  # type: ignore[valid-type]
    occurred_on: date | None = None
    activity_type: Literal["", "formal", "non_formal", "informal"] = ""
    hours: Decimal | None = Field(None, gt=0, le=10000, max_digits=7, decimal_places=2)
    first_step: text_type(TEXT_MAX, required=False) = ""  # type: ignore[valid-type]
    due_date: date | None = None
    status: Literal["open", "done", "dropped"] = "open"


class CertificateOut(Schema):
    content_type: str
    url: str


class EntryOut(Schema):
    id: UUID
    kind: str
    title: str
    answers: dict[str, str]
    occurred_on: date | None
    activity_type: str
    hours: Decimal | None
    first_step: str
    due_date: date | None
    status: str
    certificate: CertificateOut | None
    created_at: datetime
    updated_at: datetime


class PromptOut(Schema):
    key: str
    question: str


class KindOut(Schema):
    key: str
    label: str
    prompts: list[PromptOut]
    fields: list[str]


class ShareIn(Schema):
    target: Literal["entry", "summary", "conversation"]
    entry: UUID | None = Field(None, description="The entry, when target is entry.")
    conversation: UUID | None = Field(
        None, description="The conversation, when target is conversation."
    )
    recipient: name_type(150)  # type: ignore[valid-type]
    days: int = Field(30, ge=1, le=365, description="How long the link opens; 30 by default.")


class ShareOut(Schema):
    id: UUID
    target: str
    entry: UUID | None
    conversation: UUID | None
    recipient: str
    url: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    views: list[datetime]


class ConversationOut(Schema):
    id: UUID
    title: str
    requested_by: str
    organisation: str
    questions: list[str]
    answers: list[str]
    planned_on: date | None
    entries: list[UUID]
    created_at: datetime


class AnswersIn(Schema):
    answers: list[text_type(TEXT_MAX, required=False)] = Field(max_length=20)  # type: ignore[valid-type]
    entries: list[UUID] | None = Field(None, max_length=500)
    planned_on: date | None = None


class ImportOut(Schema):
    entries: int
    conversations: int
    skipped: int


def entry_out(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.public_id,
        "kind": entry.kind,
        "title": entry.title,
        "answers": entry.answers or {},
        "occurred_on": entry.occurred_on,
        "activity_type": entry.activity_type,
        "hours": entry.hours,
        "first_step": entry.first_step,
        "due_date": entry.due_date,
        "status": entry.status,
        "certificate": (
            {
                "content_type": entry.certificate_type,
                "url": f"/api/v1/me/portfolio/entries/{entry.public_id}/certificate",
            }
            if entry.certificate
            else None
        ),
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


def share_out(share: Share) -> dict[str, Any]:
    return {
        "id": share.public_id,
        "target": share.target,
        "entry": share.entry.public_id if share.entry else None,
        "conversation": share.conversation.public_id if share.conversation else None,
        "recipient": share.recipient,
        "url": services.share_url(share),
        "created_at": share.created_at,
        "expires_at": share.expires_at,
        "revoked_at": share.revoked_at,
        "views": [e.at for e in share.events.all() if e.action == ShareEvent.Action.VIEWED],
    }


def conversation_out(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.public_id,
        "title": c.title,
        "requested_by": c.requested_by_label,
        "organisation": c.organisation_name,
        "questions": list(c.questions or []),
        "answers": list(c.answers or []),
        "planned_on": c.planned_on,
        "entries": [e.public_id for e in c.entries.all()],
        "created_at": c.created_at,
    }


# --- Endpoints --------------------------------------------------------------------------


@router.get(
    "/kinds",
    response={200: list[KindOut], **error_responses()},
    summary="Kinds of entry and their questions",
)
def kinds(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": k.key,
            "label": str(k.label),
            "prompts": [{"key": p.key, "question": str(p.question)} for p in k.prompts],
            "fields": list(k.fields),
        }
        for k in KINDS.values()
    ]


@router.get(
    "/entries",
    response={200: list[EntryOut], **error_responses()},
    summary="Your entries, newest first",
)
def list_entries(
    request: HttpRequest,
    kind: KindKey | None = None,  # type: ignore[valid-type]
    q: Query[str] = "",
) -> list[dict[str, Any]]:
    entries = Entry.objects.filter(owner=me(request))
    if kind:
        entries = entries.filter(kind=kind)
    if q:
        entries = entries.search(q[:200])
    return [entry_out(e) for e in entries[:1000]]


@router.post(
    "/entries",
    response={201: EntryOut, 200: EntryOut, **error_responses(400, 413, 422, 429)},
    summary="Add an entry",
)
def create_entry(
    request: HttpRequest, payload: EntryIn, idempotency_key: str | None = IdempotencyKey
) -> Status:
    data = payload.dict()
    kind = data.pop("kind")
    entry, created = services.create_entry(
        owner=me(request),
        kind=kind,
        data=data,
        idempotency_key=idempotency_key,
        actor=me(request),
    )
    return Status(201 if created else 200, entry_out(entry))


@router.get(
    "/entries/{public_id}", response={200: EntryOut, **error_responses(404)}, summary="One entry"
)
def get_entry(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    return entry_out(get_own_entry(me(request), public_id))


@router.put(
    "/entries/{public_id}",
    response={200: EntryOut, **error_responses(400, 404, 422, 429)},
    summary="Change an entry",
)
def update_entry(request: HttpRequest, public_id: UUID, payload: EntryUpdate) -> dict[str, Any]:
    entry = get_own_entry(me(request), public_id)
    services.update_entry(entry, data=payload.dict(), actor=me(request))
    return entry_out(entry)


@router.delete(
    "/entries/{public_id}", response={204: None, **error_responses(404)}, summary="Delete an entry"
)
def delete_entry(request: HttpRequest, public_id: UUID) -> Status:
    services.delete_entry(get_own_entry(me(request), public_id), actor=me(request))
    return Status(204, None)


@router.post(
    "/entries/{public_id}/certificate",
    response={200: EntryOut, **error_responses(400, 404, 413, 422)},
    summary="Attach a certificate (PDF or image, at most 10 MB) to a learning activity",
)
def attach_certificate(
    request: HttpRequest, public_id: UUID, file: File[UploadedFile]
) -> dict[str, Any]:
    entry = get_own_entry(me(request), public_id)
    services.attach_certificate(entry, upload=file, actor=me(request))
    return entry_out(entry)


@router.get(
    "/entries/{public_id}/certificate",
    response={200: None, **error_responses(404)},
    summary="Download an entry's certificate",
)
def get_certificate(request: HttpRequest, public_id: UUID) -> HttpResponseBase:
    entry = get_own_entry(me(request), public_id)
    if not entry.certificate:
        from django.http import Http404

        raise Http404
    name = str(entry.certificate.name)
    extension = name.rsplit(".", 1)[-1]
    response = FileResponse(private_storage.open(name, "rb"), content_type=entry.certificate_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"certificate.{extension}"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/shares",
    response={200: list[ShareOut], **error_responses()},
    summary="Your share links and their views",
)
def list_shares(request: HttpRequest) -> list[dict[str, Any]]:
    shares = (
        Share.objects.filter(owner=me(request))
        .select_related("entry", "conversation")
        .prefetch_related("events")
    )
    return [share_out(s) for s in shares]


@router.post(
    "/shares",
    response={201: ShareOut, 200: ShareOut, **error_responses(400, 404, 422, 429)},
    summary="Make a read-only link to one entry, a summary or a conversation",
)
def create_share(
    request: HttpRequest, payload: ShareIn, idempotency_key: str | None = IdempotencyKey
) -> Status:
    entry = conversation = None
    if payload.target == ShareTarget.ENTRY:
        if payload.entry is None:
            from django.http import Http404

            raise Http404
        entry = get_own_entry(me(request), payload.entry)
    elif payload.target == ShareTarget.CONVERSATION:
        if payload.conversation is None:
            from django.http import Http404

            raise Http404
        conversation = get_own_conversation(me(request), payload.conversation)
    share, created = services.create_share(
        owner=me(request),
        target=payload.target,
        entry=entry,
        conversation=conversation,
        recipient=payload.recipient,
        days=payload.days,
        idempotency_key=idempotency_key,
        actor=me(request),
    )
    return Status(201 if created else 200, share_out(share))


@router.get(
    "/shares/{public_id}",
    response={200: ShareOut, **error_responses(404)},
    summary="One share link and its views",
)
def get_share(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    return share_out(get_own_share(me(request), public_id))


@router.post(
    "/shares/{public_id}/revoke",
    response={200: ShareOut, **error_responses(404)},
    summary="Revoke a share link",
)
def revoke_share(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    share = services.revoke_share(get_own_share(me(request), public_id), actor=me(request))
    return share_out(share)


@router.get(
    "/conversations",
    response={200: list[ConversationOut], **error_responses()},
    summary="Conversations you prepare",
)
def list_conversations(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        conversation_out(c)
        for c in Conversation.objects.filter(owner=me(request)).prefetch_related("entries")
    ]


@router.get(
    "/conversations/{public_id}",
    response={200: ConversationOut, **error_responses(404)},
    summary="One conversation",
)
def get_conversation(request: HttpRequest, public_id: UUID) -> dict[str, Any]:
    return conversation_out(get_own_conversation(me(request), public_id))


@router.put(
    "/conversations/{public_id}/answers",
    response={200: ConversationOut, **error_responses(400, 404, 422, 429)},
    summary="Answer a conversation's questions and choose the entries to bring",
)
def answer_conversation(
    request: HttpRequest, public_id: UUID, payload: AnswersIn
) -> dict[str, Any]:
    conversation = get_own_conversation(me(request), public_id)
    entries = None
    if payload.entries is not None:
        entries = [get_own_entry(me(request), entry_id) for entry_id in payload.entries]
    services.answer_conversation(
        conversation,
        answers=list(payload.answers),
        entries=entries,
        planned_on=payload.planned_on,
        actor=me(request),
    )
    return conversation_out(conversation)


@router.get(
    "/export",
    response={200: dict[str, Any], **error_responses()},
    summary="Everything, as JSON (see EXPORT.md)",
)
def export(request: HttpRequest) -> dict[str, Any]:
    return exports.build(me(request))


@router.post(
    "/import",
    response={200: ImportOut, **error_responses(400, 413, 422)},
    summary="Import an export (zip or JSON)",
)
def import_(request: HttpRequest, file: File[UploadedFile]) -> dict[str, int]:
    return exports.import_portfolio(me(request), file, actor=me(request))
