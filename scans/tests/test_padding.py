"""Padding a small team through its link (issue 9, attack 1): refused beyond the
headcount, refused from the same device, and said where it remains possible."""

from __future__ import annotations

import hashlib
import json
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from scans import services
from scans.models import Counter, Response, ScanSlip

from .conftest import node, seed_answers
from .test_api import body, call
from .test_views import post_answers


def device() -> str:
    return secrets.token_urlsafe(16)


def live_total(campaign, name: str) -> int:
    row = Counter.objects.filter(
        campaign=campaign, node=node(campaign, name), question="", option=""
    ).first()
    return row.n if row else 0


def test_the_padding_attack_is_refused_beyond_the_headcount(campaign, teams, admin_user):
    # Team Two has 2 people (and the admin says so); the minimum is 5.
    teams["winkel"].headcount = 2
    teams["winkel"].save()
    for _ in range(2):  # the two real respondents
        assert call(Client(), "post", "/responses", _to(campaign, "Winkel")).status_code == 201
    # Three made-up responses, each from a "new device": all refused.
    for _ in range(3):
        refused = call(Client(), "post", "/responses", _to(campaign, "Winkel"))
        assert refused.status_code == 409
        assert refused.json()["code"] == "headcount_reached"
    assert Response.objects.filter(campaign=campaign, node=node(campaign, "Winkel")).count() == 2
    assert live_total(campaign, "Winkel") == 2
    # So Team Two never reaches the minimum and stays hidden.
    client = Client()
    client.force_login(admin_user)
    data = client.get(f"/api/v1/campaigns/{campaign.public_id}/report").json()
    winkel = next(f for f in data["nodes"] if f["name"] == "Winkel")
    assert winkel["visible"] is False and winkel["respondents"] is None


def test_the_form_says_the_team_has_answered(campaign, teams):
    teams["winkel"].headcount = 1
    teams["winkel"].save()
    url = f"/s/{node(campaign, 'Winkel').code}/"
    assert post_answers(Client(), url).status_code == 200
    refused = post_answers(Client(), url)
    assert refused.status_code == 409
    assert "people" in refused.content.decode() or "mensen" in refused.content.decode()
    assert Response.objects.filter(campaign=campaign).count() == 1


def _to(campaign, team: str, **extra):
    extra.setdefault("device_key", device())
    return {**body(campaign, **extra), "code": node(campaign, team).code}


def test_a_second_response_from_the_same_device_replaces_the_first(campaign):
    key = device()
    first = _to(campaign, "Bakkerij", device_key=key)
    assert call(Client(), "post", "/responses", first).status_code == 201
    # Again, without asking to replace: refused, nothing stored.
    again = {**first, "client_key": secrets.token_urlsafe(16)}
    refused = call(Client(), "post", "/responses", again)
    assert refused.status_code == 409 and refused.json()["code"] == "already_answered"
    assert Response.objects.filter(campaign=campaign).count() == 1
    # Asking to replace: the earlier answers are replaced, counters adjusted together.
    changed = {
        **again,
        "answers": seed_answers(**{"toegang-informatie": "nee"}),
        "replace": True,
    }
    replaced = call(Client(), "post", "/responses", changed)
    assert replaced.status_code == 201 and replaced.json()["replaced"] is True
    bakkerij = node(campaign, "Bakkerij")
    live = Response.objects.filter(campaign=campaign, superseded=False)
    assert live.count() == 1
    counts = dict(
        Counter.objects.filter(
            campaign=campaign, node=bakkerij, question__in=["", "toegang-informatie"]
        ).values_list("option", "n")
    )
    assert counts[""] == 1  # respondents (and answered) still one
    assert counts.get("ja", 0) == 0 and counts["nee"] == 1
    # The same device for another team: refused.
    elsewhere = {**_to(campaign, "Winkel", device_key=key), "replace": True}
    refused = call(Client(), "post", "/responses", elsewhere)
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_answered_elsewhere"
    assert Response.objects.filter(campaign=campaign, superseded=False).count() == 1


def test_the_answer_page_offers_to_change_and_replaces(campaign):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    page = client.get(url)
    assert "lerend_device" in page.cookies
    assert 'id="answered-before"' not in page.content.decode()
    assert post_answers(client, url).status_code == 200
    # The second visit from this device offers to change the answers, and does not show them.
    again = client.get(url).content.decode()
    assert 'id="answered-before"' in again
    assert "Je hebt deze scan al beantwoord op dit toestel" in again  # the campaign's language
    assert 'name="replace" value="1"' in again
    assert (
        post_answers(client, url, replace="1", **{"q-toegang-informatie": "nee"}).status_code == 200
    )
    assert Response.objects.filter(campaign=campaign, superseded=False).count() == 1
    # Without the offer accepted (an old page), a second send asks first.
    asked = post_answers(client, url)
    assert asked.status_code == 409
    assert 'name="replace" value="1"' in asked.content.decode()
    assert Response.objects.filter(campaign=campaign, superseded=False).count() == 1


def test_the_device_key_is_stored_only_as_a_keyed_hash(campaign, admin_user):
    key = device()
    call(Client(), "post", "/responses", _to(campaign, "Bakkerij", device_key=key))
    stored = Response.objects.get().device_hash
    assert stored and key not in stored
    assert stored != hashlib.sha256(key.encode()).hexdigest()
    assert stored == services.device_hash(campaign, key)
    services.close_campaign(campaign, actor=admin_user)
    assert Response.objects.get().device_hash is None


def test_the_set_up_warns_where_padding_stays_possible(client, campaign, teams, admin_user):
    teams["bakkerij"].headcount = 2  # below the minimum of 5: bounded
    teams["bakkerij"].save()
    teams["winkel"].headcount = 12  # enough to pad past the minimum
    teams["winkel"].save()
    client.force_login(admin_user)
    url = reverse("scan_campaign", args=["korenbloem", campaign.public_id])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    items = {
        name: page.split(f"<strong>{name}</strong>")[1].split("</li>")[0]
        for name in ("Bakkerij", "Winkel", "Levering")
    }
    assert "trusts whoever holds it" not in items["Bakkerij"]
    assert "up to the headcount of 12" in items["Winkel"]
    assert "no headcount is set" in items["Levering"]
    assert "Print slips (PDF)" in items["Levering"]
    # Closing a team's open link removes the warning, and the link stops working.
    levering = node(campaign, "Levering")
    client.post(
        reverse("scan_team_link", args=["korenbloem", campaign.public_id, levering.public_id]),
        {"enabled": "0"},
    )
    levering.refresh_from_db()
    assert levering.link_enabled is False
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "no headcount is set" not in page.split("<strong>Levering</strong>")[1].split("</li>")[0]
    assert Client().get(f"/s/{levering.code}/").status_code == 404
    refused = call(Client(), "post", "/responses", _to(campaign, "Levering"))
    assert refused.status_code == 404
    assert not Response.objects.filter(node=levering).exists()


def test_the_report_marks_a_team_answered_through_its_open_link(campaign, admin_user):
    for _ in range(5):
        call(Client(), "post", "/responses", _to(campaign, "Bakkerij"))
    client = Client()
    client.force_login(admin_user)
    data = client.get(f"/api/v1/campaigns/{campaign.public_id}/report").json()
    by_name = {f["name"]: f for f in data["nodes"]}
    assert by_name["Bakkerij"]["open_link"] is True
    assert by_name["Winkel"]["open_link"] is False
    html = client.get(
        reverse("scan_report", args=["korenbloem", campaign.public_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "open link" in html


# --- Single-use slips ------------------------------------------------------------------


def test_slips_print_as_a_pdf_and_each_works_once(client, campaign, admin_user):
    client.force_login(admin_user)
    winkel = node(campaign, "Winkel")
    url = reverse("scan_team_slips", args=["korenbloem", campaign.public_id, winkel.public_id])
    response = client.post(url, {"count": "3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ScanSlip.objects.filter(campaign=campaign, node=winkel).count() == 3
    # The raw codes are only on the sheet: make fresh ones to use here.
    tokens = services.create_slips(campaign, winkel, 2, actor=admin_user)
    assert not ScanSlip.objects.filter(token_hash__in=tokens).exists()  # only hashes stored
    slip_url = f"/s/p/{tokens[0]}/"
    assert Client().get(slip_url).status_code == 200
    assert post_answers(Client(), slip_url).status_code == 200
    # Used: the page says so, and a second send (another device, the API) is refused.
    used = Client(HTTP_ACCEPT_LANGUAGE="en").get(slip_url).content.decode()
    assert "already been used" in used or "al gebruikt" in used
    assert post_answers(Client(), slip_url).status_code == 409
    api = call(
        Client(),
        "post",
        "/responses",
        {"token": tokens[0], "client_key": secrets.token_urlsafe(16), "answers": seed_answers()},
    )
    assert api.status_code == 409 and api.json()["code"] == "token_used"
    assert Response.objects.filter(campaign=campaign, node=winkel).count() == 1
    assert ScanSlip.objects.filter(campaign=campaign, used=True).count() == 1


@pytest.mark.parametrize("count", ["0", "501", "x", ""])
def test_a_wrong_number_of_slips_is_refused(client, campaign, admin_user, count):
    client.force_login(admin_user)
    winkel = node(campaign, "Winkel")
    url = reverse("scan_team_slips", args=["korenbloem", campaign.public_id, winkel.public_id])
    response = client.post(url, {"count": count})
    assert response.status_code == 302
    assert not ScanSlip.objects.exists()


# --- Cross-site posts --------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_responses_accept_only_json(campaign, content_type):
    payload = json.dumps(_to(campaign, "Bakkerij"))
    response = Client().post("/api/v1/responses", data=payload, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Response.objects.exists()


def test_the_answer_form_needs_its_csrf_token(campaign):
    client = Client(enforce_csrf_checks=True)
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    assert post_answers(client, url).status_code == 403
    assert not Response.objects.exists()


# --- Required answers on the page ----------------------------------------------------------


def test_required_answers_are_explained_by_the_server_at_the_field(campaign):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = f"/s/{node(campaign, 'Bakkerij').code}/"
    page = client.get(url).content.decode()
    assert "novalidate" in page and " required>" not in page and " required " not in page
    response = post_answers(client, url, **{"q-toegang-informatie": ""})
    assert response.status_code == 400
    html = response.content.decode()
    # In the campaign's language (Dutch), at the field, and nothing stored.
    assert "field-error" in html and 'aria-invalid="true"' in html
    assert html.count('class="field-error"') == 1
    assert not Response.objects.exists()
