"""The API of a session's summary: JSON, Markdown and PDF for the facilitator and (once the
session ended) its participants, the facilitator's own summary (`recap`), and mailing it.

Kept apart from workshops.api (which it builds on) so that neither module grows past what
one person reads at once; mounted beside it in lerend/api.py.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from core.api_errors import ApiError, error_responses

from . import services
from .api import _caller, _facilitator, participant_or_user
from .api_schemas import RecapIn
from .models import LiveSession, Status
from .summary import FACILITATOR, build_summary, participant_reader, to_markdown, to_pdf

summary_router = Router(tags=["live sessions"])


@summary_router.post(
    "/sessions/{code}/email-summary",
    response={200: dict[str, int], **error_responses(403, 404, 409)},
    summary="E-mail the summary to the participants who left an address",
)
def email_summary(request: HttpRequest, code: str) -> Any:
    session = _facilitator(request, code)
    return {"queued": services.email_summary(session, actor=request.auth)}  # type: ignore[attr-defined]


# --- Summary ----------------------------------------------------------------------------------


def _summary_session(request: HttpRequest, code: str) -> tuple[LiveSession, dict[str, Any]]:
    """The session and its summary for the caller: the facilitator's (with the time per
    phase) or a participant's (their own action marked, others' only when shared)."""
    session, participant = _caller(request, code)
    if participant is not None and session.status != Status.ENDED:
        raise ApiError(409, _("The summary is ready when the session ends."), code="not_ended")
    reader = participant_reader(participant) if participant is not None else FACILITATOR
    return session, build_summary(session, reader=reader)


@summary_router.get(
    "/sessions/{code}/summary",
    auth=participant_or_user,
    response={200: dict[str, Any], **error_responses(404, 409)},
    summary="The summary (JSON)",
)
def summary(request: HttpRequest, code: str) -> Any:
    return _summary_session(request, code)[1]


@summary_router.api_operation(
    ["PUT", "PATCH"],
    "/sessions/{code}/summary",
    response={200: dict[str, Any], **error_responses(400, 403, 404)},
    summary="Write the facilitator's summary (Markdown, `recap`; empty removes it)",
)
def put_recap(request: HttpRequest, code: str, payload: RecapIn) -> Any:
    session = _facilitator(request, code)
    services.write_recap(session, text=payload.recap, actor=request.auth)  # type: ignore[attr-defined]
    return build_summary(session, reader=FACILITATOR)


@summary_router.get(
    "/sessions/{code}/summary.md",
    auth=participant_or_user,
    response={200: str, **error_responses(404, 409)},
    summary="The summary (Markdown)",
)
def summary_markdown(request: HttpRequest, code: str) -> HttpResponse:
    session, data = _summary_session(request, code)
    response = HttpResponse(to_markdown(data), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="lerend-{session.code}.md"'
    return response


@summary_router.get(
    "/sessions/{code}/summary.pdf",
    auth=participant_or_user,
    response={200: bytes, **error_responses(404, 409)},
    summary="The summary (PDF)",
)
def summary_pdf(request: HttpRequest, code: str) -> HttpResponse:
    session, data = _summary_session(request, code)
    pdf = to_pdf(session, data, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="lerend-{session.code}.pdf"'
    return response
