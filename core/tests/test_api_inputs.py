"""Inputs that gave 500 (issue 9): each answers in the API's JSON error shape, stores
nothing and, for a lone surrogate, never repeats what it could not store. Under DEBUG on
and off."""

from __future__ import annotations

import json
import secrets

import pytest
from django.test import Client

from orgs.models import Organisation, Team
from scans import services as scan_services
from scans.models import Campaign, CampaignNode, Questionnaire, Response
from workshops.models import Participant

SURROGATE = "\ud800"


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def campaign(org, admin_user) -> Campaign:
    team = Team.objects.create(organisation=org, name="Logistiek")
    questionnaire = Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")
    c = scan_services.create_campaign(
        org, questionnaire=questionnaire, name="Meting", teams=[team], actor=admin_user
    )
    scan_services.open_campaign(c, actor=admin_user)
    return c


def send(client: Client, method: str, path: str, raw: str | bytes, content_type: str = ""):
    return getattr(client, method)(
        "/api/v1" + path,
        data=raw,
        content_type=content_type or "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def stored(org: Organisation) -> tuple:
    org.refresh_from_db()
    return (
        org.name,
        sorted(org.teams.values_list("name", flat=True)),
        list(Campaign.objects.values_list("name", flat=True)),
        Response.objects.count(),
        Participant.objects.count(),
    )


def assert_refused_without_echo(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    raw = response.content.decode()
    assert "ud800" not in raw.lower() and SURROGATE not in raw


# --- Lone surrogates -------------------------------------------------------------------


def surrogate_requests(org: Organisation, campaign: Campaign) -> list[tuple[str, str, dict]]:
    code = CampaignNode.objects.get(campaign=campaign, team__isnull=False).code
    return [
        ("patch", f"/organisations/{org.slug}", {"name": f"Bakkerij{SURROGATE}"}),
        ("post", f"/organisations/{org.slug}/teams", {"name": SURROGATE}),
        (
            "post",
            "/campaigns",
            {"organisation": org.slug, "name": SURROGATE, "teams": [], "language": "nl"},
        ),
        (
            "post",
            "/responses",
            {
                "code": code,
                "client_key": secrets.token_urlsafe(16),
                "answers": {"ontmoeten": ["andere"]},
                "other": {"ontmoeten": f"Ik ben de enige{SURROGATE}"},
            },
        ),
        ("post", "/responses", {"code": code, "client_key": "k" * 20, SURROGATE: 1}),
        ("post", "/join", {"code": "ABC234", "name": SURROGATE}),
    ]


@pytest.mark.parametrize("index", range(6))
def test_a_lone_surrogate_is_400_and_never_echoed(admin, org, campaign, debug, index):
    method, path, data = surrogate_requests(org, campaign)[index]
    before = stored(org)
    raw = json.dumps(data)  # ASCII: "\ud800" travels as its escape
    assert "\\ud800" in raw
    response = send(admin, method, path, raw)
    assert_refused_without_echo(response, 400, "invalid_text")
    assert stored(org) == before


def test_a_lone_surrogate_without_login_is_400(client, org, campaign, debug):
    _method, path, data = surrogate_requests(org, campaign)[3]
    response = send(client, "post", path, json.dumps(data))
    assert_refused_without_echo(response, 400, "invalid_text")
    assert not Response.objects.exists()


def test_a_surrogate_encoded_as_bytes_is_400(admin, org, debug):
    """Python's JSON decoder lets UTF-8-encoded surrogates through; the parser does not."""
    before = stored(org)
    raw = b'{"name": "\xed\xa0\x80"}'
    response = send(admin, "post", f"/organisations/{org.slug}/teams", raw)
    assert_refused_without_echo(response, 400, "invalid_text")
    assert stored(org) == before


@pytest.mark.parametrize("raw", ['{"anonymity_minimum": NaN}', '{"anonymity_minimum": Infinity}'])
def test_nan_and_infinity_are_not_json(admin, org, raw, debug):
    before = stored(org)
    response = send(admin, "patch", f"/organisations/{org.slug}", raw)
    assert_refused_without_echo(response, 400, "invalid_json")
    assert stored(org) == before


# --- JSON only -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "text/html"]
)
def test_a_body_that_is_not_declared_json_is_415(client, org, campaign, content_type):
    """A cross-site form can send these types without asking; the API takes none of them."""
    _method, path, data = surrogate_requests(org, campaign)[3]
    data["other"] = {}
    data["answers"] = {"toegang-informatie": "ja"}
    response = send(client, "post", path, json.dumps(data), content_type=content_type)
    assert response.status_code == 415, response.content
    assert response.json()["code"] == "unsupported_media_type"
    assert not Response.objects.exists()


def test_a_json_subtype_is_accepted(admin, org):
    response = send(
        admin,
        "post",
        f"/organisations/{org.slug}/teams",
        json.dumps({"name": "Logistiek"}),
        content_type="application/merge-patch+json",
    )
    assert response.status_code == 201, response.content
    assert org.teams.filter(name="Logistiek").exists()


# --- Bodies over the limit (Django's own limit; the ASGI one is in test_body_limit) -----


def test_a_json_body_over_the_limit_is_413_with_the_limit(admin, org, settings, debug):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = stored(org)
    raw = json.dumps({"name": "x" * 2000})
    response = send(admin, "post", f"/organisations/{org.slug}/teams", raw)
    assert response.status_code == 413, response.content
    assert response.json() == {
        "detail": "The request body is too large: at most 1000 bytes.",
        "code": "body_too_large",
        "limit": 1000,
    }
    assert stored(org) == before


def test_the_default_limit_refuses_3_mb_on_every_json_endpoint(admin, org, campaign, debug):
    raw = json.dumps({"name": "x" * 3_000_000})
    before = stored(org)
    for method, path, _data in surrogate_requests(org, campaign):
        response = send(admin, method, path, raw)
        assert response.status_code == 413, (path, response.content)
        assert response.json()["limit"] == 2_621_440
    assert stored(org) == before


def test_a_form_over_the_limit_gets_a_page(admin, org, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = admin.post(f"/o/{org.slug}/teams/", {"name": "x" * 2000}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert "at most 1000 bytes" in response.content.decode()
    assert not org.teams.exists()


# --- Pagination ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "offset=18446744073709551616",
        "offset=9223372036854775808",
        "offset=-1",
        "limit=18446744073709551616",
        "limit=-1",
        "limit=0",
        f"offset={2**53}",
    ],
)
def test_offsets_and_limits_a_database_cannot_hold_are_422(admin, org, query, debug):
    response = admin.get(f"/api/v1/organisations/{org.slug}/members?{query}")
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"


def test_the_largest_offset_is_an_empty_page(admin, org):
    response = admin.get(f"/api/v1/organisations/{org.slug}/members?offset={2**53 - 1}")
    assert response.status_code == 200
    assert response.json()["items"] == []


# --- Names -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Meting\x00", "Meting\x07", "\u200b\u200c", "Meting\u202e"])
def test_a_campaign_name_with_a_control_character_is_refused(admin, org, name, debug):
    team = Team.objects.create(organisation=org, name="Logistiek")
    before = stored(org)
    body = {"organisation": org.slug, "name": name, "teams": [str(team.public_id)]}
    response = send(admin, "post", "/campaigns", json.dumps(body))
    assert response.status_code == 422, response.content
    assert stored(org) == before


@pytest.mark.parametrize("name", ["Meting\x00", "Meting\x07", "\u200b"])
def test_the_campaign_service_refuses_control_characters(org, admin_user, name):
    from core.errors import DomainError

    team = Team.objects.create(organisation=org, name="Logistiek")
    questionnaire = Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")
    with pytest.raises(DomainError):
        scan_services.create_campaign(
            org, questionnaire=questionnaire, name=name, teams=[team], actor=admin_user
        )
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("name", ["\u200b\u200d", "\ufeff", "Team\u202eB", "Team\u2066B", "A\x00"])
def test_team_services_refuse_invisible_and_direction_changing_names(org, admin_user, name):
    from core.errors import DomainError
    from orgs import services

    with pytest.raises(DomainError):
        services.create_team(org, name=name, actor=admin_user)
    team = services.create_team(org, name="Logistiek", actor=admin_user)
    with pytest.raises(DomainError):
        services.update_team(team, name=name, parent=None, actor=admin_user)
    assert sorted(org.teams.values_list("name", flat=True)) == ["Logistiek"]


# --- Multipart -------------------------------------------------------------------------


@pytest.mark.parametrize("debug_on", [False, True])
def test_multipart_without_a_boundary_is_400(admin, settings, debug_on):
    settings.DEBUG = debug_on
    response = admin.generic(
        "POST",
        "/api/v1/sessions/ABC234/photos",
        b"--x\r\n",
        content_type="multipart/form-data",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_multipart"
