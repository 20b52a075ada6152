"""The account endpoint, API authentication and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import ApiToken
from lerend.api import api
from orgs.models import Membership, Organisation, Role


def me(client: Client, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/me", headers=headers)


def test_me_with_a_session(client, admin_user, org):
    third = Organisation.objects.create(name="Atelier Aerts", slug="aerts")
    Membership.objects.create(user=admin_user, organisation=third, role=Role.FACILITATOR)
    admin_user.name, admin_user.language = "An", "en"
    admin_user.save()
    client.force_login(admin_user)
    response = me(client)
    assert response.status_code == 200
    assert response.json() == {
        "email": "an@korenbloem.test",
        "name": "An",
        "language": "en",
        "organisations": [
            {"organisation": "aerts", "name": "Atelier Aerts", "role": "facilitator"},
            {"organisation": "korenbloem", "name": "Bakkerij De Korenbloem", "role": "admin"},
        ],
    }


def test_me_with_a_token_records_its_use(member_user, org):
    token, raw = ApiToken.issue(member_user, "script")
    response = me(Client(), raw)
    assert response.status_code == 200
    assert response.json()["email"] == "mo@korenbloem.test"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_the_token_decides_who_you_are_not_the_session(client, admin_user, member_user, org):
    _, raw = ApiToken.issue(member_user, "script")
    client.force_login(admin_user)
    assert me(client, raw).json()["email"] == "mo@korenbloem.test"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer lrn_does-not-exist"},
        {"Authorization": "Basic YW46cGFzc3dvcmQ="},
    ],
)
def test_no_valid_credentials_is_401(db, headers):
    response = Client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_revoked_token_is_401(member_user):
    token, raw = ApiToken.issue(member_user, "script")
    assert me(Client(), raw).status_code == 200
    token.revoke()
    assert me(Client(), raw).status_code == 401


def test_a_deactivated_users_token_and_session_are_401(client, member_user):
    _, raw = ApiToken.issue(member_user, "script")
    client.force_login(member_user)
    member_user.is_active = False
    member_user.save()
    assert me(Client(), raw).status_code == 401
    assert me(client).status_code == 401


def test_401_is_translated(db):
    response = Client().get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == (
        "Log in or send a valid API token (Authorization: Bearer …)."
    )


# --- The OpenAPI schema -------------------------------------------------------------------


@pytest.fixture
def schema(db) -> dict:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def registered_operations() -> set[tuple[str, str]]:
    found = set()
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    full = ("/api/v1/" + prefix + path).replace("//", "/").rstrip("/")
                    found.add((full, method.lower()))
    return found


def documented_operations(schema: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, ops in schema["paths"].items() for method in ops}


def test_every_endpoint_is_in_the_schema(schema):
    assert registered_operations() <= documented_operations(schema)


def test_the_schema_lists_the_account_and_organisation_endpoints(schema):
    org = "/api/v1/organisations/{slug}"
    assert {
        ("/api/v1/me", "get"),
        ("/api/v1/organisations", "get"),
        (org, "get"),
        (org, "patch"),
        (f"{org}/teams", "get"),
        (f"{org}/teams", "post"),
        (f"{org}/teams/{{team_id}}", "patch"),
        (f"{org}/teams/{{team_id}}", "delete"),
        (f"{org}/members", "get"),
    } <= documented_operations(schema)


STAFF: list[dict[str, list[str]]] = [{"TokenAuth": []}, {"SessionAuth": []}]
# Participants of a live session have no account: a participant token (header or cookie),
# or the facilitator's own session or token.
PARTICIPANT: list[dict[str, list[str]]] = [
    {"ParticipantBearer": []},
    {"ParticipantCookie": []},
    {"TokenAuth": []},
    {"SessionAuth": []},
]
# Reached without any login: joining a session with its code, its event stream (which
# checks the participant token itself), a scan response (a team link or invitation) and a
# personal action through its private link.
PUBLIC = {
    ("post", "/api/v1/join"),
    ("get", "/api/v1/sessions/{code}/events"),
    ("post", "/api/v1/responses"),
    ("get", "/api/v1/public/learning/{slug}"),
    ("get", "/api/v1/actions/link/{token}"),
    ("post", "/api/v1/actions/link/{token}/progress"),
}


def test_every_operation_needs_a_token_or_a_session_unless_it_is_public(schema):
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    public = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            security = operation.get("security", [])
            if not security:
                public.add((method, path))
                continue
            key = sorted(next(iter(entry)) for entry in security)
            assert key in (
                sorted(next(iter(e)) for e in STAFF),
                sorted(next(iter(e)) for e in PARTICIPANT),
            ), (path, method, security)
            assert "401" in operation["responses"], (path, method)
    assert public == PUBLIC


def test_the_schema_states_the_input_limits(schema):
    team_in = schema["components"]["schemas"]["TeamIn"]
    assert team_in["required"] == ["name"]
    assert team_in["properties"]["name"]["minLength"] == 1
    assert team_in["properties"]["name"]["maxLength"] == 150
    assert team_in["additionalProperties"] is False
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"detail", "code"}
