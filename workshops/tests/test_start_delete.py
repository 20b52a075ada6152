"""Starting a session asks for its title and date; a waiting session can be deleted
(issue 12): the pages, the JSON API, the stored state and the event the phones get."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from workshops import services
from workshops.models import (
    LiveSession,
    Participant,
    PhaseTiming,
    SessionEvent,
    Status,
)
from workshops.services.lifecycle import reopen_session
from workshops.tests.conftest import mini


def _start_url(org) -> str:
    return reverse("workshop_start", args=[org.slug])


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Starting -----------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC))
def test_the_start_form_is_prefilled_with_the_formats_title_and_today(
    org, facilitator_user, mini_format
):
    client = _logged_in(facilitator_user)
    response = client.get(_start_url(org), {"format": str(mini_format.public_id)})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="date"' in body
    assert 'value="2026-12-03"' in body
    assert f'value="{mini_format.title}"' in body
    assert 'method="post"' in body
    assert LiveSession.objects.count() == 0  # asking starts nothing


def test_starting_stores_the_title_and_date(org, facilitator_user, mini_format):
    client = _logged_in(facilitator_user)
    response = client.post(
        _start_url(org),
        {
            "format": str(mini_format.public_id),
            "title": "  Ochtendploeg   bakkerij ",
            "planned_on": "2026-12-03",
        },
    )
    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop_console", args=[org.slug, session.public_id])
    assert session.title == "Ochtendploeg bakkerij"
    assert session.planned_on == dt.date(2026, 12, 3)
    assert session.status == Status.LOBBY
    # The console and the list show the date.
    console = client.get(response["Location"]).content.decode()
    assert 'datetime="2026-12-03"' in console
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    listing = client.get(reverse("workshop_list", args=[org.slug])).content.decode()
    assert "Ochtendploeg bakkerij" in listing
    assert "3 december 2026" in listing


@pytest.mark.parametrize(
    ("title", "day", "field"),
    [
        ("", "2026-12-03", "title"),
        ("   ", "2026-12-03", "title"),
        ("x" * 201, "2026-12-03", "title"),
        ("Ploeg\u202e", "2026-12-03", "title"),
        ("Ploeg\x00", "2026-12-03", "title"),
        ("Ploeg", "2026-02-30", "planned_on"),
        ("Ploeg", "morgen", "planned_on"),
        ("Ploeg", "", "planned_on"),
    ],
)
def test_a_bad_title_or_date_is_refused_at_its_field(
    org, facilitator_user, mini_format, title, day, field
):
    client = _logged_in(facilitator_user)
    response = client.post(
        _start_url(org), {"format": str(mini_format.public_id), "title": title, "planned_on": day}
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert LiveSession.objects.count() == 0


def test_the_start_form_needs_a_format_of_the_library(
    org, other_org, facilitator_user, outsider_user, member_user, mini_format
):
    from formats.services import copy_format

    theirs = copy_format(mini_format, organisation=other_org, actor=outsider_user)
    client = _logged_in(facilitator_user)
    for value in ("", "nonsense", str(theirs.public_id)):
        response = client.get(_start_url(org), {"format": value})
        assert response.status_code == 302
        response = client.post(
            _start_url(org), {"format": value, "title": "X", "planned_on": "2026-12-03"}
        )
        assert response.status_code == 302
    assert LiveSession.objects.count() == 0
    member = _logged_in(member_user)
    assert member.get(_start_url(org), {"format": str(mini_format.public_id)}).status_code == 403
    outsider = _logged_in(outsider_user)
    assert outsider.get(_start_url(org), {"format": str(mini_format.public_id)}).status_code == 404


def _api(user) -> tuple[Client, dict[str, str]]:
    client = _logged_in(user)
    client.cookies["csrftoken"] = "x" * 32
    return client, {"HTTP_X_CSRFTOKEN": "x" * 32}


def test_the_api_starts_with_a_title_and_date(org, facilitator_user, mini_format):
    client, csrf = _api(facilitator_user)
    response = client.post(
        "/api/v1/sessions",
        json.dumps({"format": mini_format.slug, "title": " Namiddag ", "date": "2026-12-04"}),
        content_type="application/json",
        **csrf,
    )
    assert response.status_code == 201, response.content
    assert response.json()["title"] == "Namiddag"
    assert response.json()["date"] == "2026-12-04"
    session = LiveSession.objects.get()
    assert (session.title, session.planned_on) == ("Namiddag", dt.date(2026, 12, 4))
    # Without them: the format's title and no date.
    response = client.post(
        "/api/v1/sessions",
        json.dumps({"format": mini_format.slug}),
        content_type="application/json",
        **csrf,
    )
    assert response.status_code == 201
    assert response.json()["title"] == mini_format.title
    assert response.json()["date"] is None


@pytest.mark.parametrize(
    "extra",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "a\nb"},
        {"title": "\u202eabc"},
        {"title": 12},
        {"date": "2026-13-01"},
        {"date": "2026-02-29"},
        {"date": "3 december"},
        {"date": "20261203"},
        {"date": "2026-12-03T10:00"},
        {"date": 1764720000},
        {"date": True},
    ],
)
def test_the_api_refuses_a_bad_title_or_date(org, facilitator_user, mini_format, extra):
    client, csrf = _api(facilitator_user)
    response = client.post(
        "/api/v1/sessions",
        json.dumps({"format": mini_format.slug, **extra}),
        content_type="application/json",
        **csrf,
    )
    assert response.status_code in (400, 422), response.content
    assert response.json()["detail"]
    assert LiveSession.objects.count() == 0


# --- Deleting -----------------------------------------------------------------------------


def _delete_url(session: LiveSession) -> str:
    return reverse("workshop_delete", args=[session.organisation.slug, session.public_id])


def _contents(session: LiveSession) -> dict[str, int]:
    return {
        "participants": Participant.objects.filter(session=session).count(),
        "events": SessionEvent.objects.filter(session_id=session.pk).count(),
        "timings": PhaseTiming.objects.filter(session_id=session.pk).count(),
    }


def test_the_list_and_console_offer_to_delete_a_waiting_session(live, facilitator_user):
    client = _logged_in(facilitator_user)
    listing = client.get(reverse("workshop_list", args=[live.organisation.slug])).content.decode()
    assert f'action="{_delete_url(live)}"' in listing
    console = client.get(
        reverse("workshop_console", args=[live.organisation.slug, live.public_id])
    ).content.decode()
    assert f'action="{_delete_url(live)}"' in console
    assert 'name="confirm" value="yes"' in console
    services.next_step(live, actor=facilitator_user)
    listing = client.get(reverse("workshop_list", args=[live.organisation.slug])).content.decode()
    assert _delete_url(live) not in listing
    console = client.get(
        reverse("workshop_console", args=[live.organisation.slug, live.public_id])
    ).content.decode()
    assert _delete_url(live) not in console


@pytest.mark.django_db(transaction=True)
def test_deleting_asks_first_then_deletes_everything_and_tells_the_phones(
    org, facilitator_user, monkeypatch
):
    published = []
    monkeypatch.setattr("realtime.hub.publish", lambda *args: published.append(args))
    session = services.start_session(organisation=org, fmt=mini(), actor=facilitator_user)
    for name in ("Ann", "Bram"):
        services.join_session(code=session.code, name=name)
    client = _logged_in(facilitator_user)
    assert _contents(session)["participants"] == 2

    # Without the confirmation: the page that asks for it, nothing deleted.
    response = client.post(_delete_url(session))
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in response.content.decode()
    assert LiveSession.objects.filter(pk=session.pk).exists()
    published.clear()

    response = client.post(_delete_url(session), {"confirm": "yes"})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop_list", args=[org.slug])
    assert not LiveSession.objects.filter(pk=session.pk).exists()
    assert _contents(session) == {"participants": 0, "events": 0, "timings": 0}
    # The phones in the lobby learn it (after the commit), on the session's channel.
    assert [(p[0], p[2], json.loads(p[3])) for p in published] == [
        (f"session:{session.public_id}", "ended", {"status": "deleted"})
    ]
    # The code no longer joins.
    with pytest.raises(services.DomainError):
        services.join_session(code=session.code, name="Chloé")


def test_a_session_that_started_or_ended_cannot_be_deleted(live, facilitator_user, join):
    join("Ann")
    client = _logged_in(facilitator_user)
    services.next_step(live, actor=facilitator_user)
    before = _contents(live)
    response = client.post(_delete_url(live), {"confirm": "yes"}, follow=True)
    assert response.status_code == 200
    assert "can be deleted" in response.content.decode() or "verwijderd" in (
        response.content.decode()
    )
    assert LiveSession.objects.filter(pk=live.pk).exists()
    assert _contents(live) == before
    services.end_session(live, actor=facilitator_user)
    response = client.post(_delete_url(live), {"confirm": "yes"})
    assert response.status_code == 302
    assert LiveSession.objects.filter(pk=live.pk).exists()


def test_a_reopened_waiting_session_is_still_waiting(live, facilitator_user):
    services.end_session(live, actor=facilitator_user)
    reopen_session(live, actor=facilitator_user)
    live.refresh_from_db()
    assert services.can_delete(live)


@pytest.mark.parametrize(
    ("who", "status"), [("member_user", 403), ("outsider_user", 404), (None, 302)]
)
def test_only_the_organisations_facilitators_delete(request, live, join, who, status):
    join("Ann")
    client = _logged_in(request.getfixturevalue(who)) if who else Client()
    response = client.post(_delete_url(live), {"confirm": "yes"})
    assert response.status_code == status
    assert LiveSession.objects.filter(pk=live.pk).exists()
    assert _contents(live)["participants"] == 1


def test_deleting_needs_post_and_csrf(live, facilitator_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(facilitator_user)
    assert client.get(_delete_url(live)).status_code == 405
    assert client.post(_delete_url(live), {"confirm": "yes"}).status_code == 403
    assert LiveSession.objects.filter(pk=live.pk).exists()


def test_an_admin_deletes_through_the_api(live, admin_user, join):
    join("Ann")
    client, csrf = _api(admin_user)
    response = client.delete(f"/api/v1/sessions/{live.code}", **csrf)
    assert response.status_code == 204, response.content
    assert not LiveSession.objects.filter(pk=live.pk).exists()
    assert Participant.objects.filter(session_id=live.pk).count() == 0
    assert client.delete(f"/api/v1/sessions/{live.code}", **csrf).status_code == 404


def test_the_api_refuses_to_delete_a_running_session_or_anothers(
    live, facilitator_user, outsider_user, member_user, join
):
    _p, _t, participant_client = join("Ann")
    assert participant_client.delete(f"/api/v1/sessions/{live.code}").status_code in (401, 403)
    for user, status in ((outsider_user, 404), (member_user, 403)):
        client, csrf = _api(user)
        assert client.delete(f"/api/v1/sessions/{live.code}", **csrf).status_code == status
    assert LiveSession.objects.filter(pk=live.pk).exists()
    services.next_step(live, actor=facilitator_user)
    client, csrf = _api(facilitator_user)
    response = client.delete(f"/api/v1/sessions/{live.code}", **csrf)
    assert response.status_code == 409
    assert response.json()["code"] == "session_started"
    live.refresh_from_db()
    assert live.status == Status.RUNNING
    assert Participant.objects.filter(session=live).count() == 1
