"""Migration 0004 keeps every answer and figure, with random keys and nothing to release."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("scans", "0003_freetext_random_pick")]


def builtin_exists() -> bool:
    from scans.models import Questionnaire

    return Questionnaire.objects.filter(organisation__isnull=True, slug="leercultuur").exists()


@pytest.mark.django_db(transaction=True)
def test_existing_responses_keep_their_answers_and_figures():
    from django.core.management import call_command

    if not builtin_exists():
        # Transactional tests flush the data migrations' rows (as the browser tests do).
        call_command("migrate", "scans", "0001", verbosity=0)
        call_command("migrate", verbosity=0)
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Organisation = old.get_model("orgs", "Organisation")
    Questionnaire = old.get_model("scans", "Questionnaire")
    Campaign = old.get_model("scans", "Campaign")
    CampaignNode = old.get_model("scans", "CampaignNode")
    Response = old.get_model("scans", "Response")
    Answer = old.get_model("scans", "Answer")
    Counter = old.get_model("scans", "Counter")
    FreeText = old.get_model("scans", "FreeText")
    org = Organisation.objects.create(name="Oud", slug=f"oud-{uuid.uuid4().hex[:6]}")
    version = Questionnaire.objects.get(organisation__isnull=True, slug="leercultuur")
    campaign = Campaign.objects.create(
        organisation=org,
        questionnaire_version_id=version.current_version_id,
        name="Oud",
        anonymity_minimum=5,
        state="open",
    )
    root = CampaignNode.objects.create(campaign=campaign, name="Oud", position=0)
    team = CampaignNode.objects.create(
        campaign=campaign, parent=root, name="T", depth=1, position=1, is_target=True, code="abc"
    )
    for _ in range(6):
        response = Response.objects.create(campaign=campaign, node=team, submitted_on="2026-11-30")
        Answer.objects.create(response=response, question="toegang-informatie", option="ja")
    Counter.objects.create(campaign=campaign, node=team, question="", option="", n=6)
    Counter.objects.create(
        campaign=campaign, node=team, question="toegang-informatie", option="ja", n=6
    )
    FreeText.objects.create(campaign=campaign, node=team, question="ontmoeten", text="gang")

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = executor.loader.project_state(latest).apps
    answers = new.get_model("scans", "Answer").objects.filter(response__campaign_id=campaign.pk)
    assert answers.count() == 6
    assert all(isinstance(a.pk, uuid.UUID) for a in answers)
    responses = new.get_model("scans", "Response").objects.filter(campaign_id=campaign.pk)
    assert responses.count() == 6 and all(r.released for r in responses)
    released = new.get_model("scans", "ReleasedCounter").objects.filter(campaign_id=campaign.pk)
    assert sorted(released.values_list("question", "option", "n")) == [
        ("", "", 6),
        ("toegang-informatie", "ja", 6),
    ]
    counters = new.get_model("scans", "Counter").objects.filter(campaign_id=campaign.pk)
    assert sorted(counters.values_list("question", "option", "n")) == [
        ("", "", 6),
        ("toegang-informatie", "ja", 6),
    ]
    texts = new.get_model("scans", "FreeText").objects.filter(campaign_id=campaign.pk)
    assert list(texts.values_list("text", flat=True)) == ["gang"]
    assert new.get_model("scans", "CampaignNode").objects.get(pk=team.pk).link_used is True
