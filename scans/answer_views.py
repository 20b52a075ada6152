"""The respondent's pages: no account, phone first, one form, sent once.

`/s/<code>/` answers for a team (the team link and its QR code), `/s/i/<token>/` for a
personal invitation. Both render the same form and post to themselves; the service checks
everything. The hidden client key makes sending idempotent: a reload of the "thank you"
page, a double tap or a retry after a lost connection stores nothing new. Nothing about the
request (address, browser, time) is stored or logged with the answers.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import DomainError

from . import services
from .models import Campaign, CampaignNode, CampaignState, ScanInvitation, hash_secret
from .questionnaire import ScanQuestionnaire


def answers_from_post(questionnaire: ScanQuestionnaire, post: Any) -> tuple[dict, dict]:
    answers: dict[str, Any] = {}
    other: dict[str, str] = {}
    for q in questionnaire.questions:
        name = f"q-{q.key}"
        if q.kind == "multiple_choice":
            values = post.getlist(name)
            if values:
                answers[q.key] = values
        elif post.get(name, "") != "":
            answers[q.key] = post.get(name)
        text = post.get(f"other-{q.key}", "")
        if text.strip():
            other[q.key] = text
    return answers, other


def _state(campaign: Campaign) -> str | None:
    """None while the campaign takes answers, else "not_open" or "closed"."""
    if campaign.accepts_responses():
        return None
    if campaign.state == CampaignState.DRAFT:
        return "not_open"
    opens_at = campaign.opens_at
    if campaign.state == CampaignState.OPEN and opens_at is not None and timezone.now() < opens_at:
        return "not_open"
    return "closed"


def form_sections(
    questionnaire: ScanQuestionnaire,
    values: dict[str, list[str]],
    field_errors: dict[str, str] | None = None,
) -> list[dict]:
    """The questionnaire as the template needs it, with what was sent ticked again and the
    server's message at each question that needs one."""
    field_errors = field_errors or {}
    sections = []
    for s_index, section in enumerate(questionnaire.sections):
        questions = []
        for q in section.questions:
            name = f"q-{q.key}"
            chosen = values.get(name, [])
            item: dict[str, Any] = {
                "q": q,
                "name": name,
                "id": f"q{s_index}-{q.key}",
                "multiple": q.kind == "multiple_choice",
                "text_value": chosen[0] if chosen and q.kind == "open_text" else "",
                "error": field_errors.get(q.key),
            }
            if q.kind != "open_text":
                other_key = getattr(getattr(q, "other_option", None), "key", None)
                item["options"] = [
                    {
                        "key": key,
                        "label": label,
                        "checked": key in chosen,
                        "id": f"{item['id']}-{key}",
                        "is_other": key == other_key,
                    }
                    for key, label in (
                        q.labels().items()
                        if q.kind != "scale"
                        else ((k, k) for k in q.option_keys())
                    )
                ]
                if other_key:
                    item["other_name"] = f"other-{q.key}"
                    item["other_value"] = (values.get(f"other-{q.key}") or [""])[0]
            questions.append(item)
        sections.append({"section": section, "questions": questions})
    return sections


DEVICE_COOKIE = "lerend_device"
"""The answer page's device key (also kept in localStorage by answer.js): random, sent
with the answers and stored only as a keyed hash per campaign (see services.device_hash)."""
DEVICE_MAX_AGE = 400 * 24 * 3600


def _device_key(request: HttpRequest) -> str:
    posted = request.POST.get("device_key") if request.method == "POST" else None
    for candidate in (posted, request.COOKIES.get(DEVICE_COOKIE)):
        if isinstance(candidate, str) and services.CLIENT_KEY.match(candidate):
            return candidate
    return secrets.token_urlsafe(24)


def _with_device_cookie(request: HttpRequest, response: HttpResponse, key: str) -> HttpResponse:
    if request.COOKIES.get(DEVICE_COOKIE) != key:
        response.set_cookie(
            DEVICE_COOKIE,
            key,
            max_age=DEVICE_MAX_AGE,
            path="/s/",
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def missing_required(questionnaire: ScanQuestionnaire, answers: dict, other: dict) -> list[str]:
    """Keys of the required questions without an answer, for messages at each field."""
    missing = []
    for q in questionnaire.questions:
        value = answers.get(q.key)
        if q.required and value in (None, "", []) and not str(other.get(q.key, "")).strip():
            missing.append(q.key)
    return missing


def _render_form(
    request: HttpRequest,
    campaign: Campaign,
    node: CampaignNode,
    *,
    storage_key: str,
    device_key: str,
    error: str | None = None,
    status: int = 200,
    field_errors: dict[str, str] | None = None,
    answered_before: bool = False,
) -> HttpResponse:
    questionnaire = campaign.questionnaire
    posted = request.POST if request.method == "POST" else None
    values: dict[str, list[str]] = {}
    if posted is not None:
        for name in posted:
            values[name] = posted.getlist(name)
    client_key = (posted.get("client_key") if posted else None) or secrets.token_urlsafe(16)
    if not isinstance(client_key, str) or not services.CLIENT_KEY.match(client_key):
        client_key = secrets.token_urlsafe(16)
    response = render(
        request,
        "scans/answer.html",
        {
            "campaign": campaign,
            "node": node,
            "questionnaire": questionnaire,
            "question_count": len(questionnaire.questions),
            "sections": form_sections(questionnaire, values, field_errors or {}),
            "client_key": client_key,
            "device_key": device_key,
            "answered_before": answered_before,
            "storage_key": storage_key,
            "error": error,
            "fresh": posted is None,
        },
        status=status,
    )
    return _with_device_cookie(request, response, device_key)


def _handle(
    request: HttpRequest,
    campaign: Campaign,
    node: CampaignNode,
    *,
    storage_key: str,
    code: str | None = None,
    token: str | None = None,
) -> HttpResponse:
    device_key = _device_key(request)
    with translation.override(campaign.language):
        state = _state(campaign)
        if state is not None and request.method == "GET":
            return render(
                request, "scans/answer_unavailable.html", {"campaign": campaign, "state": state}
            )
        answered_before = bool(code) and services.device_answered(campaign, node, device_key)
        form: dict[str, Any] = {"storage_key": storage_key, "device_key": device_key}
        if request.method == "GET":
            return _render_form(request, campaign, node, answered_before=answered_before, **form)
        answers, other = answers_from_post(campaign.questionnaire, request.POST)
        missing = missing_required(campaign.questionnaire, answers, other)
        if missing:
            message = _("This question needs an answer.")
            return _render_form(
                request,
                campaign,
                node,
                error=_("Some required questions have no answer yet; they are marked below."),
                field_errors=dict.fromkeys(missing, message),
                status=400,
                answered_before=answered_before,
                **form,
            )
        try:
            services.submit_response(
                code=code,
                token=token,
                client_key=request.POST.get("client_key"),
                answers=answers,
                other=other,
                device_key=device_key if code else None,
                replace=request.POST.get("replace") == "1",
            )
        except DomainError as error:
            if error.code in {
                "campaign_closed",
                "campaign_not_open",
                "token_used",
                "headcount_reached",
                "already_answered_elsewhere",
            }:
                return render(
                    request,
                    "scans/answer_unavailable.html",
                    {"campaign": campaign, "state": error.code, "message": error.message},
                    status=409,
                )
            response = _render_form(
                request,
                campaign,
                node,
                error=error.message,
                status=error.status if error.status in (409, 429) else 400,
                answered_before=answered_before or error.code == "already_answered",
                **form,
            )
            retry_after = getattr(error, "retry_after", None)
            if retry_after:
                response["Retry-After"] = str(retry_after)
            return response
        done = render(
            request, "scans/answer_done.html", {"campaign": campaign, "storage_key": storage_key}
        )
        return _with_device_cookie(request, done, device_key)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_team(request: HttpRequest, code: str) -> HttpResponse:
    node = (
        CampaignNode.objects.select_related(
            "campaign__questionnaire_version", "campaign__organisation"
        )
        .filter(code=code, is_target=True, link_enabled=True)
        .first()
    )
    if node is None:
        raise Http404
    return _handle(request, node.campaign, node, storage_key=f"lerend-scan:{code}", code=code)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = (
        ScanInvitation.objects.select_related(
            "node__campaign__questionnaire_version", "node__campaign__organisation"
        )
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if invitation is None:
        raise Http404
    campaign = invitation.node.campaign
    storage_key = f"lerend-scan:i:{hash_secret(token)[:16]}"
    if invitation.used and request.method == "GET":
        with translation.override(campaign.language):
            return render(
                request,
                "scans/answer_unavailable.html",
                {"campaign": campaign, "state": "token_used"},
            )
    return _handle(request, campaign, invitation.node, storage_key=storage_key, token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def answer_slip(request: HttpRequest, token: str) -> HttpResponse:
    """A printed single-use slip: works once, like an e-mail invitation."""
    from .models import ScanSlip

    slip = (
        ScanSlip.objects.select_related(
            "node__campaign__questionnaire_version", "node__campaign__organisation"
        )
        .filter(token_hash=hash_secret(token))
        .first()
    )
    if slip is None:
        raise Http404
    campaign = slip.node.campaign
    storage_key = f"lerend-scan:p:{hash_secret(token)[:16]}"
    if slip.used and request.method == "GET":
        with translation.override(campaign.language):
            return render(
                request,
                "scans/answer_unavailable.html",
                {"campaign": campaign, "state": "token_used"},
            )
    return _handle(request, campaign, slip.node, storage_key=storage_key, token=token)
