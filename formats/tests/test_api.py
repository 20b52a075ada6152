"""GET /api/v1/formats and /api/v1/formats/{slug}."""

from __future__ import annotations

import pytest

from conftest import make_user
from formats.models import Format
from formats.services import copy_format
from orgs.models import Membership, Role

MINI = "stimuleren-van-levenslang-leren"


@pytest.fixture
def own(db, org, facilitator_user) -> Format:
    return copy_format(
        Format.objects.builtin().get(slug=MINI), organisation=org, actor=facilitator_user
    )


def test_list_with_durations_and_warnings(client, member_user, own):
    client.force_login(member_user)
    response = client.get("/api/v1/formats")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == Format.objects.builtin().count() + 1
    assert rows[0]["id"] == str(own.public_id)  # own formats first
    assert rows[0]["organisation"] == "korenbloem"
    mini = next(r for r in rows if r["slug"] == MINI and r["builtin"])
    assert mini["duration"] == {"low": 60, "high": 60}
    assert mini["duration_is_maximum"] is True
    assert mini["computed_duration"] == {"low": 75, "high": 75, "complete": True}
    codes = [
        (w["code"], w["phase"], w["planned"]["high"], w["actual"]["high"]) for w in mini["warnings"]
    ]
    assert ("phases_exceed_duration", None, 60, 75) in codes
    assert ("steps_exceed_phase", 2, 10, 15) in codes
    quickscan = next(r for r in rows if r["slug"] == "quickscan-leervoorwaarden")
    assert quickscan["duration"] == {"low": 30, "high": 35}
    assert ("items_exceed_step", 2, 20, 28) in [
        (w["code"], w["phase"], w["planned"]["high"], w["actual"]["high"])
        for w in quickscan["warnings"]
    ]


def test_other_organisations_formats_are_not_listed(client, own, outsider_user):
    client.force_login(outsider_user)
    rows = client.get("/api/v1/formats").json()
    assert all(r["builtin"] for r in rows)
    assert client.get(f"/api/v1/formats/{own.public_id}").status_code == 404
    assert client.get("/api/v1/formats?organisation=korenbloem").status_code == 404


def test_choose_an_organisation(client, own, other_org, member_user):
    Membership.objects.create(user=member_user, organisation=other_org, role=Role.MEMBER)
    client.force_login(member_user)
    rows = client.get("/api/v1/formats?organisation=peeters").json()
    assert all(r["builtin"] for r in rows)
    rows = client.get("/api/v1/formats?organisation=korenbloem").json()
    assert [r["id"] for r in rows if not r["builtin"]] == [str(own.public_id)]


def test_one_format_whole(client, own, member_user):
    client.force_login(member_user)
    response = client.get(f"/api/v1/formats/{MINI}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(own.public_id)  # the own copy before the built-in
    content = body["content"]
    assert content["phases"][2]["steps"][2]["kind"] == "rotation"
    assert content["phases"][2]["steps"][2]["moves"] == 3
    assert content["phases"][0]["steps"][1]["statement"].startswith("Ik leer op het werk")
    builtin = Format.objects.builtin().get(slug=MINI)
    body = client.get(f"/api/v1/formats/{builtin.public_id}").json()
    assert body["builtin"] is True
    assert client.get("/api/v1/formats/geen-werkvorm").status_code == 404


def test_a_slug_in_two_organisations_is_ambiguous(client, own, other_org, facilitator_user):
    Membership.objects.create(user=facilitator_user, organisation=other_org, role=Role.ADMIN)
    copy_format(own.based_on, organisation=other_org, actor=facilitator_user)
    client.force_login(facilitator_user)
    response = client.get(f"/api/v1/formats/{MINI}")
    assert response.status_code == 409
    assert response.json()["code"] == "ambiguous"
    response = client.get(f"/api/v1/formats/{MINI}?organisation=peeters")
    assert response.status_code == 200
    assert response.json()["organisation"] == "peeters"


def test_needs_authentication(client, db):
    assert client.get("/api/v1/formats").status_code == 401
    assert client.get(f"/api/v1/formats/{MINI}").status_code == 401


def test_bearer_token(client, db):
    from accounts.models import ApiToken

    user = make_user("zelfstandige@example.test")
    _token, raw = ApiToken.issue(user, "test")
    response = client.get("/api/v1/formats", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert {r["slug"] for r in response.json()} >= {MINI, "quickscan-leervoorwaarden"}


def test_in_the_openapi_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/formats" in schema["paths"]
    assert "/api/v1/formats/{slug}" in schema["paths"]
    names = set(schema["components"]["schemas"])
    assert {"FormatOut", "FormatDetailOut", "WarningOut"} <= names
