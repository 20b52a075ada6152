"""`GET /campaigns/{id}/links`: each team's link code and address, for admins."""

from __future__ import annotations

from django.test import Client

from accounts.models import ApiToken
from scans.models import CampaignNode

from .test_api import WHO, call, sessions  # noqa: F401 (the fixture)


def test_links_list_every_team_with_code_and_url(campaign, admin_user, settings, teams):
    settings.SITE_URL = "https://intranet-scan.example.org"
    _, token = ApiToken.issue(admin_user, "t")
    response = call(Client(), "get", f"/campaigns/{campaign.public_id}/links", token=token)
    assert response.status_code == 200
    expected = [
        {
            "node": str(n.public_id),
            "team": str(n.team.public_id),
            "name": n.name,
            "code": n.code,
            "url": f"https://intranet-scan.example.org/s/{n.code}/",
        }
        for n in CampaignNode.objects.filter(campaign=campaign, is_target=True).order_by("position")
    ]
    assert response.json() == expected
    assert [row["name"] for row in expected] == ["Boekhouding", "Bakkerij", "Levering", "Winkel"]
    # The link works: the code is the answer page's.
    page = Client().get(f"/s/{expected[0]['code']}/")
    assert page.status_code == 200


def test_links_for_admins_of_the_organisation_only(sessions, campaign):  # noqa: F811
    path = f"/campaigns/{campaign.public_id}/links"
    got = [call(sessions[who], "get", path).status_code for who in WHO]
    assert got == [403, 403, 404, 401, 200]
    nobody = "00000000-0000-4000-8000-000000000000"
    unknown = call(sessions["admin"], "get", f"/campaigns/{nobody}/links")
    assert unknown.status_code == 404


def test_links_are_in_the_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/campaigns/{campaign_id}/links"]["get"]
    assert set(operation["responses"]) >= {"200", "403", "404"}
