"""lerend's added question on learning (issue 13): a campaign option, marked, never part of
the source questionnaire, and read by learning's figures under the scan's anonymity rule."""

from __future__ import annotations

import copy
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import DomainError
from learning import figures
from scans import services
from scans.extras import LEARNING_PARTICIPATION
from scans.models import Campaign, QuestionnaireVersion
from scans.reports import load_tree

from .conftest import node, respond, seed_answers

QUESTION_NL = (
    "Heb je de voorbije 12 maanden deelgenomen aan een opleiding of een andere leeractiviteit?"
)


@pytest.fixture
def extra_campaign(org, builtin, teams, admin_user) -> Campaign:
    c = services.create_campaign(
        org,
        questionnaire=builtin,
        name="Meting met leervraag",
        teams=[teams["bakkerij"], teams["winkel"], teams["levering"], teams["boekhouding"]],
        actor=admin_user,
        extra_questions=[LEARNING_PARTICIPATION],
    )
    services.open_campaign(c, actor=admin_user)
    return c


def answer(campaign: Campaign, team: str, count: int, value: str) -> None:
    code = node(campaign, team).code
    for _ in range(count):
        services.submit_response(
            code=code,
            client_key=secrets.token_urlsafe(16),
            answers=seed_answers(**{LEARNING_PARTICIPATION: value}),
        )


def test_the_question_is_appended_to_the_campaign_not_to_the_builtin(
    org, builtin, teams, admin_user, campaign
):
    before = copy.deepcopy(builtin.current_version.data)
    versions = QuestionnaireVersion.objects.filter(questionnaire=builtin).count()
    extra = services.create_campaign(
        org,
        questionnaire=builtin,
        name="Met leervraag",
        teams=[teams["bakkerij"]],
        actor=admin_user,
        extra_questions=[LEARNING_PARTICIPATION],
    )
    extra.refresh_from_db()
    assert extra.extra_questions == [LEARNING_PARTICIPATION]
    assert extra.questionnaire_version == campaign.questionnaire_version
    last = extra.questionnaire.sections[-1]
    assert "lerend" in (last.title or "")
    [question] = last.questions
    assert (question.key, question.kind, question.text) == (
        LEARNING_PARTICIPATION,
        "yes_no",
        QUESTION_NL,
    )
    assert campaign.questionnaire.question(LEARNING_PARTICIPATION) is None
    builtin.refresh_from_db()
    assert builtin.current_version.data == before
    assert QuestionnaireVersion.objects.filter(questionnaire=builtin).count() == versions
    with pytest.raises(DomainError):
        services.create_campaign(
            org,
            questionnaire=builtin,
            name="Onbekend",
            teams=[teams["bakkerij"]],
            actor=admin_user,
            extra_questions=["iets-anders"],
        )
    assert not Campaign.objects.filter(name="Onbekend").exists()


def test_an_admin_adds_it_in_the_set_up_and_it_is_marked(
    org, builtin, teams, admin_user, facilitator_user
):
    client = Client()
    client.force_login(admin_user)
    url = reverse("scan_campaign_new", args=[org.slug])
    assert "ask_learning" in client.get(url).content.decode()
    data = {
        "name": "Voorjaar",
        "questionnaire": str(builtin.public_id),
        "teams": [str(teams["bakkerij"].public_id)],
        "language": "nl",
        "anonymity_minimum": org.anonymity_minimum,
        "ask_learning": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    created = Campaign.objects.get(name="Voorjaar")
    assert created.extra_questions == [LEARNING_PARTICIPATION]
    page = client.get(response["Location"]).content.decode()
    assert 'data-extra="learning"' in page
    # without the box: no addition
    client.post(url, data | {"name": "Najaar", "ask_learning": ""})
    assert Campaign.objects.get(name="Najaar").extra_questions == []
    # a facilitator cannot create campaigns at all
    other = Client()
    other.force_login(facilitator_user)
    assert other.post(url, data | {"name": "Stiekem"}).status_code in (403, 404)
    assert not Campaign.objects.filter(name="Stiekem").exists()


def test_answers_count_and_the_report_marks_the_question(org, admin_user, extra_campaign):
    answer(extra_campaign, "Bakkerij", 5, "ja")
    page = Client()
    page.force_login(admin_user)
    html = page.get(
        reverse("scan_report", args=[org.slug, extra_campaign.public_id])
    ).content.decode()
    assert QUESTION_NL in html
    assert "lerend" in html.split(QUESTION_NL)[0].rsplit("<h2>", 1)[-1]  # its marked section
    # the answer form asks it, and refuses a wrong value
    with pytest.raises(DomainError):
        answer(extra_campaign, "Bakkerij", 1, "misschien")


def test_learning_figures_show_the_self_reported_rate_of_released_visible_groups(
    org, admin_user, teams, extra_campaign
):
    empty = figures.self_reported(org)
    assert empty is not None and empty.share == {}
    answer(extra_campaign, "Bakkerij", 5, "ja")
    answer(extra_campaign, "Winkel", 3, "ja")
    answer(extra_campaign, "Winkel", 2, "nee")
    answer(extra_campaign, "Levering", 1, "nee")
    reported = figures.self_reported(org)
    assert reported is not None and reported.campaign_name == "Meting met leervraag"
    tree = load_tree(extra_campaign)
    shown = {n.team_id for n in tree.nodes if tree.suppression.is_visible(n.pk) and n.team_id}
    assert teams["levering"].id not in shown
    # Levering (1) is hidden, and Bakkerij with it (complementary suppression)
    assert shown == {teams["productie"].id, teams["winkel"].id}
    assert reported.share == {
        figures.ROOT: round(8 / 11 * 100),
        teams["productie"].id: round(8 / 11 * 100),
        teams["winkel"].id: 60,
    }
    assert reported.answered[teams["winkel"].id] == 5
    # released figures only: one more answer does not move a released group
    answer(extra_campaign, "Bakkerij", 1, "nee")
    assert figures.self_reported(org).share == reported.share  # type: ignore[union-attr]
    # after the close everything is released, still under the anonymity rule
    services.close_campaign(extra_campaign, actor=admin_user)
    after = figures.self_reported(org)
    assert after is not None
    assert after.share[figures.ROOT] == round(8 / 12 * 100)
    assert teams["levering"].id not in after.share
    closed = load_tree(extra_campaign)
    assert set(after.share) - {figures.ROOT} <= {
        n.team_id for n in closed.nodes if closed.suppression.is_visible(n.pk) and n.team_id
    }
    # the figures page shows the column beside the recorded share
    client = Client()
    client.force_login(admin_user)
    html = client.get(f"/o/{org.slug}/learning/figures/").content.decode()
    assert "Self-reported (scan)" in html or "Zelf gerapporteerd (scan)" in html
    assert html.count('class="num self-reported"') == len(figures.compute(org).rows)
    assert f"{round(8 / 12 * 100)} %" in html


def test_without_the_option_learning_shows_no_self_reported_column(org, admin_user, campaign):
    respond(campaign, "Bakkerij", 5)
    assert figures.self_reported(org) is None


def test_the_api_adds_the_question_and_refuses_an_unknown_one(org, teams, admin_user):
    from .test_api import call

    client = Client()
    client.force_login(admin_user)
    payload = {
        "organisation": org.slug,
        "name": "API met leervraag",
        "teams": [str(teams["bakkerij"].public_id)],
        "extra_questions": [LEARNING_PARTICIPATION],
    }
    created = call(client, "post", "/campaigns", payload)
    assert created.status_code == 201, created.json()
    assert created.json()["extra_questions"] == [LEARNING_PARTICIPATION]
    stored = Campaign.objects.get(name="API met leervraag")
    assert stored.extra_questions == [LEARNING_PARTICIPATION]
    wrong = call(client, "post", "/campaigns", payload | {"name": "X", "extra_questions": ["x"]})
    assert wrong.status_code == 422
    assert not Campaign.objects.filter(name="X").exists()
