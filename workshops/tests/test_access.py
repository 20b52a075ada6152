from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from workshops.models import LiveSession, SessionEvent


def _pages(live):
    slug, pid = live.organisation.slug, live.public_id
    return [
        reverse("workshop_console", args=[slug, pid]),
        reverse("workshop_present", args=[slug, pid]),
        reverse("workshop_summary", args=[slug, pid]),
        reverse("workshop_summary_md", args=[slug, pid]),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("facilitator_user", 200), ("admin_user", 200), ("member_user", 403), ("outsider_user", 404)],
)
def test_facilitator_pages_matrix(request, live, who, status):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    for url in _pages(live):
        assert client.get(url).status_code == status, url
    response = client.post(
        reverse("workshop_control", args=[live.organisation.slug, live.public_id]),
        {"action": "next"},
    )
    live.refresh_from_db()
    if status == 200:
        assert response.status_code == 302
        assert live.current_step == 0
    else:
        assert response.status_code == status
        assert live.current_step == -1


def test_logged_out_is_sent_to_log_in(live):
    client = Client()
    for url in _pages(live)[:3]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post(
        reverse("workshop_control", args=[live.organisation.slug, live.public_id]),
        {"action": "next"},
    )
    assert response.status_code == 404
    live.refresh_from_db()
    assert live.current_step == -1


@pytest.mark.parametrize(
    ("who", "status"),
    [("facilitator_user", 200), ("member_user", 403), ("outsider_user", 404), (None, 401)],
)
def test_api_controls_matrix(request, live, who, status):
    client = Client(enforce_csrf_checks=False)
    if who:
        client.force_login(request.getfixturevalue(who))
    before = SessionEvent.objects.filter(session=live).count()
    response = client.post(f"/api/v1/sessions/{live.code}/next")
    assert response.status_code == status, response.content
    live.refresh_from_db()
    assert live.current_step == (0 if status == 200 else -1)
    assert SessionEvent.objects.filter(session=live).count() == before + (status == 200)


def test_participant_cannot_control(live, join):
    _p, _t, client = join()
    assert client.post(f"/api/v1/sessions/{live.code}/next").status_code == 401
    live.refresh_from_db()
    assert live.current_step == -1


def test_start_session_page(live, org, client, facilitator_user, mini_format, member_user):
    client.force_login(facilitator_user)
    response = client.post(
        reverse("workshop_start", args=[org.slug]),
        {"format": str(mini_format.public_id), "title": "Ochtendploeg", "planned_on": "2026-12-03"},
    )
    assert response.status_code == 302
    new = LiveSession.objects.exclude(pk=live.pk).get()
    assert response["Location"] == reverse("workshop_console", args=[org.slug, new.public_id])
    assert new.facilitator == facilitator_user
    assert len(new.code) == 6 and not set(new.code) & set("01OIL")
    response = client.post(reverse("workshop_start", args=[org.slug]), {"format": "nonsense"})
    assert response.status_code == 302
    assert LiveSession.objects.count() == 2
    client.force_login(member_user)
    assert (
        client.post(
            reverse("workshop_start", args=[org.slug]), {"format": str(mini_format.public_id)}
        ).status_code
        == 403
    )
    assert LiveSession.objects.count() == 2


def test_start_from_another_organisations_format_is_404(
    org, other_org, client, facilitator_user, outsider_user, mini_format
):
    from formats.services import copy_format

    theirs = copy_format(mini_format, organisation=other_org, actor=outsider_user)
    client.force_login(facilitator_user)
    response = client.post(
        "/api/v1/sessions",
        json.dumps({"format": str(theirs.public_id)}),
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/sessions",
        json.dumps({"format": mini_format.slug}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["code"] == LiveSession.objects.get().code


def test_header_token_wins_over_a_participant_cookie(live, join, facilitator_user):
    from accounts.models import ApiToken

    _participant, token, _c = join()
    _record, raw = ApiToken.issue(facilitator_user, "t")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    client.cookies[f"lp_{live.code}"] = token
    response = client.get(f"/api/v1/sessions/{live.code}/state")
    assert response.status_code == 200
    assert "me" not in response.json()


def test_presence_follows_the_participants_screen(live, join, facilitator_user):
    import datetime as dt

    import time_machine

    participant, _t, client = join()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with time_machine.travel(later, tick=False):
        participant.refresh_from_db()
        assert not participant.is_present
        assert client.get(f"/api/v1/sessions/{live.code}/state").status_code == 200
        participant.refresh_from_db()
        assert participant.is_present
        console = Client()
        console.force_login(facilitator_user)
        page = console.get(
            reverse("workshop_console", args=[live.organisation.slug, live.public_id])
        )
        assert b'class="away"' not in page.content
