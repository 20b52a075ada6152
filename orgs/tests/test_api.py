"""The organisation endpoints of the JSON API: access, stored state, bad input."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from accounts.models import ApiToken
from conftest import make_user
from orgs import services
from orgs.models import AuditEvent, Membership, Organisation, Role, Team

BASE = "/api/v1/organisations"


def call(client: Client, method: str, path: str, data=None, token: str | None = None):
    kwargs: dict = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    if token is not None:
        kwargs["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return getattr(client, method)(path, **kwargs)


@pytest.fixture
def dept(org) -> Team:
    return Team.objects.create(organisation=org, name="Productie")


@pytest.fixture
def subteam(org, dept) -> Team:
    return Team.objects.create(organisation=org, name="Bakkers", parent=dept)


@pytest.fixture
def foreign_team(other_org) -> Team:
    return Team.objects.create(organisation=other_org, name="Werkplaats")


def state(*orgs: Organisation) -> list:
    """Everything these endpoints can change, for 'nothing changed' assertions."""
    result = []
    for org in orgs:
        org.refresh_from_db()
        result.append(
            {
                "org": (org.name, org.slug, org.language, org.anonymity_minimum),
                "teams": sorted(org.teams.values_list("public_id", "name", "parent__public_id")),
                "roles": sorted(org.memberships.values_list("user__email", "role")),
                "audit": org.audit_events.count(),
            }
        )
    return result


# --- The access matrix ----------------------------------------------------------------

CALLERS = ["admin", "facilitator", "member", "outsider", "anonymous", "token", "revoked_token"]

# (name, method, path, body, expected status per caller, in CALLERS order)
ENDPOINTS = [
    ("list", "get", "", None, [200, 200, 200, 200, 401, 200, 401]),
    ("detail", "get", "/korenbloem", None, [200, 200, 200, 404, 401, 200, 401]),
    ("update", "patch", "/korenbloem", {"name": "Nieuw"}, [200, 403, 403, 404, 401, 200, 401]),
    ("teams", "get", "/korenbloem/teams", None, [200, 200, 200, 404, 401, 200, 401]),
    (
        "add team",
        "post",
        "/korenbloem/teams",
        {"name": "Winkel"},
        [201, 403, 403, 404, 401, 201, 401],
    ),
    (
        "edit team",
        "patch",
        "/korenbloem/teams/{team}",
        {"name": "Oven"},
        [200, 403, 403, 404, 401, 200, 401],
    ),
    (
        "delete team",
        "delete",
        "/korenbloem/teams/{team}",
        None,
        [204, 403, 403, 404, 401, 204, 401],
    ),
    ("members", "get", "/korenbloem/members", None, [200, 403, 403, 404, 401, 200, 401]),
]


@pytest.fixture
def callers(admin_user, facilitator_user, member_user, outsider_user):
    def session(user):
        client = Client()
        client.force_login(user)
        return client, None

    _, token = ApiToken.issue(admin_user, "matrix")
    revoked, revoked_raw = ApiToken.issue(admin_user, "revoked")
    revoked.revoke()
    return {
        "admin": session(admin_user),
        "facilitator": session(facilitator_user),
        "member": session(member_user),
        "outsider": session(outsider_user),
        "anonymous": (Client(), None),
        "token": (Client(), token),
        "revoked_token": (Client(), revoked_raw),
    }


@pytest.mark.parametrize(("caller_index", "caller"), list(enumerate(CALLERS)))
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in ENDPOINTS],
)
def test_access_matrix(caller_index, caller, method, path, body, expected, callers, org, dept):
    client, token = callers[caller]
    before = state(org)
    response = call(client, method, BASE + path.format(team=dept.public_id), body, token)
    status = expected[caller_index]
    assert response.status_code == status, response.content
    if status >= 400:
        assert state(org) == before
        assert set(response.json()) == {"detail", "code"}
        assert (
            response.json()["code"]
            == {
                401: "not_authenticated",
                403: "permission_denied",
                404: "not_found",
            }[status]
        )


def test_the_error_bodies_say_what_went_wrong(callers, org):
    response = call(*callers["member"][:1], "patch", f"{BASE}/korenbloem", {"name": "X"})
    assert response.json() == {
        "detail": "Your role in this organisation does not allow this.",
        "code": "permission_denied",
    }
    response = call(Client(), "get", f"{BASE}/korenbloem")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="lerend"'
    assert response.json()["detail"].startswith("Log in or send a valid API token")
    response = call(callers["outsider"][0], "get", f"{BASE}/korenbloem")
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_an_unknown_organisation_is_404_like_a_foreign_one(callers):
    response = call(callers["admin"][0], "get", f"{BASE}/bestaat-niet")
    assert response.status_code == 404


# --- Organisations -----------------------------------------------------------------------


def test_list_shows_only_my_organisations_with_my_role(client, admin_user, org, other_org):
    third = Organisation.objects.create(name="Atelier Aerts", slug="aerts")
    Membership.objects.create(user=admin_user, organisation=third, role=Role.MEMBER)
    client.force_login(admin_user)
    response = call(client, "get", BASE)
    assert response.json() == [
        {
            "slug": "aerts",
            "name": "Atelier Aerts",
            "language": "nl",
            "anonymity_minimum": 5,
            "role": "member",
        },
        {
            "slug": "korenbloem",
            "name": "Bakkerij De Korenbloem",
            "language": "nl",
            "anonymity_minimum": 5,
            "role": "admin",
        },
    ]


def test_detail(client, facilitator_user, org):
    client.force_login(facilitator_user)
    response = call(client, "get", f"{BASE}/korenbloem")
    assert response.json() == {
        "slug": "korenbloem",
        "name": "Bakkerij De Korenbloem",
        "language": "nl",
        "anonymity_minimum": 5,
        "role": "facilitator",
    }


def test_admin_changes_the_organisation(client, admin_user, org):
    client.force_login(admin_user)
    response = call(
        client,
        "patch",
        f"{BASE}/korenbloem",
        {"name": "  De Korenbloem  ", "slug": "De-Korenbloem", "language": "en",
         "anonymity_minimum": 7},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json() == {
        "slug": "de-korenbloem",
        "name": "De Korenbloem",
        "language": "en",
        "anonymity_minimum": 7,
        "role": "admin",
    }
    org.refresh_from_db()
    assert (org.name, org.slug, org.language, org.anonymity_minimum) == (
        "De Korenbloem",
        "de-korenbloem",
        "en",
        7,
    )
    event = AuditEvent.objects.get(organisation=org, action="organisation.updated")
    assert event.actor == admin_user
    assert call(client, "get", f"{BASE}/korenbloem").status_code == 404
    assert call(client, "get", f"{BASE}/de-korenbloem").status_code == 200


def test_a_partial_update_leaves_the_other_fields(client, admin_user, org):
    client.force_login(admin_user)
    response = call(client, "patch", f"{BASE}/korenbloem", {"anonymity_minimum": 10})
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, org.slug, org.anonymity_minimum) == (
        "Bakkerij De Korenbloem",
        "korenbloem",
        10,
    )


def test_an_empty_update_changes_nothing(client, admin_user, org):
    client.force_login(admin_user)
    before = state(org)
    assert call(client, "patch", f"{BASE}/korenbloem", {}).status_code == 200
    assert state(org) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Bakkerij\x00"}, "name"),
        ({"slug": "met spatie"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "x" * 61}, "slug"),
        ({"language": "fr"}, "language"),
        ({"anonymity_minimum": 2}, "anonymity_minimum"),
        ({"anonymity_minimum": 1001}, "anonymity_minimum"),
        ({"anonymity_minimum": "7"}, "anonymity_minimum"),
        ({"anonymity_minimum": 7.5}, "anonymity_minimum"),
        ({"anonymity_minimum": True}, "anonymity_minimum"),
        ({"name": "\u200b\u200d"}, "name"),
        ({"name": "Bakkerij\u202eneeB"}, "name"),
        ({"name": "Bakkerij\x07"}, "name"),
    ],
)
def test_bad_organisation_input_is_422_and_changes_nothing(client, admin_user, org, body, field):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "patch", f"{BASE}/korenbloem", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    errors = response.json()["detail"]
    assert errors and all({"loc", "msg", "type"} <= set(error) for error in errors)
    if field is not None:
        assert errors[0]["loc"][-1] == field
    assert state(org) == before


def test_null_in_a_patch_leaves_the_field_as_it_is(client, admin_user, org):
    """The schema says these fields are nullable: null is accepted and changes nothing."""
    client.force_login(admin_user)
    body = {"name": None, "slug": None, "language": None, "anonymity_minimum": None}
    before = state(org)
    response = call(client, "patch", f"{BASE}/korenbloem", body)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Bakkerij De Korenbloem"
    assert state(org) == before
    response = call(client, "patch", f"{BASE}/korenbloem", {"name": "Korenbloem", "slug": None})
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.name, org.slug) == ("Korenbloem", "korenbloem")


def test_a_taken_slug_is_409(client, admin_user, org, other_org):
    client.force_login(admin_user)
    before = state(org, other_org)
    response = call(client, "patch", f"{BASE}/korenbloem", {"slug": "peeters"})
    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
    assert "peeters" in response.json()["detail"]
    assert state(org, other_org) == before


def test_a_body_that_is_not_json_is_400(client, admin_user, org):
    client.force_login(admin_user)
    before = state(org)
    response = client.patch(f"{BASE}/korenbloem", data="{name:", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_json"
    assert state(org) == before


@pytest.mark.parametrize("body", [[], "naam", 5, {"nmae": "Typfout"}, {"id": 3}])
def test_a_body_that_is_not_the_expected_object_is_422(client, admin_user, org, body):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "patch", f"{BASE}/korenbloem", body)
    assert response.status_code == 422, response.content
    assert state(org) == before


# --- Teams ------------------------------------------------------------------------------


def test_teams_are_a_flat_list_with_parents(client, member_user, org, dept, subteam, foreign_team):
    client.force_login(member_user)
    response = call(client, "get", f"{BASE}/korenbloem/teams")
    assert response.status_code == 200
    assert sorted(response.json(), key=lambda t: t["name"]) == [
        {
            "id": str(subteam.public_id),
            "name": "Bakkers",
            "parent": str(dept.public_id),
            "headcount": None,
            "effective_headcount": None,
        },
        {
            "id": str(dept.public_id),
            "name": "Productie",
            "parent": None,
            "headcount": None,
            "effective_headcount": None,
        },
    ]


def test_admin_adds_a_team(client, admin_user, org, dept):
    client.force_login(admin_user)
    response = call(
        client,
        "post",
        f"{BASE}/korenbloem/teams",
        {"name": "  Patissiers ", "parent": str(dept.public_id)},
    )
    assert response.status_code == 201, response.content
    team = Team.objects.get(organisation=org, name="Patissiers")
    assert team.parent == dept
    assert response.json() == {
        "id": str(team.public_id),
        "name": "Patissiers",
        "parent": str(dept.public_id),
        "headcount": None,
        "effective_headcount": None,
    }
    assert AuditEvent.objects.filter(organisation=org, action="team.created").count() == 1


def test_a_top_level_team(client, admin_user, org):
    client.force_login(admin_user)
    response = call(client, "post", f"{BASE}/korenbloem/teams", {"name": "Winkel", "parent": None})
    assert response.status_code == 201
    assert Team.objects.get(organisation=org, name="Winkel").parent is None


def test_html_in_a_name_is_stored_as_text(client, admin_user, org):
    client.force_login(admin_user)
    name = '<script>alert("x")</script> & <b>Co</b>'
    response = call(client, "post", f"{BASE}/korenbloem/teams", {"name": name})
    assert response.status_code == 201
    assert response.json()["name"] == name
    assert Team.objects.get(organisation=org).name == name


def test_a_name_of_150_characters_is_fine(client, admin_user, org):
    client.force_login(admin_user)
    response = call(client, "post", f"{BASE}/korenbloem/teams", {"name": "é" * 150})
    assert response.status_code == 201
    assert Team.objects.get(organisation=org).name == "é" * 150


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": " \t "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"name": ["Winkel"]}, "name"),
        ({"name": "Win\x07kel"}, "name"),
        ({"name": "Winkel", "parent": "geen-uuid"}, "parent"),
        ({"name": "Winkel", "parent": 1}, "parent"),
        ({"name": "Winkel", "parent": str(uuid.uuid4())}, "parent"),
        ({"name": "Winkel", "id": str(uuid.uuid4())}, "id"),
    ],
)
def test_bad_team_input_is_422_and_creates_nothing(client, admin_user, org, dept, body, field):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "post", f"{BASE}/korenbloem/teams", body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    assert response.json()["detail"][0]["loc"][-1] == field
    assert state(org) == before


def test_another_organisations_team_cannot_be_a_parent(client, admin_user, org, foreign_team):
    client.force_login(admin_user)
    before = state(org, foreign_team.organisation)
    response = call(
        client,
        "post",
        f"{BASE}/korenbloem/teams",
        {"name": "Winkel", "parent": str(foreign_team.public_id)},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "unknown_team",
            "loc": ["body", "payload", "parent"],
            "msg": "There is no team with this id in this organisation.",
        }
    ]
    assert state(org, foreign_team.organisation) == before


def test_a_sibling_with_the_same_name_is_409(client, admin_user, org, dept):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "post", f"{BASE}/korenbloem/teams", {"name": "productie"})
    assert response.status_code == 409
    assert response.json()["code"] == "team_name_taken"
    assert state(org) == before


def test_admin_renames_and_moves_a_team(client, admin_user, org, dept, subteam):
    other = Team.objects.create(organisation=org, name="Winkel")
    client.force_login(admin_user)
    response = call(
        client,
        "patch",
        f"{BASE}/korenbloem/teams/{subteam.public_id}",
        {"name": "Verkopers", "parent": str(other.public_id)},
    )
    assert response.status_code == 200, response.content
    subteam.refresh_from_db()
    assert (subteam.name, subteam.parent) == ("Verkopers", other)
    assert response.json() == {
        "id": str(subteam.public_id),
        "name": "Verkopers",
        "parent": str(other.public_id),
        "headcount": None,
        "effective_headcount": None,
    }


def test_a_rename_alone_keeps_the_parent(client, admin_user, org, dept, subteam):
    client.force_login(admin_user)
    response = call(
        client, "patch", f"{BASE}/korenbloem/teams/{subteam.public_id}", {"name": "Ovens"}
    )
    assert response.status_code == 200
    subteam.refresh_from_db()
    assert (subteam.name, subteam.parent) == ("Ovens", dept)


def test_parent_null_moves_a_team_to_the_top(client, admin_user, org, dept, subteam):
    client.force_login(admin_user)
    response = call(
        client, "patch", f"{BASE}/korenbloem/teams/{subteam.public_id}", {"parent": None}
    )
    assert response.status_code == 200
    subteam.refresh_from_db()
    assert (subteam.name, subteam.parent) == ("Bakkers", None)


@pytest.mark.parametrize("target", ["itself", "child"])
def test_a_team_cannot_be_moved_under_itself(client, admin_user, org, dept, subteam, target):
    client.force_login(admin_user)
    before = state(org)
    parent = dept if target == "itself" else subteam
    response = call(
        client,
        "patch",
        f"{BASE}/korenbloem/teams/{dept.public_id}",
        {"parent": str(parent.public_id)},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "team_cycle"
    assert state(org) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "\u200b"},
        {"name": "Team\u202e"},
        {"parent": "x"},
        {"parent": "6f1c1f0e-2b8e-4a39-9c1d-0d2f5a1e7b00"},
    ],
)
def test_bad_team_changes_are_422(client, admin_user, org, dept, subteam, body):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "patch", f"{BASE}/korenbloem/teams/{subteam.public_id}", body)
    assert response.status_code == 422
    assert state(org) == before


def test_moving_under_another_organisations_team_is_refused(
    client, admin_user, org, subteam, foreign_team
):
    client.force_login(admin_user)
    before = state(org, foreign_team.organisation)
    response = call(
        client,
        "patch",
        f"{BASE}/korenbloem/teams/{subteam.public_id}",
        {"parent": str(foreign_team.public_id)},
    )
    assert response.status_code == 422
    assert state(org, foreign_team.organisation) == before


@pytest.mark.parametrize("method", ["patch", "delete"])
def test_another_organisations_team_is_404_and_unchanged(
    client, admin_user, org, foreign_team, method
):
    client.force_login(admin_user)
    before = state(org, foreign_team.organisation)
    path = f"{BASE}/korenbloem/teams/{foreign_team.public_id}"
    response = call(client, method, path, {"name": "Overgenomen"} if method == "patch" else None)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert state(org, foreign_team.organisation) == before
    assert Team.objects.get(pk=foreign_team.pk).name == "Werkplaats"


@pytest.mark.parametrize(
    ("team_id", "status"),
    [("0b7f3c2a-5d1e-4c8a-9e6f-3a2b1c0d9e8f", 404), ("1", 422), ("not-a-uuid", 422)],
)
def test_unknown_team_ids_change_nothing(client, admin_user, org, dept, team_id, status):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "delete", f"{BASE}/korenbloem/teams/{team_id}")
    assert response.status_code == status
    assert state(org) == before


def test_admin_deletes_a_team(client, admin_user, org, dept, subteam):
    client.force_login(admin_user)
    response = call(client, "delete", f"{BASE}/korenbloem/teams/{subteam.public_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert list(Team.objects.filter(organisation=org)) == [dept]
    assert AuditEvent.objects.filter(organisation=org, action="team.deleted").count() == 1


def test_a_team_with_sub_teams_stays(client, admin_user, org, dept, subteam):
    client.force_login(admin_user)
    before = state(org)
    response = call(client, "delete", f"{BASE}/korenbloem/teams/{dept.public_id}")
    assert response.status_code == 409
    assert response.json()["code"] == "team_has_children"
    assert state(org) == before


# --- Members ----------------------------------------------------------------------------


def test_members(client, admin_user, member_user, outsider_user, org, dept):
    membership = Membership.objects.get(user=member_user)
    membership.teams.set([dept])
    client.force_login(admin_user)
    response = call(client, "get", f"{BASE}/korenbloem/members")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [m["email"] for m in body["items"]] == ["an@korenbloem.test", "mo@korenbloem.test"]
    assert body["items"][1] == {
        "id": str(membership.public_id),
        "email": "mo@korenbloem.test",
        "name": "",
        "role": "member",
        "active": True,
        "teams": [str(dept.public_id)],
        "joined": body["items"][1]["joined"],
    }


def test_members_are_paged(client, admin_user, member_user, facilitator_user, org):
    client.force_login(admin_user)
    response = call(client, "get", f"{BASE}/korenbloem/members?limit=1&offset=1")
    body = response.json()
    assert body["count"] == 3
    assert [m["email"] for m in body["items"]] == ["fien@korenbloem.test"]


# --- Credentials and their lifetime ---------------------------------------------------------


def test_a_removed_member_is_refused_on_the_next_request(client, admin_user, member_user, org):
    client.force_login(member_user)
    assert call(client, "get", f"{BASE}/korenbloem").status_code == 200
    services.remove_member(Membership.objects.get(user=member_user), actor=admin_user)
    assert call(client, "get", f"{BASE}/korenbloem").status_code == 404
    assert call(client, "get", BASE).json() == []


def test_a_demoted_admin_is_refused_on_the_next_request(client, admin_user, facilitator_user, org):
    services.change_role(
        Membership.objects.get(user=facilitator_user), role=Role.ADMIN, actor=admin_user
    )
    client.force_login(admin_user)
    assert call(client, "get", f"{BASE}/korenbloem/members").status_code == 200
    services.change_role(
        Membership.objects.get(user=admin_user), role=Role.MEMBER, actor=facilitator_user
    )
    assert call(client, "get", f"{BASE}/korenbloem/members").status_code == 403


def test_the_token_of_a_removed_member_no_longer_reaches_the_organisation(
    admin_user, member_user, org
):
    _, token = ApiToken.issue(member_user, "script")
    client = Client()
    assert call(client, "get", f"{BASE}/korenbloem/teams", token=token).status_code == 200
    services.remove_member(Membership.objects.get(user=member_user), actor=admin_user)
    assert call(client, "get", f"{BASE}/korenbloem/teams", token=token).status_code == 404
    assert call(client, "get", BASE, token=token).status_code == 200


def test_the_token_of_a_deactivated_user_is_401(admin_user, org):
    _, token = ApiToken.issue(admin_user, "script")
    admin_user.is_active = False
    admin_user.save()
    response = call(Client(), "get", f"{BASE}/korenbloem", token=token)
    assert response.status_code == 401


def test_a_token_works_without_csrf_and_a_session_needs_it(admin_user, org):
    _, token = ApiToken.issue(admin_user, "script")
    strict = Client(enforce_csrf_checks=True)
    response = call(strict, "post", f"{BASE}/korenbloem/teams", {"name": "Via token"}, token)
    assert response.status_code == 201

    strict.force_login(admin_user)
    before = state(org)
    response = call(strict, "post", f"{BASE}/korenbloem/teams", {"name": "Via sessie"})
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert state(org) == before

    csrf = "k" * 32
    strict.cookies["csrftoken"] = csrf
    response = strict.post(
        f"{BASE}/korenbloem/teams",
        data=json.dumps({"name": "Via sessie"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert response.status_code == 201
    assert Team.objects.filter(organisation=org, name="Via sessie").exists()


def test_a_session_read_needs_no_csrf_token(admin_user, org):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    assert call(strict, "get", f"{BASE}/korenbloem").status_code == 200


def test_a_bad_token_with_a_write_is_401_not_a_csrf_error(org):
    strict = Client(enforce_csrf_checks=True)
    response = call(strict, "post", f"{BASE}/korenbloem/teams", {"name": "X"}, "lrn_bogus")
    assert response.status_code == 401


def test_a_facilitators_token_cannot_write(facilitator_user, org):
    _, token = ApiToken.issue(facilitator_user, "script")
    before = state(org)
    response = call(Client(), "post", f"{BASE}/korenbloem/teams", {"name": "X"}, token)
    assert response.status_code == 403
    assert state(org) == before


def test_a_token_for_one_organisation_does_not_open_another(admin_user, org, other_org):
    _, token = ApiToken.issue(admin_user, "script")
    outsider = make_user("zoe@peeters.test")
    Membership.objects.create(user=outsider, organisation=other_org, role=Role.ADMIN)
    response = call(Client(), "get", f"{BASE}/peeters/teams", token=token)
    assert response.status_code == 404


def test_admin_sets_a_headcount_never_below_the_members(client, admin_user, org, dept, member_user):
    client.force_login(admin_user)
    Membership.objects.get(user=member_user, organisation=org).teams.add(dept)
    url = f"{BASE}/korenbloem/teams/{dept.public_id}"
    response = call(client, "patch", url, {"headcount": 12})
    assert response.status_code == 200, response.content
    assert response.json()["headcount"] == 12 and response.json()["effective_headcount"] == 12
    dept.refresh_from_db()
    assert dept.headcount == 12
    # Members count toward it: one member, so 0 is refused by the schema, 1 is allowed.
    assert call(client, "patch", url, {"headcount": 0}).status_code == 422
    assert call(client, "patch", url, {"headcount": 1}).status_code == 200
    Membership.objects.get(user=admin_user, organisation=org).teams.add(dept)
    refused = call(client, "patch", url, {"headcount": 1})
    assert refused.status_code == 400 and refused.json()["code"] == "headcount_below_known"
    dept.refresh_from_db()
    assert dept.headcount == 1  # unchanged by the refusal
    # The effective figure counts the members when they outgrow a stale headcount.
    assert call(client, "get", f"{BASE}/korenbloem/teams").status_code == 200
    assert call(client, "patch", url, {"headcount": None}).json()["headcount"] is None
    dept.refresh_from_db()
    assert dept.headcount is None
