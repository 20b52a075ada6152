"""Learning pages: the public offer, and for the organisation the offer, route, budgets,
training records, figures and the training plan.

Admins manage everything; facilitators read the figures (which obey the anonymity rule);
members see the overview with the offer's link. Person-level data (records, who has not
trained) is for admins only.
"""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import ratelimit
from core.errors import DomainError
from orgs.access import get_team, org_view
from orgs.models import Role, Team, flatten_tree, team_tree

from . import csvio, documents, figures, offer, people, plan, services
from .access import (
    get_budget,
    get_contact,
    get_offer_item,
    get_plan,
    get_route_step,
    get_training,
)
from .forms import (
    BudgetForm,
    ContactForm,
    ImportForm,
    OfferItemForm,
    PlanCreateForm,
    PlanStatusForm,
    PlanTextsForm,
    QuarterForm,
    RouteStepForm,
    SettingsForm,
    TeamSizeForm,
    TrainingForm,
)
from .models import (
    Budget,
    Kind,
    LearningFormat,
    OfferItem,
    TrainingPlan,
    TrainingRecord,
    settings_for,
)


def _org(request: HttpRequest) -> Any:
    return request.organisation  # type: ignore[attr-defined]


PAGES = {"offer_list": "offer", "offer_form": "offer", "route_edit": "route", "import": "trainings"}
PAGES.update({"untrained": "figures", "plan": "plans", "plan_versions": "plans"})


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200):
    context.setdefault("section", "learning")
    stem = template.rsplit("/", 1)[-1].removesuffix(".html")
    context.setdefault("page", PAGES.get(stem, stem))
    return render(request, template, context, status=status)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


# --- Public ---------------------------------------------------------------------------------


@require_GET
def public_offer(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = offer.public_organisation(slug)
    flt = offer.OfferFilter.from_params(request.GET)  # type: ignore[arg-type]
    page = offer.page_of(offer.search(organisation, flt), request.GET.get("page"))
    context = {
        "organisation": organisation,
        "learning": settings_for(organisation),
        "filter": flt,
        "page": page,
        "kinds": Kind.choices,
        "formats": LearningFormat.choices,
        "route": offer.route(organisation),
        "contacts": offer.contacts(organisation),
        "public_url": offer.public_url(organisation),
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "learning/public_offer.html#results", context)
    return render(request, "learning/public_offer.html", context)


@require_GET
def public_qr(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = offer.public_organisation(slug)
    return HttpResponse(offer.qr_svg(organisation), content_type="image/svg+xml")


# --- Overview -------------------------------------------------------------------------------


@org_view()
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    membership = request.membership  # type: ignore[attr-defined]
    return _page(
        request,
        "learning/home.html",
        {
            "public_url": offer.public_url(organisation),
            "qr": offer.qr_data_uri(organisation),
            "learning": settings_for(organisation),
            "is_admin": membership.has_role(Role.ADMIN),
            "is_facilitator": membership.has_role(Role.FACILITATOR),
            "route": offer.route(organisation),
            "contacts": offer.contacts(organisation),
        },
    )


# --- Offer ----------------------------------------------------------------------------------


@org_view(Role.ADMIN)
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    items = OfferItem.objects.of(organisation).select_related("contact")
    return _page(request, "learning/offer_list.html", {"items": items})


def _offer_form(request: HttpRequest, item: OfferItem | None) -> HttpResponse:
    organisation = _org(request)
    initial = OfferItemForm.initial_for(item) if item else {"internal": True}
    form = OfferItemForm(organisation, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_offer_item(
                    organisation, form.cleaned_data, actor=request.user, item=item
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The offer item is saved."))
                return redirect("learning:offer", organisation.slug)
    return _page(request, "learning/offer_form.html", {"form": form, "item": item}, status)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest) -> HttpResponse:
    return _offer_form(request, None)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, item_id: str) -> HttpResponse:
    return _offer_form(request, get_offer_item(request.membership, item_id))  # type: ignore[attr-defined]


@org_view(Role.ADMIN)
@require_POST
def offer_delete(request: HttpRequest, item_id: str) -> HttpResponse:
    item = get_offer_item(request.membership, item_id)  # type: ignore[attr-defined]
    services.delete_offer_item(item, actor=request.user)
    messages.success(request, _("The offer item is deleted."))
    return redirect("learning:offer", _org(request).slug)


# --- Contacts and route ---------------------------------------------------------------------


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def contacts(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_contact(organisation, form.cleaned_data, actor=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The contact point is added."))
                return redirect("learning:contacts", organisation.slug)
    return _page(
        request,
        "learning/contacts.html",
        {"form": form, "contacts": offer.contacts(organisation)},
        status,
    )


@org_view(Role.ADMIN)
@require_POST
def contact_delete(request: HttpRequest, contact_id: str) -> HttpResponse:
    services.delete_contact(get_contact(request.membership, contact_id), actor=request.user)  # type: ignore[attr-defined]
    return redirect("learning:contacts", _org(request).slug)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def route(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = RouteStepForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_route_step(organisation, form.cleaned_data, actor=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The step is added."))
                return redirect("learning:route", organisation.slug)
    return _page(
        request,
        "learning/route.html",
        {"form": form, "steps": offer.route(organisation)},
        status,
    )


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def route_edit(request: HttpRequest, step_id: str) -> HttpResponse:
    organisation = _org(request)
    step = get_route_step(request.membership, step_id)  # type: ignore[attr-defined]
    form = RouteStepForm(
        request.POST or None, initial={"title": step.title, "description": step.description}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_route_step(
                    organisation, form.cleaned_data, actor=request.user, step=step
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect("learning:route", organisation.slug)
    return _page(request, "learning/route_edit.html", {"form": form, "step": step}, status)


@org_view(Role.ADMIN)
@require_POST
def route_move(request: HttpRequest, step_id: str) -> HttpResponse:
    step = get_route_step(request.membership, step_id)  # type: ignore[attr-defined]
    try:
        services.move_route_step(step, request.POST.get("direction", ""), actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("learning:route", _org(request).slug)


@org_view(Role.ADMIN)
@require_POST
def route_delete(request: HttpRequest, step_id: str) -> HttpResponse:
    services.delete_route_step(get_route_step(request.membership, step_id), actor=request.user)  # type: ignore[attr-defined]
    return redirect("learning:route", _org(request).slug)


# --- Budgets, settings and team sizes ----------------------------------------------------------


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def budgets(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = BudgetForm(organisation, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_budget(organisation, form.cleaned_data, actor=request.user)
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The budget is saved."))
                return redirect("learning:budgets", organisation.slug)
    rows = Budget.objects.filter(organisation=organisation).select_related("team")
    years: dict[int, list[Budget]] = {}
    for budget in rows:
        years.setdefault(budget.year, []).append(budget)
    per_year = [
        (
            year,
            items,
            {
                "planned": sum(b.planned for b in items),
                "used": sum(b.used for b in items),
                "remaining": sum(b.remaining for b in items),
            },
        )
        for year, items in sorted(years.items(), reverse=True)
    ]
    return _page(request, "learning/budgets.html", {"form": form, "years": per_year}, status)


@org_view(Role.ADMIN)
@require_POST
def budget_delete(request: HttpRequest, budget_id: str) -> HttpResponse:
    services.delete_budget(get_budget(request.membership, budget_id), actor=request.user)  # type: ignore[attr-defined]
    return redirect("learning:budgets", _org(request).slug)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def learning_settings(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    current = settings_for(organisation)
    form = SettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        initial={
            "training_right_days": current.training_right_days,
            "hours_per_day": current.hours_per_day,
            "public_enabled": current.public_enabled,
            "public_intro": current.public_intro,
        },
    )
    size_form = TeamSizeForm(
        organisation, request.POST if request.POST.get("form") == "size" else None
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if form.is_bound and form.is_valid():
                services.update_settings(organisation, form.cleaned_data, actor=request.user)
                messages.success(request, _("The settings are saved."))
                return redirect("learning:settings", organisation.slug)
            if size_form.is_bound and size_form.is_valid():
                team = get_team(request.membership, size_form.cleaned_data["team"].public_id)  # type: ignore[attr-defined]
                services.set_team_size(
                    team,
                    headcount=size_form.cleaned_data["headcount"],
                    fte=size_form.cleaned_data["fte"],
                    actor=request.user,
                )
                messages.success(request, _("The team's size is saved."))
                return redirect("learning:settings", organisation.slug)
        except DomainError as error:
            (form if form.is_bound else size_form).add_error(None, error.message)
    teams = flatten_tree(team_tree(Team.objects.filter(organisation=organisation)))
    return _page(
        request,
        "learning/settings.html",
        {"form": form, "size_form": size_form, "teams": teams},
        status,
    )


# --- Training records -----------------------------------------------------------------------


def _training_input(data: dict[str, Any]) -> services.TrainingInput:
    return services.TrainingInput(
        email=data.get("email") or "",
        person_name=data.get("person_name") or "",
        team=data.get("team"),
        offer_item=data.get("offer_item"),
        title=data.get("title") or "",
        kind=data.get("kind") or "",
        duration=data.get("duration"),
        unit=data.get("unit") or "days",
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
        followed=bool(data.get("followed")),
        certificate=bool(data.get("certificate")),
        certificate_valid_until=data.get("certificate_valid_until"),
    )


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def trainings(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = TrainingForm(organisation, request.POST or None, initial={"followed": True})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.record_training(
                    organisation, _training_input(form.cleaned_data), actor=request.user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("The training is recorded."))
                return redirect("learning:trainings", organisation.slug)
    q = " ".join(request.GET.get("q", "")[:100].split())
    records = TrainingRecord.objects.filter(organisation=organisation).select_related("team")
    if q:
        records = records.filter(Q(person_name__icontains=q) | Q(title__icontains=q))
    today = timezone.localdate()
    quarter = (today.month - 1) // 3 + 1
    return _page(
        request,
        "learning/trainings.html",
        {
            "form": form,
            "records": records[:100],
            "count": records.count(),
            "q": q,
            "import_form": ImportForm(),
            "quarter_form": QuarterForm(initial={"year": today.year, "quarter": quarter}),
        },
        status,
    )


@org_view(Role.ADMIN)
@require_POST
def training_delete(request: HttpRequest, training_id: str) -> HttpResponse:
    services.delete_training(get_training(request.membership, training_id), actor=request.user)  # type: ignore[attr-defined]
    messages.success(request, _("The training is deleted."))
    return redirect("learning:trainings", _org(request).slug)


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def training_import(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    error = None
    status = 200
    if request.method == "POST":
        status = 400
        try:
            ratelimit.check(
                f"learning-import:{organisation.pk}",
                30,
                3600,
                message=_("Too many imports in an hour. Try again later."),
            )
        except ratelimit.RateLimited as limited:
            response = _page(
                request,
                "learning/import.html",
                {"form": form, "error": limited.message, "columns": list(csvio.COLUMNS)},
                429,
            )
            response["Retry-After"] = str(limited.retry_after)
            return response
        if form.is_valid():
            try:
                content = csvio.decode(form.cleaned_data["file"].read(csvio.MAX_BYTES + 1))
                report = csvio.parse(organisation, content)
                if report.ok:
                    services.save_records(organisation, report.records, actor=request.user)
                    messages.success(
                        request,
                        _("%(n)d trainings imported.") % {"n": len(report.records)},
                    )
                    return redirect("learning:trainings", organisation.slug)
            except DomainError as problem:
                error = problem.message
    return _page(
        request,
        "learning/import.html",
        {"form": form, "report": report, "error": error, "columns": list(csvio.COLUMNS)},
        status,
    )


@org_view(Role.ADMIN)
@require_GET
def quarter_export(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    form = QuarterForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a year and a quarter (1 to 4)."))
        return redirect("learning:trainings", organisation.slug)
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    header, rows = csvio.quarter_rows(organisation, year, quarter)
    response = HttpResponse(csvio.csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{organisation.slug}-fla-{year}-q{quarter}.csv"
    )
    return response


# --- Figures --------------------------------------------------------------------------------


@org_view(Role.FACILITATOR)
@require_GET
def figures_page(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    numbers = figures.compute(organisation, _year(request))
    reported = figures.self_reported(organisation)
    return _page(
        request,
        "learning/figures.html",
        {
            "figures": numbers,
            "reported": reported,
            "rows": [(r, reported.share.get(r.key) if reported else None) for r in numbers.rows],
            "right_chart": figures.chart(numbers, "right"),
            "share_chart": figures.chart(numbers, "share"),
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        },
    )


@org_view(Role.ADMIN)
@require_GET
def untrained(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    found = people.untrained(organisation)
    people.audit_access(
        organisation,
        actor=request.user,
        exported=request.GET.get("format") == "csv",
        count=len(found),
    )
    if request.GET.get("format") == "csv":
        header = [_("Person"), _("E-mail address"), _("Latest training")]
        rows = [
            [p.name, p.email, p.last_training.isoformat() if p.last_training else ""] for p in found
        ]
        response = HttpResponse(
            csvio.csv_text(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{organisation.slug}-no-training-12-months.csv"
        )
        response["Cache-Control"] = "no-store"
        return response
    response = _page(request, "learning/untrained.html", {"people": found})
    response["Cache-Control"] = "no-store"
    return response


# --- Training plan --------------------------------------------------------------------------


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def plans(request: HttpRequest) -> HttpResponse:
    organisation = _org(request)
    today = timezone.localdate()
    form = PlanCreateForm(
        request.POST or None, initial={"year": today.year + (1 if today.month > 9 else 0)}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                new = services.create_plan(
                    organisation, form.cleaned_data["year"], actor=request.user
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect("learning:plan", organisation.slug, new.public_id)
    return _page(
        request,
        "learning/plans.html",
        {"form": form, "plans": TrainingPlan.objects.filter(organisation=organisation)},
        status,
    )


def _status_initial(p: TrainingPlan) -> dict[str, Any]:
    return {field: getattr(p, field) for field in PlanStatusForm.base_fields}


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def plan_detail(request: HttpRequest, plan_id: str) -> HttpResponse:
    organisation = _org(request)
    current = get_plan(request.membership, plan_id)  # type: ignore[attr-defined]
    which = request.POST.get("form")
    texts_form = PlanTextsForm(
        request.POST if which == "texts" else None, initial=current.texts or {}
    )
    status_form = PlanStatusForm(
        request.POST if which == "status" else None, initial=_status_initial(current)
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if texts_form.is_bound and texts_form.is_valid():
                services.update_plan(
                    current, {"texts": texts_form.cleaned_data}, actor=request.user
                )
                messages.success(request, _("The plan is saved."))
                return redirect("learning:plan", organisation.slug, current.public_id)
            if status_form.is_bound and status_form.is_valid():
                services.update_plan(current, status_form.cleaned_data, actor=request.user)
                messages.success(request, _("The plan is saved."))
                return redirect("learning:plan", organisation.slug, current.public_id)
        except DomainError as error:
            (texts_form if texts_form.is_bound else status_form).add_error(None, error.message)
    context = plan.document(current)
    context.update(
        {
            "texts_form": texts_form,
            "status_form": status_form,
            "versions": current.versions.all()[:20],
            "today": timezone.localdate(),
        }
    )
    return _page(request, "learning/plan.html", context, status)


@org_view(Role.ADMIN)
@require_GET
def plan_versions(request: HttpRequest, plan_id: str) -> HttpResponse:
    current = get_plan(request.membership, plan_id)  # type: ignore[attr-defined]
    versions = list(current.versions.all())
    pairs = [
        (new, plan.differences(old.snapshot, new.snapshot))
        for new, old in itertools.pairwise(versions)
    ]
    return _page(request, "learning/plan_versions.html", {"plan": current, "pairs": pairs})


def _language(request: HttpRequest) -> str:
    language = request.GET.get("lang", "nl")
    return language if language in documents.LANGUAGES else "nl"


@org_view(Role.ADMIN)
@require_GET
def plan_pdf(request: HttpRequest, plan_id: str) -> HttpResponse:
    current = get_plan(request.membership, plan_id)  # type: ignore[attr-defined]
    language = _language(request)
    response = HttpResponse(documents.pdf_bytes(current, language), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=documents.filename(current, language, "pdf")
    )
    return response


@org_view(Role.ADMIN)
@require_GET
def plan_docx(request: HttpRequest, plan_id: str) -> HttpResponse:
    current = get_plan(request.membership, plan_id)  # type: ignore[attr-defined]
    language = _language(request)
    response = HttpResponse(
        documents.docx_bytes(current, language),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=documents.filename(current, language, "docx")
    )
    return response
