from __future__ import annotations

import pytest

from actions import services
from actions.models import Action, Source
from core.errors import DomainError
from orgs.models import Team
from scans import services as scan_services
from scans.models import Questionnaire

from .conftest import login


@pytest.fixture
def campaign(org, admin_user):
    team = Team.objects.create(organisation=org, name="Winkel")
    builtin = Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")
    c = scan_services.create_campaign(
        org, questionnaire=builtin, name="Meting 2026", teams=[team], actor=admin_user
    )
    return c


def test_make_an_action_from_a_report_question(org, campaign, facilitator_user, member_user):
    client = login(facilitator_user)
    url = f"/o/{org.slug}/acties/scan/{campaign.public_id}/mentorschap/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Meter-peterschap starten", "theme": "securing"})
    assert response.status_code == 200
    assert "Meter-peterschap starten" in response.content.decode()
    action = Action.objects.get()
    assert action.source == Source.SCAN and action.campaign == campaign
    assert action.question_key == "mentorschap" and action.kind == "agreement"
    # shown beside the question, also in a later campaign of the same questionnaire
    later = scan_services.create_campaign(
        org,
        questionnaire=campaign.questionnaire_version.questionnaire,
        name="Meting 2027",
        teams=[Team.objects.get(name="Winkel")],
        actor=facilitator_user,
    )
    fragment = client.get(f"/o/{org.slug}/acties/scan/{later.public_id}/mentorschap/")
    assert "Meter-peterschap starten" in fragment.content.decode()
    assert "Meting 2026" in fragment.content.decode()
    # bad input, unknown question, member, other organisation
    assert client.post(url, {"text": "", "theme": "other"}).status_code == 400
    assert client.get(f"/o/{org.slug}/acties/scan/{campaign.public_id}/nope/").status_code == 404
    assert login(member_user).post(url, {"text": "x"}).status_code == 403
    assert Action.objects.count() == 1


def test_other_organisation_campaign_is_404(other_org, outsider_user, campaign):
    url = f"/o/{other_org.slug}/acties/scan/{campaign.public_id}/mentorschap/"
    assert login(outsider_user).post(url, {"text": "x", "theme": "other"}).status_code == 404
    assert Action.objects.count() == 0


def test_service_refuses_unknown_question(campaign, facilitator_user):
    with pytest.raises(DomainError):
        services.create_from_scan(campaign, "nope", {"text": "x"}, actor=facilitator_user)


def test_the_report_loads_the_actions_beside_each_question_and_its_trend(
    org, campaign, facilitator_user, outsider_user
):
    client = login(facilitator_user)
    url = f"/o/{org.slug}/acties/scan/{campaign.public_id}/mentorschap/"
    client.post(url, {"text": "Meter-peterschap starten", "theme": "securing"})
    action = Action.objects.get()
    assert (action.campaign, action.question_key) == (campaign, "mentorschap")
    page = client.get(f"/o/{org.slug}/scans/{campaign.public_id}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count(f'hx-get="{url}"') == 1  # beside the question; no trend yet
    later = scan_services.create_campaign(
        org,
        questionnaire=campaign.questionnaire_version.questionnaire,
        name="Meting 2027",
        teams=[Team.objects.get(name="Winkel")],
        actor=facilitator_user,
    )
    later_url = f"/o/{org.slug}/acties/scan/{later.public_id}/mentorschap/"
    html = client.get(f"/o/{org.slug}/scans/{later.public_id}/report/").content.decode()
    assert html.count(f'hx-get="{later_url}"') == 2  # beside the question and its trend
    # the fragment shows the actions only: no figures of the report
    fragment = client.get(later_url).content.decode()
    assert "Meter-peterschap starten" in fragment
    assert "%" not in fragment and "respondent" not in fragment
    # an outsider can neither read nor make them, in this organisation's address either
    outsider = login(outsider_user)
    assert outsider.get(later_url).status_code == 404
    assert outsider.post(later_url, {"text": "Van buiten", "theme": "other"}).status_code == 404
    assert list(Action.objects.values_list("text", flat=True)) == ["Meter-peterschap starten"]
