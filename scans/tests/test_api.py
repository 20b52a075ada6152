"""The scan's API: respondents post answers; the organisation manages and reads campaigns."""

from __future__ import annotations

import json
import secrets

import pytest
from django.test import Client

from accounts.models import ApiToken
from scans.models import Campaign, Response

from .conftest import node, respond, seed_answers


def call(client: Client, method: str, path: str, data=None, token: str | None = None):
    kwargs: dict = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if data is not None:
        kwargs.update(data=json.dumps(data), content_type="application/json")
    if token is not None:
        kwargs["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def body(campaign, **extra):
    return {
        "code": node(campaign, "Bakkerij").code,
        "client_key": secrets.token_urlsafe(16),
        "answers": seed_answers(),
        **extra,
    }


def test_post_response_without_an_account_is_idempotent(client, campaign):
    payload = body(campaign)
    first = call(client, "post", "/responses", payload)
    assert first.status_code == 201
    assert first.json() == {
        "status": "accepted",
        "campaign": str(campaign.public_id),
        "submitted_on": Response.objects.get().submitted_on.isoformat(),
        "replaced": False,
    }
    again = call(
        client, "post", "/responses", {**payload, "answers": seed_answers(mentorschap="ja")}
    )
    assert again.status_code == 200 and again.json() == first.json()
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"answers": {**seed_answers(), "x": "ja"}}, 400, "unknown_question"),
        ({"answers": seed_answers(mentorschap=None)}, 400, "answer_required"),
        ({"answers": seed_answers(mentorschap="misschien")}, 400, "choice_invalid"),
        ({"other": {"ontmoeten": "x" * 1001}}, 400, "text_too_long"),
        ({"code": "onbekend"}, 404, "unknown_link"),
        ({"code": None, "token": "onbekend"}, 404, "unknown_token"),
        ({"client_key": "kort"}, 422, "validation_error"),
        ({"extra": 1}, 422, "validation_error"),
    ],
)
def test_bad_responses_are_refused_and_store_nothing(client, campaign, change, status, code):
    response = call(client, "post", "/responses", {**body(campaign), **change})
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not Response.objects.exists()


def test_closed_campaign_is_409(client, campaign, admin_user):
    from scans import services

    services.close_campaign(campaign, actor=admin_user)
    response = call(client, "post", "/responses", body(campaign))
    assert response.status_code == 409 and response.json()["code"] == "campaign_closed"


@pytest.fixture
def sessions(admin_user, facilitator_user, member_user, outsider_user):
    def session(user):
        c = Client()
        c.force_login(user)
        return c

    return {
        "admin": session(admin_user),
        "facilitator": session(facilitator_user),
        "member": session(member_user),
        "outsider": session(outsider_user),
        "anonymous": Client(),
    }


WHO = ["facilitator", "member", "outsider", "anonymous", "admin"]
"""The admin last, so that a close happens after the others were refused."""


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/campaigns?organisation=korenbloem", [200, 403, 404, 401, 200]),
        ("get", "/campaigns/{id}/report", [200, 403, 404, 401, 200]),
        ("post", "/campaigns/{id}/close", [403, 403, 404, 401, 200]),
        ("post", "/campaigns/{id}/open", [403, 403, 404, 401, 409]),
    ],
)
def test_access_matrix(sessions, campaign, method, path, expected):
    path = path.replace("{id}", str(campaign.public_id))
    got = [call(sessions[who], method, path).status_code for who in WHO]
    assert got == expected
    campaign.refresh_from_db()
    assert campaign.state == ("closed" if path.endswith("/close") else "open")


def test_an_unknown_campaign_is_404(sessions):
    response = call(
        sessions["admin"], "get", "/campaigns/00000000-0000-0000-0000-000000000000/report"
    )
    assert response.status_code == 404


def test_admin_creates_opens_and_closes_a_campaign(sessions, org, teams):
    admin = sessions["admin"]
    created = call(
        admin,
        "post",
        "/campaigns",
        {
            "organisation": "korenbloem",
            "name": "API-meting",
            "teams": [str(teams["bakkerij"].public_id), str(teams["winkel"].public_id)],
        },
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["state"] == "draft" and data["anonymity_minimum"] == 5
    assert data["questionnaire_title"] == "Benieuwd naar de leercultuur in je organisatie?"
    opened = call(admin, "post", f"/campaigns/{data['id']}/open")
    assert opened.status_code == 200 and opened.json()["accepts_responses"]
    assert call(admin, "post", f"/campaigns/{data['id']}/open").status_code == 409
    listed = call(admin, "get", "/campaigns?organisation=korenbloem").json()
    assert [c["name"] for c in listed] == ["API-meting"]
    closed = call(admin, "post", f"/campaigns/{data['id']}/close")
    assert closed.json()["state"] == "closed"


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"anonymity_minimum": 2}, 400),
        ({"teams": []}, 422),
        ({"teams": ["00000000-0000-0000-0000-000000000000"]}, 404),
        ({"name": ""}, 422),
        ({"language": "fr"}, 422),
    ],
)
def test_bad_campaigns_are_refused(sessions, org, teams, change, status):
    payload = {
        "organisation": "korenbloem",
        "name": "M",
        "teams": [str(teams["bakkerij"].public_id)],
        **change,
    }
    response = call(sessions["admin"], "post", "/campaigns", payload)
    assert response.status_code == status, response.json()
    assert not Campaign.objects.exists()


def test_another_organisations_team_is_404(sessions, org, other_org):
    from orgs.models import Team

    theirs = Team.objects.create(organisation=other_org, name="X")
    response = call(
        sessions["admin"],
        "post",
        "/campaigns",
        {"organisation": "korenbloem", "name": "M", "teams": [str(theirs.public_id)]},
    )
    assert response.status_code == 404 and not Campaign.objects.exists()


def test_a_facilitator_cannot_create(sessions, teams):
    response = call(
        sessions["facilitator"],
        "post",
        "/campaigns",
        {"organisation": "korenbloem", "name": "M", "teams": [str(teams["bakkerij"].public_id)]},
    )
    assert response.status_code == 403 and not Campaign.objects.exists()


def test_report_hides_small_groups_like_the_page(sessions, campaign):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Levering", 5)
    respond(campaign, "Winkel", 2)
    data = call(sessions["facilitator"], "get", f"/campaigns/{campaign.public_id}/report").json()
    nodes = {n["name"]: n for n in data["nodes"]}
    assert nodes["Winkel"]["respondents"] is None and not nodes["Winkel"]["visible"]
    assert nodes["Levering"]["respondents"] is None
    assert nodes["Productie"]["respondents"] == 13
    winkel = node(campaign, "Winkel").public_id
    team = call(
        sessions["facilitator"], "get", f"/campaigns/{campaign.public_id}/report?team={winkel}"
    ).json()
    first = team["questions"][0]["groups"]
    assert first[0] == {
        "node": str(winkel),
        "name": "Winkel",
        "visible": False,
        "note": "too few responses",
        "answered": None,
        "options": None,
        "free_texts": None,
    }
    assert [g["name"] for g in first] == ["Winkel", "Productie", "Bakkerij De Korenbloem"]
    bad = call(sessions["facilitator"], "get", f"/campaigns/{campaign.public_id}/report?filter=x:y")
    assert bad.status_code == 400


def test_token_auth_reads_the_report(campaign, admin_user):
    _, token = ApiToken.issue(admin_user, "t")
    response = call(Client(), "get", f"/campaigns/{campaign.public_id}/report", token=token)
    assert response.status_code == 200


def test_openapi_describes_the_scan_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/responses",
        "/api/v1/campaigns",
        "/api/v1/campaigns/{campaign_id}/report",
        "/api/v1/campaigns/{campaign_id}/open",
        "/api/v1/campaigns/{campaign_id}/close",
    ]:
        assert path in schema["paths"], path
    assert "ReportOut" in schema["components"]["schemas"]
    assert schema["paths"]["/api/v1/responses"]["post"].get("security") in (None, [], [{}])
