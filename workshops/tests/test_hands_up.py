"""The "hands up" view of a statement poll on the presenter screen (issue 4)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from workshops import services
from workshops.models import SessionEvent

from .conftest import go, key, step_of


def _urls(org, live) -> str:
    return f"/o/{org.slug}/workshops/{live.public_id}/"


def test_hands_up_replaces_the_live_bars_and_back(client, org, live, facilitator_user, join):
    ref = go(live, "statement_poll")
    participant, _token, _client = join("Ann")
    services.cast_vote(live, participant=participant, step_id=ref.id, choice="eens", key=key())
    client.force_login(facilitator_user)
    base = _urls(org, live)

    bars = client.get(base + "present/").content.decode()
    assert 'class="poll-results"' in bars
    assert "Raise your hand" not in bars
    console = client.get(base).content.decode()
    assert 'value="hands_up"' in console
    assert 'aria-pressed="false"' in console

    seq = live.last_event_seq
    assert client.post(base + "control/", {"action": "hands_up", "on": "1"}).status_code == 302
    live.refresh_from_db()
    assert live.hands_up is True
    event = SessionEvent.objects.get(session=live, seq__gt=seq)
    assert (event.event, event.channel) == ("hands_up", "facilitator")

    shown = client.get(base + "present/").content.decode()
    assert 'class="poll-results"' not in shown
    assert 'class="hands-up"' in shown
    # One side of the statement at a time; the console picks the side (issue 12).
    labels = [choice.label for choice in ref.step.choices]
    assert f"Raise your hand if your answer is “{labels[0]}”." in shown
    assert f"Raise your hand if your answer is “{labels[1]}”." not in shown
    # The seed's instruction is for the facilitator: on the console, never on the screen.
    assert ref.step.instructions[0] not in shown
    console = client.get(base).content.decode()
    assert "Show the live results on the screen" in console
    assert ref.step.instructions[0] in console
    assert client.post(base + "control/", {"action": "item", "index": "1"}).status_code == 302
    live.refresh_from_db()
    assert live.current_item == 1
    side = client.get(base + "present/").content.decode()
    assert f"Raise your hand if your answer is “{labels[1]}”." in side
    assert f"Raise your hand if your answer is “{labels[0]}”." not in side

    client.post(base + "control/", {"action": "hands_up", "on": "0"})
    live.refresh_from_db()
    assert live.hands_up is False
    again = client.get(base + "present/").content.decode()
    assert 'class="poll-results"' in again
    assert "Raise your hand" not in again


def test_the_seed_poll_has_three_choices_shown_as_hands_up(client, org, live, facilitator_user):
    ref = step_of(live, "statement_poll")
    assert [c.key for c in ref.step.choices] == ["eens", "oneens", "twijfel"]
    go(live, "statement_poll")
    services.set_hands_up(live, on=True, actor=facilitator_user)
    client.force_login(facilitator_user)
    base = _urls(org, live)
    for index, choice in enumerate(ref.step.choices):
        services.set_item(live, index=index, actor=facilitator_user)
        shown = client.get(base + "present/").content.decode()
        assert shown.count("Raise your hand if your answer is") == 1
        assert f"“{choice.label}”" in shown


def test_a_side_needs_hands_up(org, live, facilitator_user):
    go(live, "statement_poll")
    with pytest.raises(DomainError):
        services.set_item(live, index=1, actor=facilitator_user)
    live.refresh_from_db()
    assert live.current_item == 0


def test_hands_up_is_not_for_members_or_outsiders(client, org, live, member_user, outsider_user):
    base = _urls(org, live)
    for user in (member_user, outsider_user):
        client.force_login(user)
        response = client.post(base + "control/", {"action": "hands_up", "on": "1"})
        assert response.status_code in (403, 404)
    client.logout()
    assert client.post(base + "control/", {"action": "hands_up", "on": "1"}).status_code == 404
    live.refresh_from_db()
    assert live.hands_up is False


def test_an_ended_session_refuses_hands_up(live, facilitator_user):
    services.end_session(live, actor=facilitator_user)
    with pytest.raises(DomainError):
        services.set_hands_up(live, on=True, actor=facilitator_user)
    live.refresh_from_db()
    assert live.hands_up is False
