"""Pages of a session's summary: the facilitator's (with their own summary, the time per
phase and the downloads), the participants' after the end (on the phone, or by the link of
the e-mail, without an account) and its PDF and Markdown.

Who reads decides what the summary shows (`summary.Reader`): the facilitator everything,
participants no time table and only the personal actions their authors shared.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import ratelimit
from core.errors import DomainError
from core.net import client_address

from . import services
from .access import facilitated_session
from .models import RECAP_MAX_LENGTH, LiveSession, PersonalAction, Photo, Status
from .services.lifecycle import can_reopen
from .summary import (
    EVERYONE,
    FACILITATOR,
    Reader,
    build_summary,
    render_recap,
    to_markdown,
    to_pdf,
)


def _wants_fragment(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or request.GET.get("fragment") == "1"


def summary_context(session: LiveSession, reader: Reader) -> dict[str, Any]:
    summary = build_summary(session, reader=reader)
    return {
        "session": session,
        "summary": summary,
        "recap_html": render_recap(summary["recap"]),
        "photos": list(Photo.objects.filter(session=session)),
        "offer_url": _offer_url(session),
    }


def _offer_url(session: LiveSession) -> str | None:
    """The organisation's public learning offer, shown at the session's close (when the
    `learning` app is installed and the page is on with items on offer)."""
    from django.apps import apps

    if not apps.is_installed("learning"):
        return None
    from learning.offer import offer_link

    return offer_link(session.organisation)


@require_GET
def summary_page(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    _membership, session = facilitated_session(request.user, slug, public_id)
    return _facilitator_summary(request, session)


def _facilitator_summary(
    request: HttpRequest, session: LiveSession, *, status: int = 200, **extra: Any
) -> HttpResponse:
    slug, public_id = session.organisation.slug, session.public_id
    context = summary_context(session, FACILITATOR)
    context.update(
        facilitator=True,
        can_reopen=can_reopen(session),
        pdf_url=reverse("workshop_summary_pdf", args=[slug, public_id]),
        md_url=reverse("workshop_summary_md", args=[slug, public_id]),
        photo_base=reverse("workshop_console", args=[slug, public_id]) + "photos/",
        emails=PersonalAction.objects.filter(session=session, is_current=True)
        .exclude(email="")
        .count(),
        recap_url=reverse("workshop_summary_recap", args=[slug, public_id]),
        recap_preview_url=reverse("workshop_summary_recap_preview", args=[slug, public_id]),
        recap_text=session.recap,
        recap_max=RECAP_MAX_LENGTH,
    )
    context.update(extra)
    return render(request, "workshops/summary.html", context, status=status)


def _markdown_response(session: LiveSession) -> HttpResponse:
    response = HttpResponse(
        to_markdown(build_summary(session, reader=FACILITATOR)),
        content_type="text/markdown; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="lerend-{session.code}.md"'
    return response


def _pdf_response(request: HttpRequest, session: LiveSession, reader: Reader) -> HttpResponse:
    summary = build_summary(session, reader=reader)
    pdf = to_pdf(session, summary, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="lerend-{session.code}.pdf"'
    return response


@require_GET
def summary_md(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    return _markdown_response(facilitated_session(request.user, slug, public_id)[1])


@require_GET
def summary_pdf(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404
    session = facilitated_session(request.user, slug, public_id)[1]
    return _pdf_response(request, session, FACILITATOR)


@require_GET
def shared_summary(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The summary link in the e-mail: only for an ended session."""
    session = LiveSession.objects.filter(public_id=public_id, status=Status.ENDED).first()
    if session is None:
        raise Http404
    context = summary_context(session, EVERYONE)
    context["photo_base"] = f"/s/{session.public_id}/photos/"
    return render(request, "workshops/summary.html", context)


@require_GET
def shared_summary_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The summary as a PDF, for the phones after the end and the e-mail's link: no account,
    as long as the session (and so its summary) is kept."""
    session = LiveSession.objects.filter(public_id=public_id, status=Status.ENDED).first()
    if session is None:
        raise Http404
    try:
        ratelimit.check(
            f"summary-pdf:{client_address(request)}",
            20,
            60,
            message=_("Too many downloads at once. Try again in a minute."),
        )
    except DomainError as error:
        response = HttpResponse(error.message, status=429, content_type="text/plain")
        response["Retry-After"] = str(getattr(error, "retry_after", 60))
        return response
    return _pdf_response(request, session, EVERYONE)


# --- The facilitator's summary (recap) ------------------------------------------------------


@require_POST
def summary_recap(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    """Save the facilitator's summary (Markdown) shown at the top of the session's summary."""
    if not request.user.is_authenticated:
        raise Http404
    _membership, session = facilitated_session(request.user, slug, public_id)
    text = request.POST.get("recap", "")
    try:
        services.write_recap(session, text=text, actor=request.user)
    except DomainError as error:
        return _facilitator_summary(
            request, session, status=error.status, recap_text=text, recap_error=error.message
        )
    messages.success(request, _("Your summary is saved."))
    return redirect(reverse("workshop_summary", args=[slug, public_id]) + "#recap")


@require_POST
def summary_recap_preview(request: HttpRequest, slug: str, public_id: uuid.UUID) -> HttpResponse:
    """The facilitator's summary as it will read, without saving it: the preview fragment for
    htmx, the whole page (with the text still in the box) without JavaScript."""
    if not request.user.is_authenticated:
        raise Http404
    _membership, session = facilitated_session(request.user, slug, public_id)
    text = request.POST.get("recap", "")
    try:
        preview, error = render_recap(services.clean_recap(text)), ""
    except DomainError as exc:
        preview, error = render_recap(""), exc.message
    context = {"recap_preview": preview, "recap_error": error, "previewed": True}
    if _wants_fragment(request):
        return render(request, "workshops/_recap_form.html#recap-preview", context)
    return _facilitator_summary(
        request, session, status=400 if error else 200, recap_text=text, **context
    )
