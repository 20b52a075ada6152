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
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.net import client_address

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


def form_sections(questionnaire: ScanQuestionnaire, values: dict[str, list[str]]) -> list[dict]:
    """The questionnaire as the template needs it, with what was sent ticked again."""
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


def _render_form(
    request: HttpRequest,
    campaign: Campaign,
    node: CampaignNode,
    *,
    storage_key: str,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    questionnaire = campaign.questionnaire
    posted = request.POST if request.method == "POST" else None
    values: dict[str, list[str]] = {}
    if posted is not None:
        for name in posted:
            values[name] = posted.getlist(name)
    client_key = (posted.get("client_key") if posted else None) or secrets.token_urlsafe(16)
    return render(
        request,
        "scans/answer.html",
        {
            "campaign": campaign,
            "node": node,
            "questionnaire": questionnaire,
            "question_count": len(questionnaire.questions),
            "sections": form_sections(questionnaire, values),
            "client_key": client_key,
            "storage_key": storage_key,
            "error": error,
            "fresh": posted is None,
        },
        status=status,
    )


def _handle(
    request: HttpRequest,
    campaign: Campaign,
    node: CampaignNode,
    *,
    storage_key: str,
    code: str | None = None,
    token: str | None = None,
) -> HttpResponse:
    with translation.override(campaign.language):
        state = _state(campaign)
        if state is not None and request.method == "GET":
            return render(
                request, "scans/answer_unavailable.html", {"campaign": campaign, "state": state}
            )
        if request.method == "GET":
            return _render_form(request, campaign, node, storage_key=storage_key)
        answers, other = answers_from_post(campaign.questionnaire, request.POST)
        try:
            services.limit_submissions(client_address(request))
        except DomainError as error:
            return _render_form(
                request, campaign, node, storage_key=storage_key, error=error.message, status=429
            )
        try:
            services.submit_response(
                code=code,
                token=token,
                client_key=request.POST.get("client_key"),
                answers=answers,
                other=other,
            )
        except DomainError as error:
            if error.code in {"campaign_closed", "campaign_not_open", "token_used"}:
                return render(
                    request,
                    "scans/answer_unavailable.html",
                    {"campaign": campaign, "state": error.code, "message": error.message},
                    status=409,
                )
            return _render_form(
                request, campaign, node, storage_key=storage_key, error=error.message, status=400
            )
        return render(
            request, "scans/answer_done.html", {"campaign": campaign, "storage_key": storage_key}
        )


@never_cache
@require_http_methods(["GET", "POST"])
def answer_team(request: HttpRequest, code: str) -> HttpResponse:
    node = (
        CampaignNode.objects.select_related(
            "campaign__questionnaire_version", "campaign__organisation"
        )
        .filter(code=code, is_target=True)
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
