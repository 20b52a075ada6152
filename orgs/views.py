"""Organisation pages. Each view: access check, validate, call a service, render or redirect."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import DomainError

from . import services
from .access import get_invitation, get_member, get_team, org_view
from .forms import (
    InviteForm,
    MemberTeamsForm,
    OrganisationForm,
    RoleForm,
    TeamForm,
    TeamHeadcountForm,
    TeamRenameForm,
)
from .models import AuditEvent, Membership, Role, Team, team_tree

AUDIT_PAGE_SIZE = 50
INVITATION_SESSION_KEY = "invitation_key"
UNUSABLE_INVITATION_CODES = {
    "invitation_unknown",
    "invitation_used",
    "invitation_revoked",
    "invitation_expired",
}


def _members_url(request: HttpRequest) -> str:
    return reverse("org_members", args=[request.organisation.slug])  # type: ignore[attr-defined]


def _teams_url(request: HttpRequest) -> str:
    return reverse("org_teams", args=[request.organisation.slug])  # type: ignore[attr-defined]


# --- Dashboard --------------------------------------------------------------------------


@org_view()
def dashboard(request: HttpRequest) -> HttpResponse:
    membership: Membership = request.membership  # type: ignore[attr-defined]
    organisation = membership.organisation
    context = {
        "membership": membership,
        "is_admin": membership.has_role(Role.ADMIN),
        "is_facilitator": membership.has_role(Role.FACILITATOR),
        "my_teams": list(membership.teams.all()),
        "formats_url": f"/o/{organisation.slug}/formats/",
        "section": "dashboard",
    }
    if context["is_admin"]:
        context.update(
            member_count=organisation.memberships.count(),
            pending_count=organisation.invitations.pending().count(),
            team_count=organisation.teams.count(),
        )
    return render(request, "orgs/dashboard.html", context)


# --- Members and invitations ------------------------------------------------------------


def _render_members(
    request: HttpRequest, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    members = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .prefetch_related("teams")
    )
    invitations = organisation.invitations.pending().select_related("invited_by")
    return render(
        request,
        "orgs/members.html",
        {
            "members": members,
            "invitations": invitations,
            "invite_form": invite_form or InviteForm(),
            "roles": Role.choices,
            "section": "members",
        },
        status=status,
    )


@org_view(Role.ADMIN)
@require_http_methods(["GET"])
def members(request: HttpRequest) -> HttpResponse:
    return _render_members(request)


@org_view(Role.ADMIN)
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _render_members(request, form, status=400)
    try:
        invitation, _key = services.invite_member(
            request.organisation,  # type: ignore[attr-defined]
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            actor=request.user,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_members(request, form, status=400)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return redirect(_members_url(request))


@org_view(Role.ADMIN)
@require_POST
def member_role(request: HttpRequest, member_id: str) -> HttpResponse:
    member = get_member(request.membership, member_id)  # type: ignore[attr-defined]
    form = RoleForm(request.POST)
    message, ok = _("Choose one of the offered roles."), False
    if form.is_valid():
        try:
            services.change_role(member, role=form.cleaned_data["role"], actor=request.user)
        except DomainError as error:
            message = error.message
        else:
            ok = True
            message = _("%(name)s is now %(role)s.") % {
                "name": member.user.display_name,
                "role": member.get_role_display(),
            }
    if ok and member.user_id == request.user.pk and member.role != Role.ADMIN:
        # Whoever gave up their own admin role can no longer see the members page.
        messages.success(request, message)
        dashboard_url = reverse("org_dashboard", args=[request.organisation.slug])  # type: ignore[attr-defined]
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponseClientRedirect(dashboard_url)
        return redirect(dashboard_url)
    if request.htmx:  # type: ignore[attr-defined]
        member = get_member(request.membership, member_id)  # type: ignore[attr-defined]
        return render(
            request,
            "orgs/members.html#member-row",
            {"member": member, "roles": Role.choices, "row_message": message, "row_ok": ok},
        )
    (messages.success if ok else messages.error)(request, message)
    return redirect(_members_url(request))


def _render_member(
    request: HttpRequest, member: Membership, teams_form: MemberTeamsForm | None = None
) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    if teams_form is None:
        teams_form = MemberTeamsForm(
            organisation=organisation,
            initial={"teams": [str(team.public_id) for team in member.teams.all()]},
        )
    return render(
        request,
        "orgs/member.html",
        {"member": member, "roles": Role.choices, "teams_form": teams_form, "section": "members"},
        status=400 if teams_form.is_bound else 200,
    )


@org_view(Role.ADMIN)
@require_http_methods(["GET"])
def member_detail(request: HttpRequest, member_id: str) -> HttpResponse:
    return _render_member(request, get_member(request.membership, member_id))  # type: ignore[attr-defined]


@org_view(Role.ADMIN)
@require_POST
def member_teams(request: HttpRequest, member_id: str) -> HttpResponse:
    member = get_member(request.membership, member_id)  # type: ignore[attr-defined]
    form = MemberTeamsForm(request.POST, organisation=request.organisation)  # type: ignore[attr-defined]
    if not form.is_valid():
        return _render_member(request, member, form)
    try:
        services.set_member_teams(member, teams=form.cleaned_data["teams"], actor=request.user)
    except DomainError as error:
        form.add_error(None, error.message)
        return _render_member(request, member, form)
    messages.success(
        request, _("The teams of %(name)s are saved.") % {"name": member.user.display_name}
    )
    return redirect("org_member", slug=request.organisation.slug, member_id=member.public_id)  # type: ignore[attr-defined]


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, member_id: str) -> HttpResponse:
    member = get_member(request.membership, member_id)  # type: ignore[attr-defined]
    if request.method == "GET":
        return render(request, "orgs/member_remove.html", {"member": member, "section": "members"})
    try:
        services.remove_member(member, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("org_member", slug=request.organisation.slug, member_id=member.public_id)  # type: ignore[attr-defined]
    if member.user_id == request.user.pk:
        messages.success(
            request,
            _("You have left %(name)s.") % {"name": request.organisation.name},  # type: ignore[attr-defined]
        )
        return redirect("home")
    messages.success(
        request,
        _("%(name)s is no longer a member.") % {"name": member.user.display_name},
    )
    return redirect(_members_url(request))


@org_view(Role.ADMIN)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: str) -> HttpResponse:
    invitation = get_invitation(request.membership, invitation_id)  # type: ignore[attr-defined]
    try:
        services.revoke_invitation(invitation, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The invitation for %(email)s is withdrawn.") % {"email": invitation.email},
        )
    return redirect(_members_url(request))


# --- Teams ------------------------------------------------------------------------------


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = TeamForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(
                organisation,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Team “%(name)s” added.") % {"name": team.name})
            return redirect(_teams_url(request))
    tree = team_tree(Team.objects.filter(organisation=organisation))
    return render(
        request,
        "orgs/teams.html",
        {"tree": tree, "form": form, "section": "teams"},
        status=400 if form.is_bound else 200,
    )


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: str) -> HttpResponse:
    team = get_team(request.membership, team_id)  # type: ignore[attr-defined]
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted is not None else None
    form = TeamForm(
        posted if which != "headcount" else None,
        organisation=request.organisation,  # type: ignore[attr-defined]
        team=team,
    )
    headcount_form = TeamHeadcountForm(
        posted if which == "headcount" else None,
        initial={"headcount": team.headcount if team.headcount is not None else ""},
    )
    if which == "headcount" and headcount_form.is_valid():
        try:
            services.set_team_headcount(
                team, headcount=headcount_form.cleaned_data["headcount"], actor=request.user
            )
        except DomainError as error:
            headcount_form.add_error("headcount", error.message)
        else:
            messages.success(request, _("Team “%(name)s” saved.") % {"name": team.name})
            return redirect(_teams_url(request))
    elif which != "headcount" and request.method == "POST" and form.is_valid():
        try:
            services.update_team(
                team,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                actor=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Team “%(name)s” saved.") % {"name": team.name})
            return redirect(_teams_url(request))
    return render(
        request,
        "orgs/team.html",
        {
            "team": team,
            "form": form,
            "headcount_form": headcount_form,
            "known_people": services.known_people(team),
            "effective_headcount": services.effective_headcount(team),
            "has_children": team.children.exists(),
            "section": "teams",
        },
        status=400 if request.method == "POST" else 200,
    )


@org_view(Role.ADMIN)
@require_POST
def team_rename(request: HttpRequest, team_id: str) -> HttpResponse:
    team = get_team(request.membership, team_id)  # type: ignore[attr-defined]
    form = TeamRenameForm(request.POST)
    ok = False
    if form.is_valid():
        try:
            services.update_team(
                team, name=form.cleaned_data["name"], parent=team.parent, actor=request.user
            )
        except DomainError as error:
            message = error.message
        else:
            ok = True
            message = _("Renamed to “%(name)s”.") % {"name": team.name}
    else:
        message = _("Enter a name of at most 150 characters.")
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "orgs/teams.html#team-item",
            {"team": team, "team_message": message, "team_ok": ok},
        )
    (messages.success if ok else messages.error)(request, message)
    return redirect(_teams_url(request))


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def team_delete(request: HttpRequest, team_id: str) -> HttpResponse:
    team = get_team(request.membership, team_id)  # type: ignore[attr-defined]
    if request.method == "GET":
        return render(
            request,
            "orgs/team_delete.html",
            {"team": team, "has_children": team.children.exists(), "section": "teams"},
        )
    try:
        services.delete_team(team, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("org_team", slug=request.organisation.slug, team_id=team.public_id)  # type: ignore[attr-defined]
    messages.success(request, _("Team “%(name)s” deleted.") % {"name": team.name})
    return redirect(_teams_url(request))


# --- Settings and audit log -------------------------------------------------------------


@org_view(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    form = OrganisationForm.for_organisation(organisation, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.update_organisation(
                organisation, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("org_settings", slug=organisation.slug)
    return render(
        request,
        "orgs/settings.html",
        {"form": form, "section": "settings"},
        status=400 if form.is_bound else 200,
    )


@org_view(Role.ADMIN)
@require_http_methods(["GET"])
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(organisation=request.organisation)  # type: ignore[attr-defined]
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/audit.html", {"page": page, "section": "audit"})


# --- Accepting an invitation ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, key: str) -> HttpResponse:
    """The link in the invitation e-mail. Works logged in and logged out."""
    invitation = services.find_invitation(key)
    try:
        services.check_invitation_usable(invitation)
    except DomainError as error:
        return _invitation_unusable(request, key, error)
    assert invitation is not None
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            request.session[INVITATION_SESSION_KEY] = key
            return redirect_to_login(request.path)
        try:
            membership = services.accept_invitation(key, user=user)
        except DomainError as error:
            if error.code in UNUSABLE_INVITATION_CODES:
                return _invitation_unusable(request, key, error)
            return _render_invitation(request, invitation, error=error.message, status=error.status)
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(
            request,
            _("Welcome to %(name)s. You joined as %(role)s.")
            % {"name": membership.organisation.name, "role": membership.get_role_display()},
        )
        return redirect("org_dashboard", slug=membership.organisation.slug)
    if not user.is_authenticated:
        # Opens sign-up for this visitor (accounts.adapter) and brings them back here.
        request.session[INVITATION_SESSION_KEY] = key
    return _render_invitation(request, invitation)


def _render_invitation(
    request: HttpRequest, invitation, *, error: str = "", status: int = 200
) -> HttpResponse:
    user = request.user
    here = request.path
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "error": error,
        "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
        "signup_url": reverse("account_signup")
        + "?"
        + urlencode({"email": invitation.email, "next": here}),
    }
    if user.is_authenticated:
        context["email_matches"] = (user.email or "").lower() == invitation.email.lower()
        context["already_member"] = Membership.objects.filter(
            user=user, organisation=invitation.organisation
        ).exists()
    return render(request, "orgs/invitation.html", context, status=status)


def _invitation_unusable(request: HttpRequest, key: str, error: DomainError) -> HttpResponse:
    if request.session.get(INVITATION_SESSION_KEY) == key:
        del request.session[INVITATION_SESSION_KEY]
    return render(
        request,
        "orgs/invitation_unusable.html",
        {"error": error},
        status=error.status,
    )
