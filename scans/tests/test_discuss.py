""" "Bespreek deze resultaten": a live session started from a scan's report shows the scan's
organisation-level results on the presenter screen, suppressed as in the report."""

from __future__ import annotations

import json

import pytest

from formats.services import copy_format
from orgs.models import Team
from scans import services
from scans.reports import build_report
from workshops.models import LiveSession
from workshops.tests.conftest import mini

from .conftest import respond


@pytest.fixture
def mini_format(db):
    return mini()


def discuss_url(org, campaign) -> str:
    return f"/o/{org.slug}/scans/{campaign.public_id}/discuss/"


def start_from_report(client, org, campaign, fmt, title="Bespreking team A"):
    """The report's button, then the start form's answer (title and date)."""
    data = {"format": str(fmt.public_id), "title": title, "planned_on": "2026-12-03"}
    return client.post(discuss_url(org, campaign), data)


def test_the_reports_button_asks_for_the_title_and_date_first(
    client, org, campaign, mini_format, facilitator_user
):
    client.force_login(facilitator_user)
    response = client.post(discuss_url(org, campaign), {"format": str(mini_format.public_id)})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'action="{discuss_url(org, campaign)}"' in page
    assert f'value="{mini_format.title}"' in page and 'type="date"' in page
    assert not LiveSession.objects.exists()
    refused = start_from_report(client, org, campaign, mini_format, title="  ")
    assert refused.status_code == 400
    assert not LiveSession.objects.exists()


def test_the_report_offers_the_formats_of_the_library(client, org, campaign, facilitator_user):
    client.force_login(facilitator_user)
    page = client.get(f"/o/{org.slug}/scans/{campaign.public_id}/report/").content.decode()
    assert discuss_url(org, campaign) in page
    assert str(mini().public_id) in page


@pytest.mark.parametrize("user", ["admin_user", "facilitator_user"])
def test_starting_from_the_report_links_the_session_to_the_campaign(
    request, client, org, campaign, mini_format, user
):
    actor = request.getfixturevalue(user)
    client.force_login(actor)
    response = start_from_report(client, org, campaign, mini_format)
    session = LiveSession.objects.get()
    assert session.scan_campaign == campaign
    assert session.title == "Bespreking team A"
    assert str(session.planned_on) == "2026-12-03"
    assert session.organisation == org
    assert session.facilitator == actor
    assert session.show_scan is False
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/workshops/{session.public_id}/"
    console = client.get(response["Location"]).content.decode()
    assert "Show scan results" in console


def test_a_member_cannot_start_and_nothing_is_stored(
    client, org, campaign, mini_format, member_user
):
    client.force_login(member_user)
    assert start_from_report(client, org, campaign, mini_format).status_code == 403
    assert not LiveSession.objects.exists()


def test_logged_out_cannot_start(client, org, campaign, mini_format):
    response = start_from_report(client, org, campaign, mini_format)
    assert response.status_code in (302, 403, 404)
    assert not LiveSession.objects.exists()


def test_another_organisations_campaign_or_format_is_404(
    client, org, other_org, campaign, builtin, mini_format, facilitator_user, outsider_user
):
    team = Team.objects.create(organisation=other_org, name="Werkplaats")
    theirs = services.create_campaign(
        other_org, questionnaire=builtin, name="Hun meting", teams=[team], actor=outsider_user
    )
    their_format = copy_format(mini_format, organisation=other_org, actor=outsider_user)
    client.force_login(facilitator_user)
    assert start_from_report(client, org, theirs, mini_format).status_code == 404
    assert start_from_report(client, org, campaign, their_format).status_code == 404
    assert client.post(discuss_url(org, campaign), {"format": "no-uuid"}).status_code == 404
    assert start_from_report(client, other_org, theirs, mini_format).status_code == 404
    assert not LiveSession.objects.exists()


def test_the_service_refuses_a_campaign_of_another_organisation(
    org, other_org, builtin, mini_format, facilitator_user, outsider_user
):
    from core.errors import DomainError
    from workshops import services as workshop_services

    team = Team.objects.create(organisation=other_org, name="Werkplaats")
    theirs = services.create_campaign(
        other_org, questionnaire=builtin, name="Hun meting", teams=[team], actor=outsider_user
    )
    with pytest.raises(DomainError):
        workshop_services.start_session(
            organisation=org, fmt=mini_format, actor=facilitator_user, scan_campaign=theirs
        )
    assert not LiveSession.objects.exists()


def _session(client, org, campaign, fmt, user) -> tuple[LiveSession, str]:
    client.force_login(user)
    start_from_report(client, org, campaign, fmt)
    session = LiveSession.objects.get()
    return session, f"/o/{org.slug}/workshops/{session.public_id}/"


def test_the_presenter_shows_the_results_only_when_toggled(
    client, org, campaign, mini_format, facilitator_user
):
    respond(campaign, "Bakkerij", 6, ontmoeten=["koffie"])
    respond(campaign, "Levering", 6, ontmoeten=["teambuilding"])
    session, base = _session(client, org, campaign, mini_format, facilitator_user)
    question = build_report(campaign, with_trend=False).questions[0]
    assert question.columns[0].visible

    before = client.get(base + "present/").content.decode()
    assert question.text not in before
    assert "Scan results" not in before

    seq = session.last_event_seq
    assert client.post(base + "control/", {"action": "scan", "on": "1"}).status_code == 302
    session.refresh_from_db()
    assert session.show_scan is True
    event = session.events.get(seq__gt=seq)
    assert (event.event, event.channel) == ("scan", "facilitator")

    shown = client.get(base + "present/").content.decode()
    assert "Scan results" in shown
    assert question.text in shown
    assert "12 respondents" in shown
    for option in question.columns[0].options:
        assert f'<span class="scan-pct">{option.percent}%</span>' in shown
        assert f'<span class="scan-count">({option.count})</span>' in shown
    # The console's fragment carries the toggle back.
    assert "Hide scan results" in client.get(base).content.decode()

    assert client.post(base + "control/", {"action": "scan", "on": "0"}).status_code == 302
    session.refresh_from_db()
    assert session.show_scan is False
    assert question.text not in client.get(base + "present/").content.decode()


def test_a_hidden_group_never_appears_on_the_presenter(
    client, org, campaign, mini_format, facilitator_user
):
    """The organisation below the minimum: no count, no distribution, only "too few"."""
    respond(campaign, "Winkel", 3, ontmoeten=["koffie"])
    _s, base = _session(client, org, campaign, mini_format, facilitator_user)
    assert not build_report(campaign, with_trend=False).questions[0].columns[0].visible
    client.post(base + "control/", {"action": "scan", "on": "1"})
    shown = client.get(base + "present/").content.decode()
    assert "Scan results" in shown
    assert "too few responses" in shown
    assert "3 respondents" not in shown
    assert "%" not in shown.split("Scan results", 1)[1]
    assert "Winkel" not in shown.split("Scan results", 1)[1]


def test_a_visible_organisation_never_shows_its_hidden_teams(
    client, org, campaign, mini_format, facilitator_user
):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Winkel", 2)
    _s, base = _session(client, org, campaign, mini_format, facilitator_user)
    client.post(base + "control/", {"action": "scan", "on": "1"})
    shown = client.get(base + "present/").content.decode().split("Scan results", 1)[1]
    # The organisation and its department (8 each) beside it; never the two teams.
    assert shown.count("8 respondents") == 2
    assert ">Productie<" in shown
    for name in (">Bakkerij<", "Winkel", "Levering"):
        assert name not in shown


def test_a_session_without_a_scan_refuses_the_toggle(client, org, mini_format, facilitator_user):
    from workshops import services as workshop_services

    session = workshop_services.start_session(
        organisation=org, fmt=mini_format, actor=facilitator_user
    )
    client.force_login(facilitator_user)
    base = f"/o/{org.slug}/workshops/{session.public_id}/"
    assert "Show scan results" not in client.get(base).content.decode()
    client.post(base + "control/", {"action": "scan", "on": "1"})
    session.refresh_from_db()
    assert session.show_scan is False


def test_a_member_cannot_toggle(client, org, campaign, mini_format, facilitator_user, member_user):
    session, base = _session(client, org, campaign, mini_format, facilitator_user)
    client.force_login(member_user)
    assert client.post(base + "control/", {"action": "scan", "on": "1"}).status_code in (403, 404)
    session.refresh_from_db()
    assert session.show_scan is False


def test_the_presenter_shows_one_question_at_a_time_moved_from_the_console(
    client, org, campaign, mini_format, facilitator_user
):
    respond(campaign, "Bakkerij", 6)
    respond(campaign, "Boekhouding", 6)
    session, base = _session(client, org, campaign, mini_format, facilitator_user)
    questions = build_report(campaign, with_trend=False).questions
    choice = [q for q in questions if q.kind != "open_text"]
    client.post(base + "control/", {"action": "scan", "on": "1"})
    shown = client.get(base + "present/").content.decode()
    assert choice[0].text in shown and choice[1].text not in shown
    assert f"Question 1 of {len(choice)}" in shown
    # Side by side: the organisation and its two departments, each with its own count.
    assert shown.count("12 respondents") == 1 and shown.count("6 respondents") == 2

    session.refresh_from_db()
    seq = session.last_event_seq
    client.post(base + "control/", {"action": "scan", "on": "1", "question": "3"})
    session.refresh_from_db()
    assert session.scan_question == 3
    event = session.events.get(seq__gt=seq, event="scan")
    assert json.loads(event.data) == {"on": True, "question": 3}
    shown = client.get(base + "present/").content.decode()
    assert choice[3].text in shown and choice[0].text not in shown
    console = client.get(base).content.decode()
    assert f"Question 4 of {len(choice)}" in console
    # While the scan is shown, the keys move through its questions, not the steps.
    assert 'value="2"><button type="submit" name="action" value="scan" data-key-back' in console
    assert 'value="4"><button type="submit" name="action" value="scan" data-key-next' in console
    assert 'value="next" data-next data-key-next' not in console

    for sent, kept in (("99", len(choice) - 1), ("-4", 0), ("x", 0)):
        client.post(base + "control/", {"action": "scan", "on": "1", "question": sent})
        session.refresh_from_db()
        assert session.scan_question == kept, sent
    client.post(base + "control/", {"action": "scan", "on": "0"})
    assert 'value="next" data-next data-key-next' in client.get(base).content.decode()
