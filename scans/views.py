"""Scan pages for the organisation: questionnaires, campaigns, reports and exports.

Admins manage questionnaires and campaigns; admins and facilitators read reports and export
aggregated results; only admins export the anonymous responses. Every figure on these pages
comes from `scans.reports`, which applies the anonymity rule.
"""

from __future__ import annotations

import uuid
from typing import Any

import yaml
from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from formats.loader import dump_yaml
from orgs.access import org_view
from orgs.models import Role
from orgs.services import effective_headcount

from . import exports, services
from .access import get_campaign, get_questionnaire
from .forms import CampaignForm, InviteForm, QuestionnaireForm
from .links import qr_svg_data_uri, team_link
from .models import Campaign, CampaignNode, CampaignState, Questionnaire, ScanInvitation
from .reminders import MAX_REMINDER_DAYS, MAX_REMINDERS
from .reports import build_report, filter_options, too_few


def _campaign_url(campaign: Campaign) -> str:
    return reverse("scan_campaign", args=[campaign.organisation.slug, campaign.public_id])


# --- Overview ---------------------------------------------------------------------------


@org_view(Role.FACILITATOR)
@require_GET
def scans_home(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    campaigns = Campaign.objects.of(organisation).select_related(
        "questionnaire_version__questionnaire"
    )
    return render(
        request,
        "scans/home.html",
        {
            "campaigns": campaigns,
            "is_admin": membership.has_role(Role.ADMIN),
            "questionnaires": Questionnaire.objects.visible_to(organisation),
            "section": "scans",
        },
    )


# --- Questionnaires ---------------------------------------------------------------------


@org_view(Role.ADMIN)
@require_POST
def questionnaire_copy(request: HttpRequest, questionnaire_id: str) -> HttpResponse:
    source = get_questionnaire(request.membership, questionnaire_id)  # type: ignore[attr-defined]
    copy = services.copy_questionnaire(
        source,
        request.organisation,  # type: ignore[attr-defined]
        actor=request.user,
    )
    messages.success(request, _("Copy made: you can now change it."))
    return redirect("scan_questionnaire", request.organisation.slug, copy.public_id)  # type: ignore[attr-defined]


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def questionnaire_edit(request: HttpRequest, questionnaire_id: str) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    questionnaire = get_questionnaire(membership, questionnaire_id)
    editable = not questionnaire.is_builtin
    version = questionnaire.current_version
    form = QuestionnaireForm(
        request.POST or None, initial={"content": dump_yaml(version.data) if version else ""}
    )
    status = 200
    if request.method == "POST":
        if not editable:
            return HttpResponse(status=403)
        status = 400
        if form.is_valid():
            try:
                data = yaml.safe_load(form.cleaned_data["content"])
                new = services.edit_questionnaire(questionnaire, data, actor=request.user)
            except yaml.YAMLError as error:
                form.add_error(
                    "content",
                    _("This is not valid YAML: %(problem)s") % {"problem": str(error)[:300]},
                )
            except DomainError as error:
                form.add_error("content", error.message)
            else:
                messages.success(request, _("Saved as version %(n)d.") % {"n": new.number})
                return redirect(
                    "scan_questionnaire", membership.organisation.slug, questionnaire.public_id
                )
    return render(
        request,
        "scans/questionnaire.html",
        {
            "questionnaire": questionnaire,
            "version": version,
            "form": form,
            "editable": editable,
            "frozen": version.is_frozen if version else False,
            "section": "scans",
        },
        status=status,
    )


# --- Campaigns --------------------------------------------------------------------------


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    builtin = Questionnaire.objects.filter(organisation__isnull=True, slug="leercultuur").first()
    form = CampaignForm(
        request.POST or None,
        organisation=organisation,
        initial={"questionnaire": str(builtin.public_id) if builtin else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(organisation, actor=request.user, **form.cleaned())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Campaign created. Open it when you are ready."))
            return redirect(_campaign_url(campaign))
    return render(
        request,
        "scans/campaign_new.html",
        {"form": form, "section": "scans"},
        status=400 if form.is_bound else 200,
    )


def _render_campaign(
    request: HttpRequest,
    campaign: Campaign,
    invite_form: InviteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    links = []
    minimum = max(campaign.anonymity_minimum, campaign.organisation.anonymity_minimum)
    nodes = (
        CampaignNode.objects.filter(campaign=campaign, is_target=True)
        .select_related("team")
        .order_by("position")
    )
    for node in nodes:
        url = team_link(node.code or "")
        headcount = effective_headcount(node.team) if node.team is not None else None
        links.append(
            {
                "node": node,
                "url": url,
                "qr": qr_svg_data_uri(url),
                "headcount": headcount,
                # An open link trusts whoever holds it: one person can add answers up to
                # the headcount (from other devices), enough to lift a small group over
                # the minimum. Said here, with single-use alternatives.
                "padding_possible": node.link_enabled
                and (headcount is None or headcount >= minimum),
            }
        )
    invitations = ScanInvitation.objects.filter(campaign=campaign)
    invited = invitations.count()
    pending = invitations.filter(used=False).count()
    return render(
        request,
        "scans/campaign.html",
        {
            "campaign": campaign,
            "links": links,
            "invite_form": invite_form or InviteForm(campaign=campaign),
            "invited": invited,
            "pending": pending,
            "pending_count": pending if _countable(invited - pending, campaign) else None,
            "accepts": campaign.accepts_responses(),
            "reminder_max": MAX_REMINDERS,
            "reminder_max_days": MAX_REMINDER_DAYS,
            "states": CampaignState,
            "section": "scans",
            "minimum": minimum,
            "max_slips": services.MAX_SLIPS,
        },
        status=status,
    )


def _countable(used: int, campaign: Campaign) -> bool:
    """Invited minus not yet used is the number who answered by invitation: say it only
    when that is 0 or at least the minimum."""
    return used == 0 or used >= max(
        campaign.anonymity_minimum, campaign.organisation.anonymity_minimum
    )


@org_view(Role.ADMIN)
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    return _render_campaign(request, campaign)


@org_view(Role.ADMIN)
@require_POST
def campaign_state(request: HttpRequest, campaign_id: str, action: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    try:
        if action == "open":
            services.open_campaign(campaign, actor=request.user)
            messages.success(request, _("The campaign is open: the links work now."))
        else:
            services.close_campaign(campaign, actor=request.user)
            messages.success(request, _("The campaign is closed."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(_campaign_url(campaign))


@org_view(Role.ADMIN)
@require_POST
def campaign_invite(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    form = InviteForm(request.POST, campaign=campaign)
    if not form.is_valid():
        return _render_campaign(request, campaign, form, status=400)
    try:
        count = services.invite_respondents(
            campaign, form.nodes[form.cleaned_data["team"]], form.addresses(), actor=request.user
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_campaign(request, campaign, form, status=400)
    messages.success(request, _("%(n)d invitations sent.") % {"n": count})
    return redirect(_campaign_url(campaign))


@org_view(Role.ADMIN)
@require_POST
def campaign_remind(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    try:
        count = services.send_reminders(campaign, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        used = ScanInvitation.objects.filter(campaign=campaign, used=True).count()
        if _countable(used, campaign):
            messages.success(request, _("%(n)d reminders sent.") % {"n": count})
        else:
            messages.success(request, _("Reminders sent to everyone who has not answered."))
    return redirect(_campaign_url(campaign))


def _target_node(campaign: Campaign, node_id: Any) -> CampaignNode:
    node = CampaignNode.objects.filter(campaign=campaign, public_id=node_id, is_target=True).first()
    if node is None:
        raise Http404
    return node


@org_view(Role.ADMIN)
@require_POST
def campaign_team_link(request: HttpRequest, campaign_id: str, node_id: Any) -> HttpResponse:
    """Close a team's open link (it then answers only by invitation or slip), or reopen it."""
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    node = _target_node(campaign, node_id)
    enabled = request.POST.get("enabled") == "1"
    services.set_team_link(campaign, node, enabled=enabled, actor=request.user)
    if enabled:
        messages.success(request, _("The team link of %(team)s works again.") % {"team": node.name})
    else:
        messages.success(
            request,
            _("The team link of %(team)s is closed: the team answers by invitation or slip.")
            % {"team": node.name},
        )
    return redirect(_campaign_url(campaign))


@org_view(Role.ADMIN)
@require_POST
def campaign_slips(request: HttpRequest, campaign_id: str, node_id: Any) -> HttpResponse:
    """A printable A4 sheet of single-use QR slips for one team, with cut marks."""
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    node = _target_node(campaign, node_id)
    try:
        tokens = services.create_slips(
            campaign, node, request.POST.get("count", ""), actor=request.user
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_campaign_url(campaign))
    return exports.slips_pdf_response(campaign, node, tokens)


# --- Reports and exports ----------------------------------------------------------------


def _report(request: HttpRequest, campaign_id: str, *, with_trend: bool = True):
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    report = build_report(
        campaign,
        team=request.GET.get("team") or None,
        filter=request.GET.get("filter") or None,
        with_trend=with_trend,
    )
    return campaign, report


@org_view(Role.FACILITATOR)
@require_GET
def report_page(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    error = None
    try:
        report = build_report(
            campaign, team=request.GET.get("team") or None, filter=request.GET.get("filter") or None
        )
    except DomainError as exc:
        error = exc.message
        report = build_report(campaign)
    membership = request.membership  # type: ignore[attr-defined]
    return render(
        request,
        "scans/report.html",
        {
            "campaign": campaign,
            "report": report,
            "error": error,
            "filters": filter_options(campaign.questionnaire),
            "too_few": too_few(),
            "is_admin": membership.has_role(Role.ADMIN),
            "query": request.GET.urlencode(),
            "formats": _discussion_formats(request.organisation),  # type: ignore[attr-defined]
            "section": "scans",
            "actions_installed": apps.is_installed("actions"),
        },
        status=400 if error else 200,
    )


def _discussion_formats(organisation: Any) -> Any:
    from formats.models import Format

    return Format.objects.visible_to(organisation).exclude(current_version=None)


@org_view(Role.FACILITATOR)
@require_POST
def discuss(request: HttpRequest, campaign_id: str) -> HttpResponse:
    """ "Bespreek deze resultaten": start a live session of a chosen format, linked to the
    campaign so the console can show the scan's results on the presenter screen. The
    report's button brings the form that asks for the session's title and date (as every
    start does); that form's answer starts the session."""
    from workshops import services as workshop_services
    from workshops.forms import StartSessionForm

    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    organisation = request.organisation  # type: ignore[attr-defined]
    try:
        public_id = uuid.UUID(request.POST.get("format", ""))
    except ValueError:
        public_id = None
    fmt = _discussion_formats(organisation).filter(public_id=public_id).first()
    if fmt is None:
        raise Http404
    answered = "title" in request.POST
    form = StartSessionForm(request.POST if answered else None, format_title=fmt.title)
    if answered and form.is_valid():
        try:
            session = workshop_services.start_session(
                organisation=organisation,
                fmt=fmt,
                actor=request.user,
                scan_campaign=campaign,
                title=form.cleaned_data["title"],
                planned_on=form.cleaned_data["planned_on"],
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("scan_report", organisation.slug, campaign.public_id)
        return redirect("workshop_console", organisation.slug, session.public_id)
    action = reverse("scan_discuss", args=[organisation.slug, campaign.public_id])
    return render(
        request,
        "workshops/start.html",
        {"form": form, "format": fmt, "form_action": action, "section": "scans"},
        status=400 if answered else 200,
    )


@org_view(Role.FACILITATOR)
@require_GET
def export_csv(
    request: HttpRequest, campaign_id: str, flavour: str = exports.PLAIN
) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    return exports.aggregated_csv_response(campaign, flavour)


@org_view(Role.FACILITATOR)
@require_GET
def export_xlsx(request: HttpRequest, campaign_id: str) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    return exports.xlsx_response(campaign)


@org_view(Role.FACILITATOR)
@require_GET
def export_pdf(request: HttpRequest, campaign_id: str) -> HttpResponse:
    try:
        _campaign, report = _report(request, campaign_id, with_trend=True)
    except DomainError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    return exports.pdf_response(report)


@org_view(Role.ADMIN)
@require_GET
def export_responses(
    request: HttpRequest, campaign_id: str, flavour: str = exports.PLAIN
) -> HttpResponse:
    campaign = get_campaign(request.membership, campaign_id)  # type: ignore[attr-defined]
    return exports.raw_csv_response(campaign, flavour)
