"""The organisation pages: happy paths, bad input, htmx fragments, page structure."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from orgs import services
from orgs.models import AuditEvent, Invitation, Membership, Role, Team

from .conftest import page_problems, snapshot

HTMX = {"HTTP_HX_REQUEST": "true"}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


# --- dashboard --------------------------------------------------------------------------


def test_admin_dashboard_leads_to_inviting_and_teams(as_admin, org):
    response = as_admin.get(reverse("org_dashboard", args=[org.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("org_members", args=[org.slug])}#invite-heading"' in html
    assert f'href="{reverse("org_teams", args=[org.slug])}"' in html
    assert 'href="/o/korenbloem/formats/"' in html
    assert page_problems(response) == []


def test_admin_dashboard_without_empty_states_once_set_up(as_admin, org, member_user, team):
    response = as_admin.get(reverse("org_dashboard", args=[org.slug]))
    html = response.content.decode()
    assert "Invite the people you work with" not in html
    assert "Set up your teams" not in html
    assert f'href="{reverse("org_audit", args=[org.slug])}"' in html


def test_facilitator_dashboard_leads_to_workshop_formats(client, org, facilitator_user):
    client.force_login(facilitator_user)
    response = client.get(reverse("org_dashboard", args=[org.slug]))
    html = response.content.decode()
    assert 'href="/o/korenbloem/formats/"' in html
    assert "Workshop formats" in html
    assert reverse("org_members", args=[org.slug]) not in html
    assert page_problems(response) == []


def test_member_dashboard_explains_lerend(client, org, member_user, member_membership, team):
    member_membership.teams.add(team)
    client.force_login(member_user)
    response = client.get(reverse("org_dashboard", args=[org.slug]))
    html = response.content.decode()
    assert "What lerend is" in html
    assert "appear on this page" in html
    assert "Productie" in html
    # Members read and print the format library; sessions, scans and members are not theirs.
    assert f'href="{reverse("format_library", args=[org.slug])}"' in html
    assert reverse("workshop_list", args=[org.slug]) not in html
    assert reverse("scans_home", args=[org.slug]) not in html
    assert reverse("org_members", args=[org.slug]) not in html
    assert page_problems(response) == []


def test_facilitators_reach_sessions_and_scans_from_every_organisation_page(
    client, org, facilitator_user
):
    client.force_login(facilitator_user)
    html = client.get(reverse("format_library", args=[org.slug])).content.decode()
    for name in ("format_library", "workshop_list", "scans_home"):
        assert f'href="{reverse(name, args=[org.slug])}"' in html, name
    assert reverse("org_audit", args=[org.slug]) not in html


def test_dashboard_in_dutch(client, org, member_user):
    client.force_login(member_user)
    client.cookies["lerend_language"] = "nl"
    response = client.get(reverse("org_dashboard", args=[org.slug]), HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


# --- members ----------------------------------------------------------------------------


def test_members_page_lists_members_and_open_invitations(as_admin, org, admin_user, member_user):
    invitation, _ = services.invite_member(
        org, email="open@example.test", role=Role.FACILITATOR, actor=admin_user
    )
    response = as_admin.get(reverse("org_members", args=[org.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert member_user.email in html and admin_user.email in html
    assert "open@example.test" in html
    assert reverse("org_invitation_revoke", args=[org.slug, invitation.public_id]) in html
    assert page_problems(response) == []


def test_invite_sends_mail_and_lists_the_invitation(
    as_admin, org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(
            reverse("org_invite", args=[org.slug]),
            {"email": "nieuw@example.test", "role": "facilitator"},
        )
    assert response.status_code == 302
    assert response.url == reverse("org_members", args=[org.slug])
    invitation = Invitation.objects.get(organisation=org)
    assert (invitation.email, invitation.role) == ("nieuw@example.test", "facilitator")
    assert mail.outbox[0].to == ["nieuw@example.test"]
    assert any("nieuw@example.test" in m for m in messages_of(response))


@pytest.mark.parametrize(
    "data", [{"email": "geen adres", "role": "member"}, {"email": "a@b.test", "role": "baas"}]
)
def test_invite_with_bad_input_shows_the_form_again(as_admin, org, data):
    response = as_admin.post(reverse("org_invite", args=[org.slug]), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert Invitation.objects.count() == 0
    assert page_problems(response) == []


def test_invite_an_existing_member_shows_why(as_admin, org, member_user):
    response = as_admin.post(
        reverse("org_invite", args=[org.slug]), {"email": member_user.email, "role": "member"}
    )
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_revoke_invitation(as_admin, org, admin_user):
    invitation, _ = services.invite_member(
        org, email="open@example.test", role=Role.MEMBER, actor=admin_user
    )
    response = as_admin.post(
        reverse("org_invitation_revoke", args=[org.slug, invitation.public_id])
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    again = as_admin.post(reverse("org_invitation_revoke", args=[org.slug, invitation.public_id]))
    assert again.status_code == 302
    assert any("already withdrawn" in m for m in messages_of(again))


def test_change_role_without_javascript(as_admin, org, member_membership):
    url = reverse("org_member_role", args=[org.slug, member_membership.public_id])
    response = as_admin.post(url, {"role": "facilitator"})
    assert response.status_code == 302
    assert response.url == reverse("org_members", args=[org.slug])
    member_membership.refresh_from_db()
    assert member_membership.role == Role.FACILITATOR


def test_change_role_with_htmx_returns_the_row(as_admin, org, member_membership):
    url = reverse("org_member_role", args=[org.slug, member_membership.public_id])
    response = as_admin.post(url, {"role": "admin"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<tr id="member-{member_membership.public_id}"')
    assert "<html" not in html
    assert '<option value="admin" selected>' in html
    assert 'class="row-message ok"' in html
    member_membership.refresh_from_db()
    assert member_membership.role == Role.ADMIN


def test_demoting_the_last_admin_with_htmx_shows_the_reason_in_the_row(
    as_admin, org, admin_membership
):
    url = reverse("org_member_role", args=[org.slug, admin_membership.public_id])
    response = as_admin.post(url, {"role": "member"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="row-message error"' in html
    assert "at least one administrator" in html
    assert '<option value="admin" selected>' in html
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


def test_demoting_the_last_admin_without_javascript(as_admin, org, admin_membership):
    url = reverse("org_member_role", args=[org.slug, admin_membership.public_id])
    response = as_admin.post(url, {"role": "member"})
    assert response.status_code == 302
    assert any("at least one administrator" in m for m in messages_of(response))
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN


def test_an_admin_stepping_down_goes_to_the_dashboard(
    as_admin, org, admin_user, admin_membership, member_membership
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    url = reverse("org_member_role", args=[org.slug, admin_membership.public_id])
    response = as_admin.post(url, {"role": "facilitator"})
    assert response.url == reverse("org_dashboard", args=[org.slug])
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.FACILITATOR


def test_an_admin_stepping_down_with_htmx_is_sent_to_the_dashboard(
    as_admin, org, admin_user, admin_membership, member_membership
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    url = reverse("org_member_role", args=[org.slug, admin_membership.public_id])
    response = as_admin.post(url, {"role": "member"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("org_dashboard", args=[org.slug])
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.MEMBER


def test_member_page_and_teams(as_admin, org, member_membership, team):
    url = reverse("org_member", args=[org.slug, member_membership.public_id])
    response = as_admin.get(url)
    assert response.status_code == 200
    assert page_problems(response) == []
    response = as_admin.post(
        reverse("org_member_teams", args=[org.slug, member_membership.public_id]),
        {"teams": [str(team.public_id)]},
    )
    assert response.status_code == 302
    assert list(member_membership.teams.all()) == [team]
    response = as_admin.post(
        reverse("org_member_teams", args=[org.slug, member_membership.public_id]), {}
    )
    assert response.status_code == 302
    assert member_membership.teams.count() == 0


def test_remove_member_asks_first(as_admin, org, member_membership, member_user):
    url = reverse("org_member_remove", args=[org.slug, member_membership.public_id])
    page = as_admin.get(url)
    assert page.status_code == 200
    assert page_problems(page) == []
    assert Membership.objects.filter(pk=member_membership.pk).exists()
    response = as_admin.post(url)
    assert response.url == reverse("org_members", args=[org.slug])
    assert not Membership.objects.filter(user=member_user, organisation=org).exists()


def test_the_last_admin_cannot_remove_themselves(as_admin, org, admin_membership):
    url = reverse("org_member_remove", args=[org.slug, admin_membership.public_id])
    response = as_admin.post(url)
    assert response.status_code == 302
    assert any("last administrator" in m for m in messages_of(response))
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_an_admin_can_leave_when_another_admin_remains(
    as_admin, org, admin_user, admin_membership, member_membership
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    url = reverse("org_member_remove", args=[org.slug, admin_membership.public_id])
    response = as_admin.post(url)
    assert response.url == reverse("home")
    assert not Membership.objects.filter(pk=admin_membership.pk).exists()


# --- teams ------------------------------------------------------------------------------


def test_teams_page_shows_the_tree(as_admin, org, team):
    bakery = Team.objects.create(organisation=org, name="Bakkerij", parent=team)
    Team.objects.create(organisation=org, name="Oven", parent=bakery)
    Team.objects.create(organisation=org, name="Administratie")
    response = as_admin.get(reverse("org_teams", args=[org.slug]))
    html = response.content.decode()
    assert response.status_code == 200

    # Roots sorted by name; each sub-team inside its parent's list.
    def at(name):
        return html.index(f'class="team-name">{name}<')

    assert at("Administratie") < at("Productie") < at("Bakkerij") < at("Oven")
    productie = html.index('class="team-name">Productie')
    assert html.index("<ul>", productie) < html.index('class="team-name">Bakkerij')
    assert page_problems(response) == []


def test_teams_page_empty_state(as_admin, org):
    response = as_admin.get(reverse("org_teams", args=[org.slug]))
    assert "No teams yet" in response.content.decode()


def test_create_team_and_sub_team(as_admin, org, team):
    url = reverse("org_teams", args=[org.slug])
    response = as_admin.post(url, {"name": "Bakkerij", "parent": str(team.public_id)})
    assert response.status_code == 302
    assert Team.objects.get(name="Bakkerij").parent == team


def test_create_team_with_a_taken_name(as_admin, org, team):
    response = as_admin.post(reverse("org_teams", args=[org.slug]), {"name": "productie"})
    assert response.status_code == 400
    assert "already a team" in response.content.decode()
    assert org.teams.count() == 1


def test_move_team(as_admin, org, team):
    shop = Team.objects.create(organisation=org, name="Winkel")
    url = reverse("org_team", args=[org.slug, shop.public_id])
    page = as_admin.get(url)
    assert page_problems(page) == []
    response = as_admin.post(url, {"name": "Winkel", "parent": str(team.public_id)})
    assert response.status_code == 302
    shop.refresh_from_db()
    assert shop.parent == team


def test_a_team_cannot_be_moved_under_its_sub_team(as_admin, org, team):
    child = Team.objects.create(organisation=org, name="Bakkerij", parent=team)
    url = reverse("org_team", args=[org.slug, team.public_id])
    page = as_admin.get(url).content.decode()
    assert f'value="{child.public_id}"' not in page  # not offered
    assert f'value="{team.public_id}"' not in page
    before = snapshot(org)
    response = as_admin.post(url, {"name": team.name, "parent": str(child.public_id)})
    assert response.status_code == 400
    assert snapshot(org) == before


def test_rename_team_with_htmx_returns_the_item(as_admin, org, team):
    url = reverse("org_team_rename", args=[org.slug, team.public_id])
    response = as_admin.post(url, {"name": "Bakkerij"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<div class="team-item" id="team-{team.public_id}"')
    assert "<html" not in html
    assert 'class="team-name">Bakkerij<' in html
    team.refresh_from_db()
    assert team.name == "Bakkerij"


def test_rename_team_with_htmx_to_a_taken_name(as_admin, org, team):
    shop = Team.objects.create(organisation=org, name="Winkel")
    url = reverse("org_team_rename", args=[org.slug, shop.public_id])
    response = as_admin.post(url, {"name": "Productie"}, **HTMX)
    html = response.content.decode()
    assert 'class="row-message error"' in html
    assert "<details open>" in html
    shop.refresh_from_db()
    assert shop.name == "Winkel"


def test_rename_team_without_javascript(as_admin, org, team):
    url = reverse("org_team_rename", args=[org.slug, team.public_id])
    response = as_admin.post(url, {"name": "Bakkerij"})
    assert response.url == reverse("org_teams", args=[org.slug])
    team.refresh_from_db()
    assert team.name == "Bakkerij"
    response = as_admin.post(url, {"name": ""})
    assert any("Enter a name" in m for m in messages_of(response))
    team.refresh_from_db()
    assert team.name == "Bakkerij"


def test_delete_team(as_admin, org, team):
    url = reverse("org_team_delete", args=[org.slug, team.public_id])
    page = as_admin.get(url)
    assert page.status_code == 200
    assert page_problems(page) == []
    response = as_admin.post(url)
    assert response.url == reverse("org_teams", args=[org.slug])
    assert not Team.objects.filter(pk=team.pk).exists()


def test_delete_team_with_sub_teams_is_refused(as_admin, org, team):
    Team.objects.create(organisation=org, name="Bakkerij", parent=team)
    response = as_admin.post(reverse("org_team_delete", args=[org.slug, team.public_id]))
    assert response.status_code == 302
    assert any("sub-teams" in m for m in messages_of(response))
    assert Team.objects.filter(pk=team.pk).exists()


# --- settings and audit log -------------------------------------------------------------


def test_settings_page_saves(as_admin, org):
    url = reverse("org_settings", args=[org.slug])
    page = as_admin.get(url)
    assert page_problems(page) == []
    response = as_admin.post(
        url,
        {
            "name": "De Korenbloem",
            "slug": "de-korenbloem",
            "language": "en",
            "anonymity_minimum": "10",
        },
    )
    assert response.url == reverse("org_settings", args=["de-korenbloem"])
    org.refresh_from_db()
    assert (org.name, org.slug, org.language, org.anonymity_minimum) == (
        "De Korenbloem",
        "de-korenbloem",
        "en",
        10,
    )
    assert as_admin.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("field", "value"), [("anonymity_minimum", "2"), ("slug", "peeters"), ("slug", "niet geldig")]
)
def test_settings_refuses_bad_values(as_admin, org, other_org, field, value):
    data = {"name": org.name, "slug": org.slug, "language": "nl", "anonymity_minimum": "5"}
    data[field] = value
    before = snapshot(org)
    response = as_admin.post(reverse("org_settings", args=[org.slug]), data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert snapshot(org) == before


def test_audit_log_is_paginated_newest_first(as_admin, org, admin_user):
    for number in range(60):
        services.record(org, actor=admin_user, action="team.created", target_label=f"T{number}")
    url = reverse("org_audit", args=[org.slug])
    first = as_admin.get(url)
    events = list(first.context["page"].object_list)
    assert len(events) == 50
    assert events[0].target_label == "T59"
    assert page_problems(first) == []
    second = as_admin.get(url, {"page": 2})
    assert [e.target_label for e in second.context["page"].object_list] == [
        f"T{n}" for n in range(9, -1, -1)
    ]
    assert 'rel="prev"' in second.content.decode()


def test_audit_log_shows_only_this_organisation(as_admin, org, other_org, outsider_user):
    services.record(other_org, actor=outsider_user, action="team.created", target_label="Geheim")
    response = as_admin.get(reverse("org_audit", args=[org.slug]))
    assert "Geheim" not in response.content.decode()


def test_audit_log_describes_changes(as_admin, org, admin_user, member_membership):
    services.change_role(member_membership, role=Role.FACILITATOR, actor=admin_user)
    html = as_admin.get(reverse("org_audit", args=[org.slug])).content.decode()
    assert "Role changed" in html
    assert "from: Member; to: Facilitator" in html
    assert AuditEvent.objects.filter(organisation=org).count() == 1


def test_every_recorded_action_has_a_label():
    """Each `action="..."` that a service records reads as words in the audit log."""
    import re
    from pathlib import Path

    from django.conf import settings

    from orgs.models import AUDIT_ACTIONS

    recorded = set()
    for app in ("orgs", "formats", "scans", "workshops"):
        for path in [
            *Path(settings.BASE_DIR, app).glob("services.py"),
            *Path(settings.BASE_DIR, app).glob("reminders.py"),
        ]:
            recorded |= set(re.findall(r'action="([a-z_.]+)"', path.read_text()))
    assert recorded, "the services record actions"
    assert recorded <= set(AUDIT_ACTIONS), recorded - set(AUDIT_ACTIONS)
