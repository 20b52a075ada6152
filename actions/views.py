"""Pages of the register: the organisation's actions, "mijn acties", an action's page, the
share done, exports, a personal action's private page, follow-up conversations, the
calendar feed and the unsubscribe link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.errors import DomainError
from core.net import client_address
from orgs.access import org_view
from orgs.models import Role

from . import emails, exports, filters, services
from .access import can_edit, can_progress, get_action, get_conversation, visible_actions
from .forms import (
    ActionForm,
    ConversationForm,
    DigestForm,
    FilterForm,
    PersonalProgressForm,
    ProgressForm,
)
from .models import Action, Conversation, ConversationStatus, Kind, OwnerSettings

PAGE_SIZE = 50


def _user(request: HttpRequest) -> Any:
    return request.user


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


def _membership(request: HttpRequest) -> Any:
    return request.membership  # type: ignore[attr-defined]


def _fragment(request: HttpRequest) -> bool:
    """An htmx filter change wants the results only; a history restore wants the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _listing(request: HttpRequest, qs: Any, *, mine: bool = False) -> dict[str, Any]:
    today = timezone.localdate()
    form = FilterForm(request.GET or None, organisation=_org(request), mine=mine)
    qs = filters.apply(qs, request.GET, today)
    page = Paginator(
        qs.select_related("owner", "team").order_by("due_date", "created_at", "id"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "form": form,
        "page": page,
        "counts": filters.counts(qs, today),
        "today": today,
        "query": query.urlencode(),
    }


@org_view(Role.FACILITATOR)
@require_GET
def action_list(request: HttpRequest) -> HttpResponse:
    context = _listing(request, visible_actions(_membership(request)))
    context["section"] = "actions"
    if _fragment(request):
        return render(request, "actions/_results.html", context)
    return render(request, "actions/list.html", context)


@org_view(Role.MEMBER)
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    qs = Action.objects.filter(organisation=_org(request)).filter(owner=_user(request))
    context = _listing(request, qs, mine=True)
    context["section"] = "my_actions"
    context["mine"] = True
    if _fragment(request):
        return render(request, "actions/_results.html", context)
    return render(request, "actions/mine.html", context)


@org_view(Role.FACILITATOR)
@require_GET
def share_done(request: HttpRequest) -> HttpResponse:
    qs = visible_actions(_membership(request))
    return render(
        request,
        "actions/share.html",
        {"rows": filters.share_done(qs), "section": "actions"},
    )


def _form_data(form: Any) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["owner"] = data.get("owner") or None
    data["team"] = data.get("team") or None
    return data


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = ActionForm(request.POST or None, organisation=organisation)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = services.create_action(organisation, _form_data(form), actor=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, _("Action saved."))
                return redirect("actions:detail", organisation.slug, result.action.public_id)
    return render(request, "actions/form.html", {"form": form, "section": "actions"}, status=status)


@org_view(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def action_detail(request: HttpRequest, action_id: Any) -> HttpResponse:
    membership = _membership(request)
    action = get_action(membership, action_id)
    allowed = can_progress(request.user, action, membership)
    form = ProgressForm(request.POST or None, initial={"status": action.status})
    status = 200
    if request.method == "POST":
        if not allowed:
            raise Http404
        status = 400
        if form.is_valid():
            try:
                services.record_progress(
                    action,
                    actor=request.user,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved in the history."))
                return redirect("actions:detail", membership.organisation.slug, action.public_id)
    return render(
        request,
        "actions/detail.html",
        {
            "action": action,
            "events": action.events.select_related("actor").all(),
            "form": form if allowed else None,
            "editable": can_edit(membership, action),
            "conversations": action.conversations.filter(held_by=_user(request)),
            "can_plan": membership.has_role(Role.FACILITATOR),
            "section": "actions",
        },
        status=status,
    )


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action_id: Any) -> HttpResponse:
    membership = _membership(request)
    action = get_action(membership, action_id)
    if not can_edit(membership, action):
        raise Http404
    organisation = membership.organisation
    initial = {
        "text": action.text,
        "owner": next(
            (str(m.public_id) for m in action.owner.memberships.filter(organisation=organisation)),
            "",
        )
        if action.owner
        else "",
        "owner_name": action.owner_name,
        "first_step": action.first_step,
        "due_date": action.due_date,
        "evaluation_date": action.evaluation_date,
        "theme": action.theme,
        "team": str(action.team.public_id) if action.team else "",
    }
    form = ActionForm(request.POST or None, initial=initial, organisation=organisation)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                warnings = services.update_action(action, _form_data(form), actor=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                for warning in warnings:
                    messages.warning(request, warning)
                messages.success(request, _("Action saved."))
                return redirect("actions:detail", organisation.slug, action.public_id)
    return render(
        request,
        "actions/form.html",
        {"form": form, "action": action, "section": "actions"},
        status=status,
    )


@org_view(Role.FACILITATOR)
@require_GET
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    qs = filters.apply(visible_actions(_membership(request)), request.GET)
    header, rows = exports.rows(qs)
    if fmt == "xlsx":
        return exports.xlsx_response(header, rows)
    return exports.csv_response(header, rows)


# --- From a scan report ------------------------------------------------------------------


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def scan_question(request: HttpRequest, campaign_id: Any, question_key: str) -> HttpResponse:
    """The actions beside a report's question, and "Maak een actie" for it (htmx fragment)."""
    from scans.access import get_campaign

    membership = _membership(request)
    campaign = get_campaign(membership, campaign_id)
    if campaign.questionnaire.question(question_key) is None:
        raise Http404
    error = ""
    if request.method == "POST":
        form = ActionForm(request.POST, organisation=membership.organisation)
        if form.is_valid():
            try:
                services.create_from_scan(
                    campaign, question_key, _form_data(form), actor=request.user
                )
            except DomainError as exc:
                error = exc.message
        else:
            error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    return render(
        request,
        "actions/_scan_question.html",
        {
            "campaign": campaign,
            "question_key": question_key,
            "scan_actions": actions_for_question(campaign, question_key),
            "error": error,
            "slug": membership.organisation.slug,
        },
        status=400 if error else 200,
    )


def actions_for_question(campaign: Any, question_key: str) -> list[Action]:
    return list(
        Action.objects.agreements()
        .filter(organisation=campaign.organisation, question_key=question_key)
        .filter(
            campaign__questionnaire_version__questionnaire=campaign.questionnaire_version.questionnaire
        )
        .select_related("campaign", "owner")
        .order_by("created_at")[:20]
    )


# --- A personal action's private link ------------------------------------------------------


def _limit_link(request: HttpRequest) -> None:
    ratelimit.check(
        f"action-link:{client_address(request)}",
        60,
        60,
        message=_("Too many requests. Try again in a minute."),
    )


@require_http_methods(["GET", "POST"])
def my_action_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _limit_link(request)
        action = services.action_by_token(token)
    except DomainError as error:
        if error.status == 429:
            return HttpResponse(error.message, status=429)
        return render(request, "actions/link_unavailable.html", status=404)
    form = PersonalProgressForm(
        request.POST or None, initial={"status": action.status, "due_date": action.due_date}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                due = form.cleaned_data.get("due_date")
                if due != action.due_date:
                    services.set_personal_due_date(action, token, due)
                if form.cleaned_data["status"] != action.status or form.cleaned_data["note"]:
                    services.record_progress(
                        action,
                        via_token=token,
                        status=form.cleaned_data["status"],
                        note=form.cleaned_data["note"],
                    )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("actions:link", token)
    response = render(
        request,
        "actions/link.html",
        {"action": action, "events": action.events.all(), "form": form, "token": token},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


# --- Settings: digest and calendar feed ------------------------------------------------------


@org_view(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def my_settings(request: HttpRequest) -> HttpResponse:
    row = services.owner_settings(request.user)
    form = DigestForm(request.POST or None, initial={"digest": row.digest})
    if request.method == "POST":
        what = request.POST.get("what")
        if what == "digest" and form.is_valid():
            services.set_digest(request.user, form.cleaned_data["digest"])
            messages.success(request, _("Saved."))
        elif what == "feed":
            services.issue_feed(request.user)
            messages.success(request, _("A new calendar address was made; the old one stopped."))
        elif what == "revoke":
            services.revoke_feed(request.user)
            messages.success(request, _("The calendar address no longer works."))
        return redirect("actions:settings", _org(request).slug)
    row.refresh_from_db()
    return render(
        request,
        "actions/settings.html",
        {
            "form": form,
            "feed_url": row.feed_url() if row.feed_hash else "",
            "section": "my_actions",
        },
    )


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    from . import ics

    try:
        user = services.feed_user(token)
    except DomainError:
        raise Http404 from None
    response = HttpResponse(ics.member_feed(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST (the button, or a mail client's one-click) unsubscribes."""
    data = emails.read_unsubscribe_token(token)
    if not data:
        raise Http404
    if request.method == "POST":
        if "u" in data:
            from accounts.models import User

            if User.objects.filter(pk=data["u"]).exists():
                OwnerSettings.objects.update_or_create(
                    user_id=data["u"], defaults={"digest": False}
                )
        elif "a" in data:
            Action.objects.filter(pk=data["a"]).update(reminders_off=True)
        return render(request, "actions/unsubscribed.html")
    return render(request, "actions/unsubscribe.html", {"token": token})


# --- Follow-up conversations ---------------------------------------------------------------


@org_view(Role.FACILITATOR)
@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    rows = Conversation.objects.filter(organisation=_org(request), held_by=_user(request))
    return render(
        request,
        "actions/conversations.html",
        {"conversations": rows.order_by("-starts_at")[:200], "section": "conversations"},
    )


def _conversation_data(form: ConversationForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


def _session_and_addresses(request: HttpRequest, membership: Any) -> tuple[Any, list[str]]:
    """From a session's summary: the session, and the addresses its participants left."""
    from workshops.models import LiveSession, PersonalAction

    raw = request.GET.get("session") or request.POST.get("session")
    if not raw:
        return None, []
    try:
        session = LiveSession.objects.filter(
            organisation=membership.organisation, public_id=raw
        ).first()
    except ValidationError:
        session = None
    if session is None:
        raise Http404
    addresses = sorted(
        set(
            PersonalAction.objects.filter(session=session, is_current=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )
    return session, addresses


@org_view(Role.FACILITATOR)
@require_http_methods(["GET", "POST"])
def conversation_plan(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    action = None
    if request.GET.get("action") or request.POST.get("action"):
        action = get_action(membership, request.GET.get("action") or request.POST.get("action"))
    session, addresses = _session_and_addresses(request, membership)
    initial: dict[str, Any] = {
        "starts_at": timezone.localtime(services.default_conversation_start(action, session)),
        "duration_minutes": 30,
        "offer_url": services.default_offer_url(membership.organisation),
    }
    if action is not None:
        if action.kind == Kind.PERSONAL:
            initial["employee_email"] = action.contact_email
            initial["employee_name"] = action.participant_name
        elif action.owner:
            initial["employee_email"] = action.owner.email
            initial["employee_name"] = action.owner.name
    email = request.GET.get("email", "")
    if session is not None and email in addresses:
        initial["employee_email"] = email
    form = ConversationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                conversation, _created = services.plan_conversation(
                    membership.organisation,
                    _conversation_data(form),
                    actor=request.user,
                    action=action,
                    session=session,
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Conversation planned; the invitation is sent."))
                return redirect(
                    "actions:conversation", membership.organisation.slug, conversation.public_id
                )
    return render(
        request,
        "actions/conversation_form.html",
        {
            "form": form,
            "action": action,
            "session": session,
            "addresses": addresses,
            "section": "conversations",
        },
        status=status,
    )


@org_view(Role.MEMBER)
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, conversation_id: Any) -> HttpResponse:
    membership = _membership(request)
    conversation = get_conversation(membership, conversation_id)
    error = ""
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "cancel":
                services.cancel_conversation(conversation, actor=request.user)
                messages.success(request, _("Conversation cancelled; the employee is told."))
            elif what == "progress" and conversation.action is not None:
                services.record_progress(
                    conversation.action,
                    actor=request.user,
                    status=request.POST.get("status") or None,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Saved in the history."))
            elif what == "action":
                services.action_from_conversation(
                    conversation, request.POST.get("text", ""), actor=request.user
                )
                messages.success(request, _("Action saved."))
            elif what == "reschedule":
                form = ConversationForm(request.POST)
                if not form.is_valid():
                    raise DomainError(_("Choose a date and time."), code="starts_at")
                services.reschedule_conversation(
                    conversation, _conversation_data(form), actor=request.user
                )
                messages.success(request, _("Conversation changed; the invitation is sent again."))
            else:
                services.save_conversation_answers(
                    conversation,
                    {k: request.POST.get(k, "") for k, _l in services.conversation_questions()},
                    actor=request.user,
                    held=request.POST.get("held") == "1",
                )
                messages.success(request, _("Saved."))
        except DomainError as exc:
            error = exc.message
        else:
            return redirect(
                "actions:conversation", membership.organisation.slug, conversation.public_id
            )
    form = ConversationForm(
        initial={
            "employee_name": conversation.employee_name,
            "employee_email": conversation.employee_email,
            "starts_at": timezone.localtime(conversation.starts_at),
            "duration_minutes": conversation.duration_minutes,
            "location": conversation.location,
            "offer_url": conversation.offer_url,
        }
    )
    return render(
        request,
        "actions/conversation.html",
        {
            "conversation": conversation,
            "questions": [
                (key, label, conversation.answers.get(key, ""))
                for key, label in services.conversation_questions()
            ],
            "form": form,
            "error": error,
            "cancelled": conversation.status == ConversationStatus.CANCELLED,
            "progress_form": ProgressForm(initial={"status": conversation.action.status})
            if conversation.action is not None
            and can_progress(request.user, conversation.action, membership)
            else None,
            "section": "conversations",
        },
        status=400 if error else 200,
    )


@require_GET
def conversation_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        _limit_link(request)
        conversation = services.conversation_by_token(token)
    except DomainError as error:
        if error.status == 429:
            return HttpResponse(error.message, status=429)
        return render(request, "actions/link_unavailable.html", status=404)
    response = render(
        request,
        "actions/conversation_link.html",
        {
            "conversation": conversation,
            "questions": [
                (key, label, conversation.answers.get(key, ""))
                for key, label in services.conversation_questions()
            ],
        },
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def claim(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.claim_action(token, user=_user(request))
    except DomainError as error:
        if error.status == 404:
            raise Http404 from None
        messages.error(request, error.message)
    else:
        messages.success(request, _("The action is in your portfolio."))
    return redirect(reverse("actions:link", args=[token]))
