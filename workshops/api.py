"""Live sessions over the JSON API (/api/v1/join, /api/v1/sessions/...).

Participants authenticate with their token (`Authorization: Bearer lpt_…`) or the cookie
set when they joined; facilitators with their session or personal API token. A participant
token reaches only its own session (404 elsewhere); a facilitator of another organisation
gets 404, a member without the facilitator role 403. Changes go through
workshops.services, like the pages.

The live events themselves (`GET /sessions/{code}/events`) are served by the lean ASGI
endpoint of the realtime package; the endpoint here answers the same request without
streaming (the stored events after Last-Event-ID, then the connection closes and
EventSource reconnects), so pages keep working where that endpoint is not in front.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Query, Router, UploadedFile
from ninja.responses import Status as Reply
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from accounts.api_auth import api_auth
from core.api_errors import ApiError, error_responses
from core.errors import DomainError
from core.net import client_address
from formats.models import Format
from orgs.access import get_membership
from orgs.models import Membership, Role

from . import services
from .access import session_for_user
from .events import participant_cookie_name, replay
from .models import (
    PARTICIPANT_TOKEN_PREFIX,
    LiveSession,
    Participant,
    hash_token,
    normalise_code,
)
from .state import participant_state, step_view, timer_view

router = Router(tags=["live sessions"])
MAX_EVENT_ID = 2**63 - 1


# --- Authentication -----------------------------------------------------------------------


class ParticipantBearer(HttpBearer):
    """`Authorization: Bearer lpt_…`: the participant token returned by /join."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token.startswith(PARTICIPANT_TOKEN_PREFIX):
            return None
        participant = (
            Participant.objects.select_related("session", "session__organisation")
            .filter(token_hash=hash_token(token))
            .first()
        )
        return participant


class ParticipantCookie(APIKeyCookie):
    """The cookie `lp_<CODE>` set when joining through the page or the API."""

    param_name = "lp_CODE"

    def _get_key(self, request: HttpRequest) -> str | None:
        match = request.resolver_match
        code = str(match.kwargs.get("code", "")) if match else ""
        token = request.COOKIES.get(participant_cookie_name(normalise_code(code)))
        if token and request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
            raise ApiError(
                403,
                _("CSRF check failed: send the CSRF token in the X-CSRFToken header."),
                code="csrf_failed",
            )
        return token

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        return ParticipantBearer().authenticate(request, key)


participant_or_user = [ParticipantBearer(), api_auth[0], ParticipantCookie(), *api_auth[1:]]
"""Credentials in a header first (a participant's or a personal API token), then cookies."""


def _caller(request: HttpRequest, code: str) -> tuple[LiveSession, Participant | None]:
    """The session of `code` and the participant calling (None for a facilitator)."""
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, Participant):
        if auth.session.code != normalise_code(code):
            raise ApiError(404, _("Not found."), code="not_found")
        return auth.session, auth
    return session_for_user(auth, code), None


def _facilitator(request: HttpRequest, code: str) -> LiveSession:
    session, participant = _caller(request, code)
    if participant is not None:
        raise ApiError(403, _("Only the facilitator can do this."), code="permission_denied")
    return session


from .api_schemas import (  # noqa: E402
    ActionIn,
    ActionOut,
    ActionPointIn,
    GotoIn,
    GroupsIn,
    HideIn,
    ItemIn,
    JoinIn,
    JoinOut,
    MoveIn,
    NoteEdit,
    NoteIn,
    NoteOut,
    Ok,
    SessionIn,
    SessionOut,
    ShowActionIn,
    SummaryIn,
    TimerIn,
    VoteIn,
    VoteOut,
    note_out,
)


def _ok(session: LiveSession) -> dict[str, Any]:
    return {"status": session.status, "seq": session.last_event_seq}


def _status(created: bool) -> int:
    return 201 if created else 200


# --- Participants -----------------------------------------------------------------------------


@router.post(
    "/join",
    auth=None,
    response={201: JoinOut, **error_responses(400, 404, 429)},
    summary="Join a session with its code",
)
def join(request: HttpRequest, response: HttpResponse, payload: JoinIn) -> Reply:
    participant, token = services.join_session(
        code=payload.code, name=payload.name or "", address=client_address(request)
    )
    session = participant.session
    response.set_cookie(
        participant_cookie_name(session.code),
        token,
        max_age=7 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return Reply(
        201,
        {
            "participant": participant.public_id,
            "token": token,
            "name": participant.display_name,
            "session": {"code": session.code, "title": session.title, "status": session.status},
        },
    )


@router.get(
    "/sessions/{code}/state",
    auth=participant_or_user,
    response={200: dict[str, Any], **error_responses(404)},
    summary="The current step, timer and your own contributions",
)
def state(request: HttpRequest, code: str) -> Any:
    session, participant = _caller(request, code)
    if participant is not None:
        participant.seen()
        return participant_state(session, participant)
    ref = session.current
    return {
        "session": {"code": session.code, "status": session.status, "title": session.title},
        "step": step_view(session, ref, facilitator=True) if ref else None,
        "steps": [
            {"id": r.id, "kind": r.kind, "title": r.step.title or ""} for r in session.steps()
        ],
        "timer": timer_view(session),
        "participants": session.participants.count(),
        "seq": session.last_event_seq,
    }


@router.get(
    "/sessions/{code}/events",
    auth=None,
    response={200: str, **error_responses(400, 404, 422)},
    summary="Live events (Server-Sent Events)",
    description=(
        "Stream of `id`/`event`/`data` lines. Participants pass `?token=`, facilitators their "
        "session cookie. Reconnect with `Last-Event-ID` to get what was missed."
    ),
)
def events(
    request: HttpRequest,
    code: str,
    token: str = Query("", max_length=100),
    last_event_id: int = Query(0, ge=0, le=MAX_EVENT_ID, description="The last id you saw."),
) -> HttpResponse:
    from .events import open_stream

    grant = open_stream(
        code,
        dict(request.headers),
        dict(request.COOKIES),
        {"token": token} if token else {},
    )
    if grant is None:
        raise ApiError(404, _("Not found."), code="not_found")
    header = request.headers.get("Last-Event-ID", "").strip()
    if header and not (header.isdigit() and int(header) <= MAX_EVENT_ID):
        raise ApiError(
            400, _("Last-Event-ID must be a whole number."), code="invalid_last_event_id"
        )
    after = int(header) if header else last_event_id
    lines = ["retry: 2000\n\n"]
    for seq, event, data in replay(code, grant.channels, after):
        lines.append(f"id: {seq}\nevent: {event}\ndata: {data}\n\n")
    return HttpResponse("".join(lines), content_type="text/event-stream")


@router.post(
    "/sessions/{code}/notes",
    auth=participant_or_user,
    response={200: NoteOut, 201: NoteOut, **error_responses(400, 404, 409, 429)},
    summary="Post a note (the same key again stores nothing new)",
)
def post_note(request: HttpRequest, code: str, payload: NoteIn) -> Reply:
    session, participant = _caller(request, code)
    result = services.add_note(
        session,
        participant=participant,
        step_id=payload.step,
        question=payload.question,
        text=payload.text,
        key=payload.key,
    )
    return Reply(_status(result.created), note_out(result.value))


@router.patch(
    "/sessions/{code}/notes/{note_id}",
    auth=participant_or_user,
    response={200: NoteOut, **error_responses(400, 404, 409, 429)},
    summary="Edit one of your notes while the step is open",
)
def edit_note(request: HttpRequest, code: str, note_id: str, payload: NoteEdit) -> Any:
    session, participant = _caller(request, code)
    return note_out(
        services.edit_note(session, participant=participant, note_id=note_id, text=payload.text)
    )


@router.delete(
    "/sessions/{code}/notes/{note_id}",
    auth=participant_or_user,
    response={204: None, **error_responses(404, 409)},
    summary="Delete one of your notes while the step is open",
)
def delete_note(request: HttpRequest, code: str, note_id: str) -> Reply:
    session, participant = _caller(request, code)
    services.delete_note(session, participant=participant, note_id=note_id)
    return Reply(204, None)


@router.post(
    "/sessions/{code}/votes",
    auth=participant_or_user,
    response={200: VoteOut, 201: VoteOut, **error_responses(400, 404, 409, 429)},
    summary="Vote (again, to change your vote while the poll is open)",
)
def post_vote(request: HttpRequest, code: str, payload: VoteIn) -> Reply:
    session, participant = _caller(request, code)
    if participant is None:
        raise ApiError(403, _("Only participants vote."), code="permission_denied")
    result = services.cast_vote(
        session,
        participant=participant,
        step_id=payload.step,
        choice=payload.choice,
        key=payload.key,
        item=payload.item,
    )
    vote = result.value
    return Reply(
        _status(result.created), {"step": vote.step_id, "item": vote.item, "choice": vote.choice}
    )


@router.post(
    "/sessions/{code}/actions",
    auth=participant_or_user,
    response={200: ActionOut, 201: ActionOut, **error_responses(400, 404, 409, 429)},
    summary="Write your personal action (optionally with your e-mail address)",
)
def post_action(request: HttpRequest, code: str, payload: ActionIn) -> Reply:
    session, participant = _caller(request, code)
    if participant is None:
        raise ApiError(
            403, _("Only participants write a personal action."), code="permission_denied"
        )
    result = services.submit_action(
        session,
        participant=participant,
        text=payload.text,
        email=payload.email,
        show_name=payload.show_name,
        key=payload.key,
        language=get_language() or "",
    )
    action = result.value
    return Reply(
        _status(result.created),
        {
            "id": str(action.public_id),
            "text": action.text,
            "show_name": action.show_name,
            "email_given": bool(action.email),
        },
    )


@router.post(
    "/sessions/{code}/groups/{group_id}/summary",
    auth=participant_or_user,
    response={200: dict[str, Any], 201: dict[str, Any], **error_responses(400, 404, 409, 429)},
    summary="Write your group's summary (last write wins; the history is kept)",
)
def post_group_summary(request: HttpRequest, code: str, group_id: str, payload: SummaryIn) -> Reply:
    session, participant = _caller(request, code)
    result = services.write_group_summary(
        session, participant=participant, group_id=group_id, text=payload.text, key=payload.key
    )
    return Reply(
        _status(result.created), {"group": result.value.group.number, "text": result.value.text}
    )


# --- Facilitators ------------------------------------------------------------------------------


@router.post(
    "/sessions",
    response={201: SessionOut, **error_responses(400, 403, 404)},
    summary="Start a live session from a format",
)
def create_session(request: HttpRequest, payload: SessionIn) -> Reply:
    user = request.auth  # type: ignore[attr-defined]
    if payload.organisation:
        membership = get_membership(user, payload.organisation, role=Role.FACILITATOR)
    else:
        memberships = [
            m
            for m in Membership.objects.filter(user=user).select_related("organisation")
            if m.has_role(Role.FACILITATOR)
        ]
        if len(memberships) != 1:
            raise DomainError(_("Say in which organisation (organisation: its short name)."))
        membership = memberships[0]
    organisation = membership.organisation
    formats = Format.objects.visible_to(organisation).select_related("current_version")
    try:
        fmt = formats.filter(public_id=UUID(payload.format)).first()
    except ValueError:
        fmt = formats.filter(slug=payload.format).order_by("is_builtin").first()
    if fmt is None:
        raise ApiError(404, _("There is no such format in your library."), code="not_found")
    session = services.start_session(
        organisation=organisation,
        fmt=fmt,
        actor=user,
        title=payload.title,
        planned_on=date.fromisoformat(payload.date) if payload.date else None,
    )
    return Reply(201, _session_out(request, session))


def _session_out(request: HttpRequest, session: LiveSession) -> dict[str, Any]:
    return {
        "code": session.code,
        "id": session.public_id,
        "status": session.status,
        "title": session.title,
        "date": session.planned_on,
        "join_url": request.build_absolute_uri(reverse("workshop_join", args=[session.code])),
        "console_url": request.build_absolute_uri(
            reverse("workshop_console", args=[session.organisation.slug, session.public_id])
        ),
    }


def _control(summary: str, path: str, **extra: Any) -> Any:
    return router.post(
        f"/sessions/{{code}}/{path}",
        response={200: Ok, **error_responses(400, 403, 404, 409)},
        summary=summary,
        **extra,
    )


@_control("Go to the next step", "next")
def next_step(request: HttpRequest, code: str) -> Any:
    session = _facilitator(request, code)
    return _ok(services.next_step(session, actor=request.auth))  # type: ignore[attr-defined]


@_control("Go back one step", "back")
def previous_step(request: HttpRequest, code: str) -> Any:
    session = _facilitator(request, code)
    return _ok(services.previous_step(session, actor=request.auth))  # type: ignore[attr-defined]


@_control("Jump to a step", "goto")
def goto(request: HttpRequest, code: str, payload: GotoIn) -> Any:
    session = _facilitator(request, code)
    return _ok(services.go_to_step(session, step_id=payload.step, actor=request.auth))  # type: ignore[attr-defined]


@_control("Show a discussion item or world-café round", "item")
def item(request: HttpRequest, code: str, payload: ItemIn) -> Any:
    session = _facilitator(request, code)
    return _ok(services.set_item(session, index=payload.index, actor=request.auth))  # type: ignore[attr-defined]


@_control("Start, pause or extend the timer", "timer")
def timer(request: HttpRequest, code: str, payload: TimerIn) -> Any:
    session = _facilitator(request, code)
    actor = request.auth  # type: ignore[attr-defined]
    if payload.action == "start":
        services.start_timer(session, seconds=payload.seconds, actor=actor)
    elif payload.action == "pause":
        services.pause_timer(session, actor=actor)
    elif payload.action == "extend":
        services.extend_timer(session, seconds=payload.seconds or 60, actor=actor)
    else:
        raise DomainError(_("The timer action is start, pause or extend."))
    return _ok(session)


@_control("Split everyone into groups for the current step", "groups")
def groups(request: HttpRequest, code: str, payload: GroupsIn) -> Any:
    session = _facilitator(request, code)
    services.make_groups(session, count=payload.count, actor=request.auth)  # type: ignore[attr-defined]
    return _ok(session)


@_control("Move a participant to another group", "groups/move")
def move(request: HttpRequest, code: str, payload: MoveIn) -> Any:
    session = _facilitator(request, code)
    actor = request.auth  # type: ignore[attr-defined]
    services.move_participant(
        session, participant_id=payload.participant, group_id=payload.group, actor=actor
    )
    return _ok(session)


@_control("Hide or show a note", "notes/{note_id}/hide")
def hide(request: HttpRequest, code: str, note_id: str, payload: HideIn) -> Any:
    session = _facilitator(request, code)
    services.hide_note(session, note_id=note_id, hidden=payload.hidden, actor=request.auth)  # type: ignore[attr-defined]
    return _ok(session)


@_control("Show a personal action on the presenter screen (null hides it)", "show-action")
def show_action(request: HttpRequest, code: str, payload: ShowActionIn) -> Any:
    session = _facilitator(request, code)
    services.show_action(session, action_id=payload.action, actor=request.auth)  # type: ignore[attr-defined]
    return _ok(session)


@router.post(
    "/sessions/{code}/action-points",
    response={200: dict[str, Any], 201: dict[str, Any], **error_responses(400, 403, 404, 409)},
    summary="Record an action point",
)
def post_action_point(request: HttpRequest, code: str, payload: ActionPointIn) -> Reply:
    session = _facilitator(request, code)
    result = services.add_action_point(
        session,
        text=payload.text,
        owner=payload.owner,
        first_step=payload.first_step,
        due_date=payload.due_date,
        evaluation_date=payload.evaluation_date,
        key=payload.key,
        actor=request.auth,  # type: ignore[attr-defined]
    )
    point = result.value
    return Reply(_status(result.created), {"id": str(point.public_id), "text": point.text})


@router.post(
    "/sessions/{code}/photos",
    response={201: dict[str, Any], **error_responses(400, 403, 404, 409, 413)},
    summary="Upload a photo (JPEG, PNG or WebP, at most 10 MB; metadata is removed)",
)
def post_photo(request: HttpRequest, code: str, photo: File[UploadedFile]) -> Reply:
    session = _facilitator(request, code)
    stored = services.add_photo(session, upload=photo, actor=request.auth)  # type: ignore[attr-defined]
    return Reply(201, {"id": str(stored.public_id), "width": stored.width, "height": stored.height})


@_control("End the session", "end")
def end(request: HttpRequest, code: str) -> Any:
    session = _facilitator(request, code)
    return _ok(services.end_session(session, actor=request.auth))  # type: ignore[attr-defined]


# --- Deleting a waiting session (issue 12) ---------------------------------------------------


@router.delete(
    "/sessions/{code}",
    response={204: None, **error_responses(403, 404, 409)},
    summary="Delete a session still waiting for its first step (with its participants)",
)
def delete_session(request: HttpRequest, code: str) -> Reply:
    session = _facilitator(request, code)
    services.delete_waiting_session(session, actor=request.auth)  # type: ignore[attr-defined]
    return Reply(204, None)
