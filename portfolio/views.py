"""The portfolio's pages, for its owner only, plus the read-only page behind a share link.

Every view goes through portfolio.access (the owner's own object, or 404) and changes
things only through portfolio.services.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from core.errors import DomainError
from core.net import client_address
from orgs.access import get_membership
from orgs.models import Membership, Role

from . import exports, links, services
from .access import get_own_conversation, get_own_entry, get_own_share
from .forms import (
    AnswerForm,
    ConversationForm,
    EntryForm,
    EraseForm,
    ImportForm,
    QuestionnaireForm,
    QuickAddForm,
    ShareForm,
    entry_initial,
)
from .kinds import KINDS, get_kind
from .models import Conversation, Entry, Share, ShareEvent, ShareTarget
from .storage import private_storage

PAGE_SIZE = 100

# A visitor who is not signed in goes to the portfolio's own sign-in by code, and back.
login_required = django_login_required(login_url="portfolio:start")


class PortfolioRequest(HttpRequest):
    """What the owner's views get: a logged-in user (login_required)."""

    user: User


# Questions a manager can start from: seed 003 ("wat is de ambitie van de medewerker?",
# a questionnaire sent beforehand) and seed 000's follow-up one-on-one ("Of het lukt om
# de vooropgestelde acties te ondernemen? Waar ze eventueel hulp bij nodig hebben?").
DEFAULT_QUESTIONS = (
    _("What is your ambition?"),
    _("Are you managing to take the actions you set out?"),
    _("What could you use some help with?"),
)


def _default_questions() -> str:
    return "\n".join(str(q) for q in DEFAULT_QUESTIONS)


def _apply_error(form: Any, exc: DomainError) -> None:
    field = getattr(exc, "field", None)
    if field and field in form.fields:
        form.add_error(field, exc.message)
    else:
        form.add_error(None, exc.message)


def _private(response: HttpResponseBase) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response  # type: ignore[return-value]


# --- Timeline, kinds, search ------------------------------------------------------------


@login_required
@never_cache
def home(request: PortfolioRequest) -> HttpResponse:
    user = request.user
    entries = Entry.objects.filter(owner=user)
    query = request.GET.get("q", "")[:200]
    if query:
        entries = entries.search(query)
    counts = dict(
        Entry.objects.filter(owner=user)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return render(
        request,
        "portfolio/home.html",
        {
            "entries": entries[:PAGE_SIZE],
            "query": query,
            "kinds": [(kind, counts.get(kind.key, 0)) for kind in KINDS.values()],
            "quick_form": QuickAddForm(),
            "actions": links.claimed_actions(user),
            "actions_installed": links.actions_installed(),
            "conversations": Conversation.objects.filter(owner=user)[:5],
            "memberships": Membership.objects.filter(user=user)
            .select_related("organisation")
            .order_by("organisation__name"),
        },
    )


@login_required
@require_POST
def quick_add(request: PortfolioRequest) -> HttpResponse:
    """The quickest entry; with htmx, the form comes back empty with a note of what was saved."""
    form = QuickAddForm(request.POST)
    saved = None
    if form.is_valid():
        try:
            saved, _created = services.create_entry(
                owner=request.user,
                kind="today",
                data={
                    "answers": {"what": form.cleaned_data["what"]},
                    "occurred_on": timezone.localdate(),
                },
                idempotency_key=form.cleaned_data.get("idempotency_key"),
                actor=request.user,
            )
        except DomainError as exc:
            _apply_error(form, exc)
    if getattr(request, "htmx", False):
        context = {"quick_form": QuickAddForm() if saved else form, "saved": saved}
        return render(
            request, "portfolio/home.html#quick-add", context, status=200 if saved else 400
        )
    if saved is not None:
        messages.success(request, _("Saved in your portfolio."))
        return redirect("portfolio:home")
    entries = Entry.objects.filter(owner=request.user)[:PAGE_SIZE]
    return render(
        request,
        "portfolio/home.html",
        {"entries": entries, "quick_form": form, "kinds": [(k, 0) for k in KINDS.values()]},
        status=400,
    )


@login_required
@never_cache
def kind_list(request: PortfolioRequest, kind: str) -> HttpResponse:
    info = get_kind(kind)
    if info is None:
        raise Http404
    entries = Entry.objects.filter(owner=request.user, kind=kind)[:PAGE_SIZE]
    return render(request, "portfolio/kind.html", {"kind": info, "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: PortfolioRequest, kind: str) -> HttpResponse:
    info = get_kind(kind)
    if info is None:
        raise Http404
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, kind=info)
        if form.is_valid():
            try:
                entry, _created = services.create_entry(
                    owner=request.user,
                    kind=kind,
                    data=form.entry_values(),
                    certificate=form.cleaned_data.get("certificate") or None,
                    idempotency_key=form.cleaned_data.get("idempotency_key"),
                    actor=request.user,
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Saved in your portfolio."))
                return redirect("portfolio:entry", public_id=entry.public_id)
        return render(
            request, "portfolio/entry_form.html", {"kind": info, "form": form}, status=400
        )
    form = EntryForm(kind=info, initial={"occurred_on": timezone.localdate()})
    return render(request, "portfolio/entry_form.html", {"kind": info, "form": form})


@login_required
@never_cache
def entry_detail(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    entry = get_own_entry(request.user, public_id)
    offer = []
    if entry.kind == "competences":
        offer = [
            (item, links.offer_url(item))
            for item in links.matching_offer(request.user, entry.build_search_text())
        ]
    return _private(
        render(
            request,
            "portfolio/entry.html",
            {
                "entry": entry,
                "offer": offer,
                "shares": entry.shares.all(),
                "share_form": ShareForm(),
            },
        )
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    entry = get_own_entry(request.user, public_id)
    info = entry.kind_info
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, kind=info)
        if form.is_valid():
            try:
                services.update_entry(
                    entry,
                    data=form.entry_values(),
                    certificate=form.cleaned_data.get("certificate") or None,
                    remove_certificate=form.cleaned_data.get("certificate") is False,
                    actor=request.user,
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Saved in your portfolio."))
                return redirect("portfolio:entry", public_id=entry.public_id)
        return render(
            request,
            "portfolio/entry_form.html",
            {"kind": info, "form": form, "entry": entry},
            status=400,
        )
    form = EntryForm(kind=info, initial=entry_initial(entry))
    return render(
        request, "portfolio/entry_form.html", {"kind": info, "form": form, "entry": entry}
    )


@login_required
@require_POST
def entry_delete(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    entry = get_own_entry(request.user, public_id)
    services.delete_entry(entry, actor=request.user)
    messages.success(request, _("The entry has been deleted."))
    return redirect("portfolio:home")


@login_required
def certificate(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    entry = get_own_entry(request.user, public_id)
    if not entry.certificate:
        raise Http404
    name = str(entry.certificate.name)
    handle = private_storage.open(name, "rb")
    extension = name.rsplit(".", 1)[-1]
    response = FileResponse(
        handle, content_type=entry.certificate_type or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"certificate.{extension}",
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return _private(response)


# --- Shares -----------------------------------------------------------------------------


@login_required
@never_cache
def share_list(request: PortfolioRequest) -> HttpResponse:
    shares = (
        Share.objects.filter(owner=request.user)
        .select_related("entry", "conversation")
        .annotate(views=Count("events", filter=Q(events__action=ShareEvent.Action.VIEWED)))
    )
    return render(
        request,
        "portfolio/shares.html",
        {"shares": shares, "summary_form": ShareForm()},
    )


@login_required
@never_cache
def share_detail(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    share = get_own_share(request.user, public_id)
    return _private(
        render(
            request,
            "portfolio/share.html",
            {
                "share": share,
                "url": services.share_url(share),
                "events": share.events.all(),
                "views": share.events.filter(action=ShareEvent.Action.VIEWED),
            },
        )
    )


@login_required
@require_POST
def share_create(request: PortfolioRequest) -> HttpResponse:
    target = request.POST.get("target", "")
    entry = conversation = None
    back = "portfolio:shares"
    if target == ShareTarget.ENTRY:
        entry = get_own_entry(request.user, _uuid_or_404(request.POST.get("entry")))
    elif target == ShareTarget.CONVERSATION:
        conversation = get_own_conversation(
            request.user, _uuid_or_404(request.POST.get("conversation"))
        )
    elif target != ShareTarget.SUMMARY:
        raise Http404
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            share, _created = services.create_share(
                owner=request.user,
                target=target,
                entry=entry,
                conversation=conversation,
                recipient=form.cleaned_data["recipient"],
                days=form.cleaned_data["days"],
                idempotency_key=form.cleaned_data.get("idempotency_key"),
                actor=request.user,
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(request, _("The link has been made. Copy it and send it."))
            return redirect("portfolio:share", public_id=share.public_id)
    errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
    messages.error(request, errors or _("The link could not be made."))
    if entry is not None:
        return redirect("portfolio:entry", public_id=entry.public_id)
    if conversation is not None:
        return redirect("portfolio:conversation", public_id=conversation.public_id)
    return redirect(back)


def _uuid_or_404(value: Any) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise Http404 from None


@login_required
@require_POST
def share_revoke(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    share = get_own_share(request.user, public_id)
    services.revoke_share(share, actor=request.user)
    messages.success(request, _("The link has been revoked: it no longer opens."))
    return redirect("portfolio:share", public_id=share.public_id)


@never_cache
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """What a share link shows, read-only. Expired, revoked or unknown: 404."""
    try:
        share = services.open_share(token, viewer=request.user, client=client_address(request))
    except DomainError as exc:
        return render(
            request, "portfolio/shared_limited.html", {"message": exc.message}, status=exc.status
        )
    except services.SignInRequired:
        return redirect_to_login(request.get_full_path(), login_url=reverse("portfolio:start"))
    context: dict[str, Any] = {"share": share, "owner": share.owner}
    if share.target == ShareTarget.ENTRY:
        context["entry"] = share.entry
    elif share.target == ShareTarget.CONVERSATION:
        context["conversation"] = share.conversation
        context["entries"] = share.conversation.entries.all() if share.conversation else []
    else:
        context["summary"] = _summary(share.owner)
    response = render(request, "portfolio/shared.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


def _summary(owner: Any) -> list[tuple[Any, list[Entry]]]:
    """A summary: titles and dates per kind (no answers), the activities with their hours."""
    entries = list(
        Entry.objects.filter(owner=owner).exclude(kind="mistake").order_by("-created_at")
    )
    return [
        (kind, [e for e in entries if e.kind == kind.key])
        for kind in KINDS.values()
        if any(e.kind == kind.key for e in entries)
    ]


# --- Conversations ----------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def conversation_list(request: PortfolioRequest) -> HttpResponse:
    form = ConversationForm(request.POST or None, initial={"questions": _default_questions()})
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.create_conversation(
                owner=request.user,
                title=form.cleaned_data["title"],
                questions=form.cleaned_data["questions"],
                planned_on=form.cleaned_data.get("planned_on"),
                actor=request.user,
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            return redirect("portfolio:conversation", public_id=conversation.public_id)
    return render(
        request,
        "portfolio/conversations.html",
        {
            "conversations": Conversation.objects.filter(owner=request.user),
            "form": form,
            "manager_of": Membership.objects.filter(
                user=request.user, role__in=[Role.FACILITATOR, Role.ADMIN]
            ).select_related("organisation"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def conversation_detail(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    conversation = get_own_conversation(request.user, public_id)
    own_entries = list(Entry.objects.filter(owner=request.user))
    choices = [(str(e.public_id), f"{e.title} ({e.kind_info.label})") for e in own_entries]
    if request.method == "POST":
        form = AnswerForm(request.POST, questions=conversation.questions, entries=choices)
        if form.is_valid():
            chosen = set(form.cleaned_data["entries"])
            try:
                services.answer_conversation(
                    conversation,
                    answers=form.answers(),
                    entries=[e for e in own_entries if str(e.public_id) in chosen],
                    planned_on=form.cleaned_data.get("planned_on"),
                    actor=request.user,
                )
            except DomainError as exc:
                _apply_error(form, exc)
            else:
                messages.success(request, _("Your answers have been saved."))
                return redirect("portfolio:conversation", public_id=conversation.public_id)
    else:
        initial: dict[str, Any] = {
            f"answer_{i}": a for i, (_q, a) in enumerate(conversation.question_pairs())
        }
        initial["entries"] = [str(e.public_id) for e in conversation.entries.all()]
        initial["planned_on"] = conversation.planned_on
        form = AnswerForm(initial=initial, questions=conversation.questions, entries=choices)
    return _private(
        render(
            request,
            "portfolio/conversation.html",
            {
                "conversation": conversation,
                "form": form,
                "own_entries": own_entries[:20],
                "shares": conversation.shares.all(),
                "share_form": ShareForm(),
            },
            status=400 if form.errors else 200,
        )
    )


@login_required
@require_POST
def conversation_share(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    conversation = get_own_conversation(request.user, public_id)
    try:
        share = services.share_conversation(conversation, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portfolio:conversation", public_id=conversation.public_id)
    messages.success(
        request,
        _("Shared with %(name)s only; they received the link by e-mail.")
        % {"name": share.recipient},
    )
    return redirect("portfolio:share", public_id=share.public_id)


@login_required
@require_POST
def conversation_delete(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    conversation = get_own_conversation(request.user, public_id)
    services.delete_conversation(conversation, actor=request.user)
    messages.success(request, _("The conversation has been deleted."))
    return redirect("portfolio:conversations")


@login_required
@require_http_methods(["GET", "POST"])
def questionnaire_send(request: PortfolioRequest, slug: str) -> HttpResponse:
    """A manager (facilitator or admin) sends a short questionnaire to an employee."""
    manager = get_membership(request.user, slug, role=Role.FACILITATOR)
    others = (
        Membership.objects.filter(organisation=manager.organisation)
        .exclude(user=request.user)
        .select_related("user")
    )
    members = [(str(m.public_id), m.user.display_name) for m in others]
    form = QuestionnaireForm(
        request.POST or None, members=members, initial={"questions": _default_questions()}
    )
    if request.method == "POST" and form.is_valid():
        employee = others.filter(public_id=_uuid_or_404(form.cleaned_data["member"])).first()
        if employee is None:
            raise Http404
        try:
            services.request_conversation(
                manager_membership=manager,
                employee_membership=employee,
                title=form.cleaned_data["title"],
                questions=form.cleaned_data["questions"],
                actor=request.user,
            )
        except DomainError as exc:
            _apply_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The questionnaire has been sent to %(name)s. You will see the answers "
                    "only if they share them with you."
                )
                % {"name": employee.user.display_name},
            )
            return redirect("portfolio:questionnaire", slug=slug)
    return render(
        request,
        "portfolio/questionnaire.html",
        {"organisation": manager.organisation, "form": form},
        status=400 if form.errors else 200,
    )


# --- Export, import, erasure ------------------------------------------------------------


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return _private(response)


@login_required
def export_pdf(request: PortfolioRequest) -> HttpResponse:
    return _download(exports.to_pdf(request.user), "application/pdf", "mijn-leren.pdf")


@login_required
def export_json(request: PortfolioRequest) -> HttpResponse:
    return _download(exports.to_json(request.user), "application/json", "mijn-leren.json")


@login_required
def export_zip(request: PortfolioRequest) -> HttpResponse:
    return _download(exports.to_zip(request.user), "application/zip", "mijn-leren.zip")


@login_required
@require_http_methods(["GET", "POST"])
def account(request: PortfolioRequest) -> HttpResponse:
    """Export, import and erasure, on one page."""
    import_form = ImportForm()
    erase_form = EraseForm(user=request.user)
    status = 200
    if request.method == "POST" and "import" in request.POST:
        import_form = ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            try:
                counts = exports.import_portfolio(
                    request.user, import_form.cleaned_data["file"], actor=request.user
                )
            except DomainError as exc:
                import_form.add_error("file", exc.message)
                status = 400
            else:
                messages.success(
                    request,
                    _(
                        "Imported: %(entries)d entries, %(conversations)d conversations "
                        "(%(skipped)d already there)."
                    )
                    % counts,
                )
                return redirect("portfolio:home")
        else:
            status = 400
    return render(
        request,
        "portfolio/account.html",
        {
            "import_form": import_form,
            "erase_form": erase_form,
            "memberships": Membership.objects.filter(user=request.user).select_related(
                "organisation"
            ),
        },
        status=status,
    )


@login_required
@require_POST
def erase(request: PortfolioRequest) -> HttpResponse:
    form = EraseForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(
            request,
            "portfolio/account.html",
            {"import_form": ImportForm(), "erase_form": form, "memberships": []},
            status=400,
        )
    user = request.user
    logout(request)
    services.erase_account(user, actor=user)
    messages.success(request, _("Your account and everything in your portfolio have been deleted."))
    return redirect("home")


# --- Claimed personal actions (when the actions app is installed) -----------------------


@login_required
@require_http_methods(["GET", "POST"])
def action_claim(request: PortfolioRequest, token: str) -> HttpResponse:
    if not links.actions_installed():
        raise Http404
    if request.method == "POST":
        from actions.services import claim_action  # type: ignore[import-not-found]

        try:
            claim_action(token, user=request.user)
        except DomainError as exc:
            return render(
                request, "portfolio/claim.html", {"error": exc.message}, status=exc.status
            )
        messages.success(request, _("The action is now in your portfolio."))
        return redirect("portfolio:home")
    return render(request, "portfolio/claim.html", {})


@login_required
@require_POST
def action_progress(request: PortfolioRequest, public_id: UUID) -> HttpResponse:
    action = links.get_claimed_action(request.user, public_id)
    from actions.services import record_progress  # type: ignore[import-not-found]

    status = request.POST.get("status", "")
    if status not in {"open", "in_progress", "done", "dropped"}:
        messages.error(request, _("Choose a status."))
        return redirect("portfolio:home")
    try:
        record_progress(action, actor=request.user, status=status, note="")
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The action has been updated."))
    return redirect("portfolio:home")
