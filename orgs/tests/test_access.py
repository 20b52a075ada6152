"""Who may open and change what: every organisation view by every kind of visitor."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from orgs import services
from orgs.models import Invitation, Membership, Role, Team

from .conftest import snapshot


@pytest.fixture
def objects(org, admin_user, member_user, team):
    """One of each object the organisation views address, in `org`."""
    invitation, _key = services.invite_member(
        org, email="open@example.test", role=Role.MEMBER, actor=admin_user
    )
    return {
        "team": team,
        "member": Membership.objects.get(user=member_user, organisation=org),
        "invitation": invitation,
    }


# (url name, method, object it addresses, POST data, lowest role that may use it)
ENDPOINTS = [
    ("org_dashboard", "get", None, None, Role.MEMBER),
    ("org_members", "get", None, None, Role.ADMIN),
    ("org_invite", "post", None, {"email": "nieuw@example.test", "role": "member"}, Role.ADMIN),
    ("org_member", "get", "member", None, Role.ADMIN),
    ("org_member_role", "post", "member", {"role": "facilitator"}, Role.ADMIN),
    ("org_member_teams", "post", "member", {"teams": ["TEAM"]}, Role.ADMIN),
    ("org_member_remove", "get", "member", None, Role.ADMIN),
    ("org_member_remove", "post", "member", {}, Role.ADMIN),
    ("org_invitation_revoke", "post", "invitation", {}, Role.ADMIN),
    ("org_teams", "get", None, None, Role.ADMIN),
    ("org_teams", "post", None, {"name": "Nieuw team", "parent": ""}, Role.ADMIN),
    ("org_team", "get", "team", None, Role.ADMIN),
    ("org_team", "post", "team", {"name": "Hernoemd", "parent": ""}, Role.ADMIN),
    ("org_team_rename", "post", "team", {"name": "Hernoemd"}, Role.ADMIN),
    ("org_team_delete", "get", "team", None, Role.ADMIN),
    ("org_team_delete", "post", "team", {}, Role.ADMIN),
    (
        "org_settings",
        "post",
        None,
        {"name": "Nieuw", "slug": "korenbloem", "language": "en", "anonymity_minimum": "7"},
        Role.ADMIN,
    ),
    ("org_settings", "get", None, None, Role.ADMIN),
    ("org_audit", "get", None, None, Role.ADMIN),
]

OBJECT_KWARGS = {"team": "team_id", "member": "member_id", "invitation": "invitation_id"}

VISITORS = ["admin_user", "facilitator_user", "member_user", "outsider_user", None]
VISITOR_ROLE = {
    "admin_user": Role.ADMIN,
    "facilitator_user": Role.FACILITATOR,
    "member_user": Role.MEMBER,
}
RANK: dict[str, int] = {Role.MEMBER: 1, Role.FACILITATOR: 2, Role.ADMIN: 3}


def url_for(name: str, slug: str, target: str | None = None, obj=None) -> str:
    kwargs = {"slug": slug}
    if target is not None:
        kwargs[OBJECT_KWARGS[target]] = obj.public_id
    return reverse(name, kwargs=kwargs)


def payload(data, objects):
    if data is None:
        return None
    return {
        key: [str(objects["team"].public_id) if v == "TEAM" else v for v in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }


def expected_status(visitor: str | None, method: str, needed: str) -> int:
    if visitor is None:
        return 302
    if visitor == "outsider_user":
        return 404
    if RANK[VISITOR_ROLE[visitor]] < RANK[needed]:
        return 403
    return 302 if method == "post" else 200


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(
    ("name", "method", "target", "data", "needed"),
    ENDPOINTS,
    ids=[f"{e[1]}-{e[0]}" for e in ENDPOINTS],
)
def test_access_matrix(
    request,
    client,
    org,
    objects,
    facilitator_user,
    outsider_user,
    visitor,
    name,
    method,
    target,
    data,
    needed,
):
    user = request.getfixturevalue(visitor) if visitor else None
    if user is not None:
        client.force_login(user)
    url = url_for(name, org.slug, target, objects.get(target))
    before = snapshot(org)

    response = getattr(client, method)(url, payload(data, objects))

    status = expected_status(visitor, method, needed)
    assert response.status_code == status, response.content.decode()[:500]
    if status == 302 and visitor is None:
        assert response.url.startswith(reverse("account_login"))
    if status != 302 or visitor is None:
        assert snapshot(org) == before, "a refused request changed something"
    elif method == "post":
        assert snapshot(org) != before, "an allowed change did not happen"


OTHER_ORG_ENDPOINTS = [e for e in ENDPOINTS if e[2] is not None]


@pytest.mark.parametrize(
    ("name", "method", "target", "data", "needed"),
    OTHER_ORG_ENDPOINTS,
    ids=[f"{e[1]}-{e[0]}" for e in OTHER_ORG_ENDPOINTS],
)
def test_objects_of_another_organisation_are_not_found(
    client, org, other_org, admin_user, outsider_user, objects, name, method, target, data, needed
):
    """An admin of `org` addressing a team, member or invitation of `other_org` by its id."""
    theirs = {
        "team": Team.objects.create(organisation=other_org, name="Werkplaats"),
        "member": Membership.objects.get(user=outsider_user, organisation=other_org),
        "invitation": services.invite_member(
            other_org, email="hun@example.test", role="member", actor=outsider_user
        )[0],
    }
    client.force_login(admin_user)
    before = snapshot(org), snapshot(other_org)

    url = url_for(name, org.slug, target, theirs[target])
    response = getattr(client, method)(url, payload(data, {"team": theirs["team"]}))

    assert response.status_code == 404
    assert (snapshot(org), snapshot(other_org)) == before


def test_a_team_of_another_organisation_cannot_be_chosen_as_parent_or_team(
    client, org, admin_user, team, other_team, member_membership
):
    client.force_login(admin_user)
    before = snapshot(org)
    other_id = str(other_team.public_id)
    responses = [
        client.post(reverse("org_teams", args=[org.slug]), {"name": "X", "parent": other_id}),
        client.post(
            reverse("org_team", args=[org.slug, team.public_id]),
            {"name": team.name, "parent": other_id},
        ),
        client.post(
            reverse("org_member_teams", args=[org.slug, member_membership.public_id]),
            {"teams": [other_id]},
        ),
    ]
    assert [r.status_code for r in responses] == [400, 400, 400]
    assert snapshot(org) == before
    assert other_team.memberships.count() == 0


def test_a_lost_role_takes_effect_on_the_next_request(
    client, org, admin_user, admin_membership, member_membership
):
    services.change_role(member_membership, role=Role.ADMIN, actor=admin_user)
    client.force_login(admin_user)
    members_url = reverse("org_members", args=[org.slug])
    assert client.get(members_url).status_code == 200

    services.change_role(admin_membership, role=Role.FACILITATOR, actor=member_membership.user)
    assert client.get(members_url).status_code == 403
    assert client.get(reverse("org_dashboard", args=[org.slug])).status_code == 200

    services.remove_member(admin_membership, actor=member_membership.user)
    assert client.get(reverse("org_dashboard", args=[org.slug])).status_code == 404


def test_a_deactivated_account_loses_access(client, org, member_user):
    client.force_login(member_user)
    member_user.is_active = False
    member_user.save()
    response = client.get(reverse("org_dashboard", args=[org.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_posts_need_a_csrf_token(org, admin_user, member_membership):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = snapshot(org)
    response = client.post(
        reverse("org_member_role", args=[org.slug, member_membership.public_id]),
        {"role": "admin"},
    )
    assert response.status_code == 403
    assert snapshot(org) == before


@pytest.mark.parametrize(
    "name", ["org_invite", "org_member_role", "org_invitation_revoke", "org_team_rename"]
)
def test_changes_are_not_made_by_get(client, org, admin_user, objects, name):
    client.force_login(admin_user)
    target = {
        "org_member_role": "member",
        "org_invitation_revoke": "invitation",
        "org_team_rename": "team",
    }.get(name)
    before = snapshot(org)
    response = client.get(url_for(name, org.slug, target, objects.get(target)))
    assert response.status_code == 405
    assert snapshot(org) == before
    assert Invitation.objects.get(pk=objects["invitation"].pk).is_pending
