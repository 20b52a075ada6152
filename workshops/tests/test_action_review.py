"""The `action_review` step (issue 11): open agreements of the register reviewed live, the
changes in the register's history with the session and step as their source."""

from __future__ import annotations

import json

import pytest

from actions import services as action_services
from actions.models import Action, ActionEvent, Review, Status, Theme
from formats import editor
from formats import services as format_services
from formats.models import Format
from orgs.models import Team
from workshops import activities, services
from workshops.models import LiveSession, SessionEvent
from workshops.summary import build_summary

from .conftest import go, key

QUICKSCAN = "quickscan-leervoorwaarden"


def quickscan_with_review(org, user) -> Format:
    """A copy of the quickscan (seed 004) with an `action_review` step inserted by the
    editor as its first step; the built-in format is unchanged."""
    builtin = Format.objects.get(slug=QUICKSCAN, is_builtin=True)
    copy = format_services.copy_format(builtin, organisation=org, actor=user)
    assert copy.current_version is not None
    draft = copy.current_version.content.model_dump(mode="json")
    draft = editor.apply_operation(draft, "add-step:0", {"new-kind-0": "action_review"})
    last = len(draft["phases"][0]["steps"]) - 1
    for index in range(last, 0, -1):
        draft = editor.apply_operation(draft, f"up-step:0:{index}", {})
    draft["phases"][0]["steps"][0]["prompt"] = "Hoe ver staan we met deze afspraak?"
    format_services.save_version(copy, data=draft, actor=user)
    copy.refresh_from_db()
    return copy


@pytest.fixture
def agreements(org, facilitator_user):
    team = Team.objects.create(organisation=org, name="Bakkers")
    earlier = services.start_session(
        organisation=org,
        fmt=Format.objects.get(slug="leven-lang-leren-11-tips", is_builtin=True),
        actor=facilitator_user,
    )
    go(earlier, "action_points", actor=facilitator_user)
    for text, due in (("Budget bespreken", "2026-06-01"), ("Leerroute maken", "2026-07-01")):
        services.add_action_point(
            earlier, text=text, owner="HR", due_date=due, key=key(), actor=facilitator_user
        )
    services.end_session(earlier, actor=facilitator_user)
    by_hand = action_services.create_action(
        org,
        {"text": "Tijd vrijmaken", "team": team, "theme": Theme.TIME},
        actor=facilitator_user,
    ).action
    done = action_services.create_action(org, {"text": "Al klaar"}, actor=facilitator_user).action
    action_services.record_progress(done, actor=facilitator_user, status=Status.DONE)
    return {"team": team, "earlier": earlier, "by_hand": by_hand, "done": done}


@pytest.fixture
def review_session(org, facilitator_user):
    fmt = quickscan_with_review(org, facilitator_user)
    session = services.start_session(organisation=org, fmt=fmt, actor=facilitator_user)
    return session


def test_the_quickscan_copy_starts_with_the_review_and_the_builtin_is_unchanged(
    org, facilitator_user
):
    fmt = quickscan_with_review(org, facilitator_user)
    first = fmt.current_version.content.phases[0].steps[0]
    assert first.kind == "action_review" and first.prompt.startswith("Hoe ver")
    builtin = Format.objects.get(slug=QUICKSCAN, is_builtin=True)
    kinds = [s.kind for p in builtin.current_version.content.phases for s in p.steps]
    assert "action_review" not in kinds


def test_the_registry_has_the_kind(review_session):
    ref = review_session.steps()[0]
    assert ref.kind == "action_review"
    activity = activities.get("action_review")
    assert activity.results(review_session, ref)["reviewed"] == []
    assert "reviewed" not in activity.view(review_session, ref, facilitator=False)


def test_picking_of_an_earlier_session_a_team_or_a_theme(
    review_session, agreements, facilitator_user
):
    ref = go(review_session, "action_review", actor=facilitator_user)
    picked = services.pick_for_review(
        review_session,
        step_id=ref.id,
        from_session=agreements["earlier"].public_id,
        actor=facilitator_user,
    )
    assert [a.text for a in picked] == ["Budget bespreken", "Leerroute maken"]
    assert list(
        Review.objects.filter(session=review_session, step_id=ref.id).values_list(
            "action__text", flat=True
        )
    ) == ["Budget bespreken", "Leerroute maken"]
    picked = services.pick_for_review(
        review_session, step_id=ref.id, team=agreements["team"].public_id, actor=facilitator_user
    )
    assert [a.text for a in picked] == ["Tijd vrijmaken"]
    assert Review.objects.filter(session=review_session).count() == 1
    picked = services.pick_for_review(
        review_session, step_id=ref.id, theme=Theme.TIME, actor=facilitator_user
    )
    assert [a.text for a in picked] == ["Tijd vrijmaken"]
    everything = services.pick_for_review(review_session, step_id=ref.id, actor=facilitator_user)
    assert "Al klaar" not in [a.text for a in everything] and len(everything) == 3
    shown = activities.get("action_review").results(review_session, ref)["reviewed"]
    assert [r["text"] for r in shown] == [a.text for a in everything]


def test_bad_picks_are_refused_and_change_nothing(
    review_session, agreements, facilitator_user, other_org
):
    ref = go(review_session, "action_review", actor=facilitator_user)
    services.pick_for_review(review_session, step_id=ref.id, actor=facilitator_user)
    foreign_team = Team.objects.create(organisation=other_org, name="Elders")
    cases = [
        {"team": foreign_team.public_id},
        {"team": "geen-uuid"},
        {"theme": "geld"},
        {"from_session": review_session.public_id},
        {"from_session": "00000000-0000-0000-0000-000000000000"},
    ]
    for pick in cases:
        with pytest.raises(services.DomainError) as error:
            services.pick_for_review(review_session, step_id=ref.id, actor=facilitator_user, **pick)
        assert error.value.status in (400, 404)
    assert Review.objects.filter(session=review_session).count() == 3


def test_a_review_lands_in_the_register_with_the_session_as_source(
    review_session, agreements, facilitator_user
):
    ref = go(review_session, "action_review", actor=facilitator_user)
    services.pick_for_review(
        review_session,
        step_id=ref.id,
        from_session=agreements["earlier"].public_id,
        actor=facilitator_user,
    )
    target = Action.objects.get(text="Budget bespreken")
    services.review_action(
        review_session,
        step_id=ref.id,
        action_id=target.public_id,
        status=Status.DONE,
        note="Besproken op het teamoverleg",
        actor=facilitator_user,
    )
    services.review_action(
        review_session,
        step_id=ref.id,
        action_id=target.public_id,
        note="Volgend jaar opnieuw",
        actor=facilitator_user,
    )
    target.refresh_from_db()
    assert target.status == Status.DONE and target.done_at is not None
    stream = [
        (e.event, json.loads(e.data))
        for e in SessionEvent.objects.filter(
            session=review_session, event__in=("review", "reviewed")
        ).order_by("seq")
    ]
    assert stream == [
        ("review", {"step": ref.id, "count": 2}),
        ("reviewed", {"step": ref.id, "id": str(target.public_id), "status": Status.DONE}),
        ("reviewed", {"step": ref.id, "id": str(target.public_id), "status": Status.DONE}),
    ]
    events = list(ActionEvent.objects.filter(action=target, session=review_session))
    assert [(e.kind, e.old_status, e.new_status, e.note) for e in events] == [
        ("status", Status.OPEN, Status.DONE, "Besproken op het teamoverleg"),
        ("note", "", "", "Volgend jaar opnieuw"),
    ]
    assert all(e.step_id == ref.id and e.via == "session" for e in events)
    assert events[0].actor == facilitator_user
    other = Action.objects.get(text="Leerroute maken")
    assert (
        other.status == Status.OPEN
        and not ActionEvent.objects.filter(action=other, session=review_session).exists()
    )
    rows = activities.get("action_review").results(review_session, ref)["reviewed"]
    first = next(r for r in rows if r["text"] == "Budget bespreken")
    assert first["status"] == Status.DONE
    assert first["notes"] == ["Besproken op het teamoverleg", "Volgend jaar opnieuw"]
    assert first["due_date"] == "1 June 2026"  # in words, in the reader's language
    services.end_session(review_session, actor=facilitator_user)
    summary = build_summary(LiveSession.objects.get(pk=review_session.pk))
    assert "Besproken op het teamoverleg" in str(summary)


def test_review_refusals_change_nothing(review_session, agreements, facilitator_user):
    ref = go(review_session, "action_review", actor=facilitator_user)
    services.pick_for_review(
        review_session,
        step_id=ref.id,
        from_session=agreements["earlier"].public_id,
        actor=facilitator_user,
    )
    not_picked = agreements["by_hand"]
    target = Action.objects.get(text="Budget bespreken")
    bad = [
        {"action_id": not_picked.public_id, "status": Status.DONE},
        {"action_id": "geen-uuid", "status": Status.DONE},
        {"action_id": target.public_id, "status": "klaar"},
        {"action_id": target.public_id},
        {"action_id": target.public_id, "note": "x" * 5000},
    ]
    for fields in bad:
        with pytest.raises(services.DomainError):
            services.review_action(review_session, step_id=ref.id, actor=facilitator_user, **fields)
    assert not ActionEvent.objects.filter(session=review_session).exists()
    assert not SessionEvent.objects.filter(session=review_session, event="reviewed").exists()
    not_picked.refresh_from_db()
    target.refresh_from_db()
    assert not_picked.status == Status.OPEN and target.status == Status.OPEN


def test_only_on_the_open_review_step(review_session, agreements, facilitator_user):
    ref = review_session.steps()[0]
    with pytest.raises(services.DomainError) as error:
        services.pick_for_review(review_session, step_id=ref.id, actor=facilitator_user)
    assert error.value.status == 409
    assert not Review.objects.exists()


def test_the_console_picks_and_reviews_and_every_screen_shows_it(
    review_session, agreements, facilitator_user, client
):
    from django.test import Client

    org = review_session.organisation
    client.force_login(facilitator_user)
    base = f"/o/{org.slug}/workshops/{review_session.public_id}/"
    ref = review_session.steps()[0]
    assert client.post(base + "control/", {"action": "goto", "step": ref.id}).status_code == 302
    console = client.get(base).content.decode()
    assert "Hoe ver staan we met deze afspraak?" in console
    assert agreements["earlier"].title in console  # offered as an earlier session
    picked = client.post(
        base + "control/",
        {"action": "review_pick", "step": ref.id, "from_session": agreements["earlier"].public_id},
    )
    assert picked.status_code == 302
    target = Action.objects.get(text="Budget bespreken")
    saved = client.post(
        base + "control/",
        {
            "action": "review",
            "step": ref.id,
            "review_action": target.public_id,
            "status": Status.IN_PROGRESS,
            "note": "<script>alert(1)</script>",
        },
    )
    assert saved.status_code == 302
    target.refresh_from_db()
    assert target.status == Status.IN_PROGRESS
    event = ActionEvent.objects.get(action=target, session=review_session)
    assert event.note == "<script>alert(1)</script>" and event.step_id == ref.id
    for url in (base, base + "present/", base + "?fragment=1", base + "present/?fragment=1"):
        page = client.get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "Budget bespreken" in text and "Leerroute maken" in text
        assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;" in client.get(base + "present/").content.decode()
    phone = Client()
    assert phone.post(f"/j/{review_session.code}/", {"name": "Ann"}).status_code == 302
    on_phone = phone.get(f"/j/{review_session.code}/")
    assert on_phone.status_code == 200 and "Budget bespreken" not in on_phone.content.decode()
    refused = client.post(
        base + "control/",
        {
            "action": "review",
            "step": ref.id,
            "review_action": agreements["by_hand"].public_id,
            "status": Status.DONE,
        },
        headers={"X-Requested-With": "fetch"},
    )
    assert refused.status_code in (302, 404)
    agreements["by_hand"].refresh_from_db()
    assert agreements["by_hand"].status == Status.OPEN
    assert client.post(base + "control/", {"action": "end"}).status_code == 302
    summary = client.get(base + "summary/").content.decode()
    assert "Budget bespreken" in summary and "&lt;script&gt;" in summary
    assert client.get(base + "summary.pdf").content.startswith(b"%PDF")
    assert "Budget bespreken" in client.get(base + "summary.md").content.decode()


def test_the_copy_s_script_pdf_holds_the_review_step(org, facilitator_user):
    from core.testing import pdf_text
    from formats.pdf import render_pdf

    fmt = quickscan_with_review(org, facilitator_user)
    text = " ".join(pdf_text(render_pdf(fmt, "script")).split())
    assert "Hoe ver staan we met deze afspraak?" in text


def test_the_api_picks_and_reviews_with_the_same_rules(
    review_session, agreements, facilitator_user, member_user, client
):
    from django.test import Client

    def post(who, path, data):
        return who.post(
            f"/api/v1/sessions/{review_session.code}/{path}",
            json.dumps(data),
            content_type="application/json",
        )

    ref = go(review_session, "action_review", actor=facilitator_user)
    member = Client()
    member.force_login(member_user)
    assert post(member, "review", {"step": ref.id}).status_code in (403, 404)
    client.force_login(facilitator_user)
    assert post(client, "review", {"step": ref.id, "theme": "geld"}).status_code == 400
    assert post(client, "review", {"step": ref.id, "extra": 1}).status_code in (400, 422)
    picked = post(
        client, "review", {"step": ref.id, "from_session": str(agreements["earlier"].public_id)}
    )
    assert picked.status_code == 200 and picked.json()["count"] == 2
    target = Action.objects.get(text="Leerroute maken")
    assert str(target.public_id) in picked.json()["actions"]
    outside = agreements["by_hand"]
    refused = post(client, f"review/{outside.public_id}", {"step": ref.id, "status": "done"})
    assert refused.status_code == 404
    assert post(
        member, f"review/{target.public_id}", {"step": ref.id, "status": "done"}
    ).status_code in (403, 404)
    done = post(
        client, f"review/{target.public_id}", {"step": ref.id, "status": "done", "note": "Klaar"}
    )
    assert done.status_code == 200 and done.json() == {
        "id": str(target.public_id),
        "status": "done",
    }
    target.refresh_from_db()
    outside.refresh_from_db()
    assert target.status == Status.DONE and outside.status == Status.OPEN
    assert (
        ActionEvent.objects.filter(action=target, session=review_session, note="Klaar").count() == 1
    )
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/sessions/{code}/review/{action_id}" in schema["paths"]
