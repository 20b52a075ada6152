"""Pages of live sessions: the facilitator's console and presenter screen, the participant's
phone page and joining; the summary's pages are in `summary_views`.

Every page works without JavaScript (forms post and redirect back); live.js adds the live
updates (EventSource, then a fetch of the page's fragment) and the participant's outbox.
Facilitator pages go through `facilitated_session` (404 for another organisation, 403 for
a member); participant pages through the session's cookie.
"""

from __future__ import annotations

import uuid
from typing import Any

import segno
from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.net import client_address
from formats.models import Format
from orgs.access import org_view
from orgs.models import Role

from . import services
from .access import facilitated_session, session_by_code
from .events import participant_cookie_name
from .forms import StartSessionForm
from .models import (
    LiveSession,
    Participant,
    Photo,
    Status,
    hash_token,
    normalise_code,
)
from .services.lifecycle import reopen_session
from .state import participant_state, screen_state
from .summary import participant_reader
from .summary_views import summary_context

COOKIE_AGE = 7 * 24 * 3600


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or request.GET.get("fragment") == "1"


def _is_fetch(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


# --- Facilitator -------------------------------------------------------------------------


@org_view(role=Role.FACILITATOR)
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    sessions = LiveSession.objects.filter(organisation=organisation)[:50]
    formats = Format.objects.visible_to(organisation).exclude(current_version=None)
    return render(
        request,
        "workshops/list.html",
        {"sessions": sessions, "formats": formats, "section": "workshops"},
    )


# --- Starting and deleting a session (issue 12) ------------------------------------------


def _chosen_format(request: HttpRequest, value: str) -> Format | None:
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        public_id = uuid.UUID(value)
    except ValueError:
        return None
    return (
        Format.objects.visible_to(organisation)
        .exclude(current_version=None)
        .filter(public_id=public_id)
        .first()
    )


@org_view(role=Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """GET: the form that asks for the session's title and date (the format's title and
    today by default); POST: start the session and open its console."""
    organisation = request.organisation  # type: ignore[attr-defined]
    source = request.POST if request.method == "POST" else request.GET
    fmt = _chosen_format(request, source.get("format", ""))
    if fmt is None:
        messages.error(request, _("Choose a format from your library."))
        return redirect("workshop_list", organisation.slug)
    form = StartSessionForm(
        request.POST if request.method == "POST" else None, format_title=fmt.title
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = services.start_session(
                organisation=organisation,
                fmt=fmt,
                actor=request.user,
                title=form.cleaned_data["title"],
                planned_on=form.cleaned_data["planned_on"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("workshop_console", organisation.slug, session.public_id)
    return render(
        request,
        "workshops/start.html",
        {"form": form, "format": fmt, "section": "workshops"},
        status=400 if form.is_bound else 200,
    )


@org_view(role=Role.FACILITATOR)
@require_POST
def delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Delete a session still waiting for its first step; without `confirm=yes` the page
    that asks for the confirmation."""
    slug = request.organisation.slug  # type: ignore[attr-defined]
    _membership, session = facilitated_session(request.user, slug, public_id)
    if request.POST.get("confirm") != "yes" and services.can_delete(session):
        return render(
            request, "workshops/delete.html", {"session": session, "section": "workshops"}
        )
    title = session.title
    try:
        services.delete_waiting_session(session, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("workshop_console", slug, public_id)
    messages.success(request, _("The session “%(title)s” was deleted.") % {"title": title})
    return redirect("workshop_list", slug)


# --- The screens -------------------------------------------------------------------------


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    return qr.svg_data_uri(scale=8, border=2, dark="#000", light="#fff")


def _screen_context(request: HttpRequest, session: LiveSession) -> dict[str, Any]:
    join_url = request.build_absolute_uri(reverse("workshop_join", args=[session.code]))
    context = screen_state(session)
    context.update(
        join_url=join_url,
        events_url=f"/api/v1/sessions/{session.code}/events",
        new_key=uuid.uuid4(),
    )
    return context


@require_GET
def console(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    _membership, session = facilitated_session(request.user, slug, public_id)
    context = _screen_context(request, session)
    context["fragment_url"] = f"{request.path}?fragment=1"
    template = "workshops/console.html"
    if _wants_fragment(request):
        template += "#live"
    return render(request, template, context)


@require_GET
def present(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    _membership, session = facilitated_session(request.user, slug, public_id)
    context = _screen_context(request, session)
    context["qr"] = _qr_svg(context["join_url"])
    context["fragment_url"] = f"{request.path}?fragment=1"
    template = "workshops/present.html"
    if _wants_fragment(request):
        template += "#live"
    return render(request, template, context)


def _int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@require_POST
def control(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    """Every button of the console posts here with `action`."""
    if not request.user.is_authenticated:
        raise Http404
    _membership, session = facilitated_session(request.user, slug, public_id)
    actor = request.user
    data = request.POST
    action = data.get("action", "")
    try:
        if action == "next":
            services.next_step(session, actor=actor)
        elif action == "back":
            services.previous_step(session, actor=actor)
        elif action == "goto":
            services.go_to_step(session, step_id=data.get("step", ""), actor=actor)
        elif action == "item":
            services.set_item(session, index=_int(data.get("index")) or 0, actor=actor)
        elif action == "timer_start":
            minutes = _int(data.get("minutes"))
            services.start_timer(session, seconds=minutes * 60 if minutes else None, actor=actor)
        elif action == "timer_pause":
            services.pause_timer(session, actor=actor)
        elif action == "timer_extend":
            services.extend_timer(
                session, seconds=(_int(data.get("minutes"), 1) or 1) * 60, actor=actor
            )
        elif action == "groups":
            services.make_groups(session, count=_int(data.get("count")), actor=actor)
        elif action == "move":
            services.move_participant(
                session,
                participant_id=data.get("participant", ""),
                group_id=data.get("group", ""),
                actor=actor,
            )
        elif action in ("hide", "unhide"):
            services.hide_note(
                session, note_id=data.get("note", ""), hidden=action == "hide", actor=actor
            )
        elif action == "scribe":
            services.set_scribe(
                session, participant_id=data.get("participant") or None, actor=actor
            )
        elif action == "hands_up":
            services.set_hands_up(session, on=data.get("on") == "1", actor=actor)
        elif action == "scan":
            services.show_scan_results(
                session,
                on=data.get("on") == "1",
                actor=actor,
                question=_int(data.get("question")),
            )
        elif action == "show_action":
            services.show_action(
                session, action_id=data.get("personal_action") or None, actor=actor
            )
        elif action == "note":
            services.add_note(
                session,
                participant=None,
                step_id=data.get("step", ""),
                question=_int(data.get("question"), 0),
                text=data.get("text", ""),
                key=data.get("key", ""),
            )
        elif action == "action_point":
            services.add_action_point(
                session,
                text=data.get("text", ""),
                owner=data.get("owner", ""),
                first_step=data.get("first_step", ""),
                due_date=data.get("due_date") or None,
                evaluation_date=data.get("evaluation_date") or None,
                key=data.get("key", ""),
                actor=actor,
            )
        elif action == "photo":
            services.add_photo(session, upload=request.FILES.get("photo"), actor=actor)
        elif action == "review_pick":
            services.pick_for_review(
                session,
                step_id=data.get("step", ""),
                team=data.get("team", ""),
                theme=data.get("theme", ""),
                from_session=data.get("from_session", ""),
                actor=actor,
            )
        elif action == "review":
            services.review_action(
                session,
                step_id=data.get("step", ""),
                action_id=data.get("review_action", ""),
                status=data.get("status") or None,
                note=data.get("note", ""),
                actor=actor,
            )
        elif action == "end":
            services.end_session(session, actor=actor)
            return redirect("workshop_summary", slug, session.public_id)
        elif action == "reopen":
            reopen_session(session, actor=actor)
        elif action == "email":
            count = services.email_summary(session, actor=actor)
            messages.success(
                request,
                ngettext(
                    "The summary is being sent to %(n)s address.",
                    "The summary is being sent to %(n)s addresses.",
                    count,
                )
                % {"n": count},
            )
            return redirect("workshop_summary", slug, session.public_id)
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except DomainError as error:
        if _is_fetch(request):
            return JsonResponse({"detail": error.message, "code": error.code}, status=error.status)
        messages.error(request, error.message)
    if _is_fetch(request):
        return HttpResponse(status=204)
    back = reverse("workshop_console", args=[slug, session.public_id])
    anchor = data.get("anchor", "")
    return redirect(f"{back}#{anchor}" if anchor.isidentifier() else back)


def _photo_response(session: LiveSession, photo_id: uuid.UUID) -> FileResponse:
    photo = Photo.objects.filter(session=session, public_id=photo_id).first()
    if photo is None or not photo.image:
        raise Http404
    response = FileResponse(photo.image.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def facilitator_photo(
    request: HttpRequest, slug: str, public_id: uuid.UUID, photo_id: uuid.UUID
) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404
    return _photo_response(facilitated_session(request.user, slug, public_id)[1], photo_id)


# --- Participants ---------------------------------------------------------------------------


def _participant(request: HttpRequest, code: str) -> Participant | None:
    token = request.COOKIES.get(participant_cookie_name(code), "")
    if not token:
        return None
    return (
        Participant.objects.select_related("session", "session__organisation")
        .filter(token_hash=hash_token(token), session__code=code)
        .first()
    )


@require_GET
def join_lookup(request: HttpRequest) -> HttpResponse:
    """The code form of the home page: GET /j/?code=ABC234."""
    code = normalise_code(request.GET.get("code", ""))
    if not code:
        return render(request, "workshops/join.html", {"code": "", "error": None}, status=200)
    return redirect("workshop_join", code)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    normal = normalise_code(code)
    if normal != code:
        return redirect("workshop_join", normal)
    participant = _participant(request, code)
    if participant is not None and request.method == "GET":
        return participant_page(request, participant)
    if request.method == "POST":
        try:
            participant, token = services.join_session(
                code=code, name=request.POST.get("name", ""), address=client_address(request)
            )
        except DomainError as error:
            return render(
                request,
                "workshops/join.html",
                {"code": code, "error": error.message, "name": request.POST.get("name", "")},
                status=error.status,
            )
        response = redirect("workshop_join", code)
        response.set_cookie(
            participant_cookie_name(code),
            token,
            max_age=COOKIE_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response
    session = session_by_code(code)
    if session is None:
        return render(
            request,
            "workshops/join.html",
            {
                "code": code,
                "error": _(
                    "There is no open session with this code. Check the code and try again."
                ),
            },
            status=404,
        )
    return render(request, "workshops/join.html", {"code": code, "session": session})


def participant_page(request: HttpRequest, participant: Participant) -> HttpResponse:
    session = participant.session
    if session.status == Status.ENDED:
        context = summary_context(session, participant_reader(participant))
        context["photo_base"] = f"/j/{session.code}/photos/"
        context["shared_url"] = reverse("workshop_shared_summary", args=[session.public_id])
        context["shared_pdf_url"] = reverse("workshop_shared_summary_pdf", args=[session.public_id])
        if _wants_fragment(request):
            return HttpResponse(status=286)  # htmx: stop polling; live.js reloads on "ended"
        return render(request, "workshops/summary.html", context)
    participant.seen()
    state = participant_state(session, participant)
    context = {
        "session": session,
        "participant": participant,
        "state": state,
        "step": state["step"],
        "me": state["me"],
        "new_key": uuid.uuid4(),
        "events_url": f"/api/v1/sessions/{session.code}/events",
        "fragment_url": f"/j/{session.code}/?fragment=1",
    }
    template = "workshops/participant.html"
    if _wants_fragment(request):
        template += "#live"
    return render(request, template, context)


@require_POST
def participant_do(request: HttpRequest, code: str) -> HttpResponse:
    """Every form of the participant page posts here with `what` (and a client key)."""
    participant = _participant(request, code)
    if participant is None:
        raise Http404
    session = participant.session
    data = request.POST
    what = data.get("what", "")
    try:
        if what == "note":
            services.add_note(
                session,
                participant=participant,
                step_id=data.get("step", ""),
                question=_int(data.get("question"), -1),
                text=data.get("text", ""),
                key=data.get("key", ""),
            )
        elif what == "edit_note":
            services.edit_note(
                session,
                participant=participant,
                note_id=data.get("note", ""),
                text=data.get("text", ""),
            )
        elif what == "delete_note":
            services.delete_note(session, participant=participant, note_id=data.get("note", ""))
        elif what == "vote":
            services.cast_vote(
                session,
                participant=participant,
                step_id=data.get("step", ""),
                choice=data.get("choice", ""),
                item=data.get("item", ""),
                key=data.get("key", ""),
            )
        elif what == "action":
            services.submit_action(
                session,
                participant=participant,
                text=data.get("text", ""),
                email=data.get("email", ""),
                show_name=data.get("show_name") == "on",
                key=data.get("key", ""),
                step_id=data.get("step") or None,
                language=get_language() or "",
            )
        elif what == "summary":
            services.write_group_summary(
                session,
                participant=participant,
                group_id=data.get("group", ""),
                text=data.get("text", ""),
                key=data.get("key", ""),
            )
        else:
            return HttpResponseBadRequest(_("Unknown action."))
    except DomainError as error:
        if _is_fetch(request):
            return JsonResponse({"detail": error.message, "code": error.code}, status=error.status)
        messages.error(request, error.message)
        return redirect("workshop_join", code)
    if _is_fetch(request):
        return HttpResponse(status=204)
    messages.success(request, _("Sent."))
    return redirect("workshop_join", code)


@require_GET
def participant_photo(request: HttpRequest, code: str, photo_id: uuid.UUID) -> FileResponse:
    participant = _participant(request, code)
    if participant is None:
        raise Http404
    return _photo_response(participant.session, photo_id)


@require_GET
def shared_photo(request: HttpRequest, public_id: uuid.UUID, photo_id: uuid.UUID) -> FileResponse:
    session = LiveSession.objects.filter(public_id=public_id, status=Status.ENDED).first()
    if session is None:
        raise Http404
    return _photo_response(session, photo_id)
