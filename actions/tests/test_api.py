from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from actions.models import Action, Conversation, Status

from .conftest import key, login, membership_id

PATHS = [
    "/api/v1/actions",
    "/api/v1/actions/{action_id}",
    "/api/v1/actions/{action_id}/notes",
    "/api/v1/actions/{action_id}/status",
    "/api/v1/actions/link/{token}",
    "/api/v1/actions/link/{token}/progress",
    "/api/v1/conversations",
    "/api/v1/conversations/{conversation_id}",
    "/api/v1/conversations/{conversation_id}/cancel",
]


def test_every_endpoint_is_in_the_schema_with_its_errors(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in PATHS:
        assert path in paths, path
        for method, operation in paths[path].items():
            codes = set(operation["responses"])
            assert "404" in codes, (path, method)
            if method in ("post", "patch") and not path.endswith("/cancel"):
                assert "422" in codes, (path, method)


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_create_read_list_with_replay(org, facilitator_user, owner_user, team):
    client = login(facilitator_user)
    k = key()
    body = {
        "organisation": org.slug,
        "text": "Opleidingsplan",
        "owner": membership_id(owner_user, org),
        "due_date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "evaluation_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
        "theme": "route",
        "team": str(team.public_id),
        "client_key": k,
    }
    first = post(client, "/api/v1/actions", body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["warnings"] and data["owner"] == membership_id(owner_user, org)
    assert data["history"][0]["kind"] == "created"
    again = post(client, "/api/v1/actions", body | {"text": "Anders"})
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Action.objects.count() == 1
    one = client.get(f"/api/v1/actions/{data['id']}")
    assert one.status_code == 200 and one.json()["text"] == "Opleidingsplan"
    listing = client.get(f"/api/v1/actions?organisation={org.slug}&theme=route&limit=10")
    assert listing.status_code == 200
    assert listing.json()["count"] == 1
    item = listing.json()["items"][0]
    assert item["id"] == data["id"] and item["team"] == str(team.public_id)
    assert item["owner"] == membership_id(owner_user, org)
    empty = client.get(f"/api/v1/actions?organisation={org.slug}&status=done")
    assert empty.json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"text": ""}, 422),
        ({"text": "x" * 501}, 422),
        ({"text": "a\u0000b"}, 422),
        ({"theme": "nope"}, 422),
        ({"owner": "00000000-0000-0000-0000-000000000000"}, 400),
        ({"due_date": "2999-01-01"}, 400),
        ({"unknown": 1}, 422),
    ],
)
def test_bad_creates_store_nothing(org, facilitator_user, change, status):
    body = {"organisation": org.slug, "text": "ok"} | change
    response = post(login(facilitator_user), "/api/v1/actions", body)
    assert response.status_code == status, response.content
    assert "code" in response.json()
    assert Action.objects.count() == 0


def test_api_permissions(org, agreement, owner_user, member_user, outsider_user, admin_user):
    url = f"/api/v1/actions/{agreement.public_id}"
    assert Client().get(url).status_code == 401
    assert login(outsider_user).get(url).status_code == 404
    assert login(member_user).get(url).status_code == 404
    assert login(owner_user).get(url).status_code == 200
    assert login(admin_user).get(url).status_code == 200
    assert (
        post(
            login(member_user), "/api/v1/actions", {"organisation": org.slug, "text": "x"}
        ).status_code
        == 403
    )
    assert (
        post(
            login(outsider_user), "/api/v1/actions", {"organisation": org.slug, "text": "x"}
        ).status_code
        == 404
    )
    assert patch(login(owner_user), url, {"text": "Nee"}).status_code == 404
    assert post(login(outsider_user), url + "/status", {"status": "done"}).status_code == 404
    agreement.refresh_from_db()
    assert agreement.text == "Opleidingsbudget bespreken" and agreement.status == Status.OPEN
    listing = login(member_user).get(f"/api/v1/actions?organisation={org.slug}")
    assert listing.json()["count"] == 0
    listing = login(owner_user).get(f"/api/v1/actions?organisation={org.slug}")
    assert listing.json()["count"] == 1


def test_notes_status_and_patch(org, agreement, owner_user, facilitator_user):
    url = f"/api/v1/actions/{agreement.public_id}"
    owner = login(owner_user)
    assert post(owner, url + "/notes", {"note": "Begonnen"}).status_code == 201
    assert post(owner, url + "/status", {"status": "done"}).status_code == 200
    reopen = post(owner, url + "/status", {"status": "open"})
    assert reopen.status_code == 400 and reopen.json()["code"] == "note_required"
    assert post(owner, url + "/status", {"status": "bogus"}).status_code == 422
    changed = patch(login(facilitator_user), url, {"text": "Nieuw", "due_date": None})
    assert changed.status_code == 200 and changed.json()["text"] == "Nieuw"
    agreement.refresh_from_db()
    assert agreement.status == Status.DONE and agreement.text == "Nieuw"
    kinds = [e["kind"] for e in login(owner_user).get(url).json()["history"]]
    assert kinds == ["created", "note", "status", "updated"]


def test_personal_action_through_its_token_only(org, personal, facilitator_user):
    action, raw = personal
    assert login(facilitator_user).get(f"/api/v1/actions/{action.public_id}").status_code == 404
    listing = login(facilitator_user).get(f"/api/v1/actions?organisation={org.slug}").json()
    assert listing["count"] == 0
    anon = Client()
    assert anon.get(f"/api/v1/actions/link/{raw}").json()["text"] == action.text
    done = post(anon, f"/api/v1/actions/link/{raw}/progress", {"status": "done"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert anon.get("/api/v1/actions/link/lma_nope").status_code == 404


def test_conversations_api(org, facilitator_user, admin_user, agreement, run_on_commit):
    client = login(facilitator_user)
    k = key()
    body = {
        "organisation": org.slug,
        "employee_email": "sara@example.test",
        "starts_at": (timezone.now() + timedelta(days=28)).isoformat(),
        "action": str(agreement.public_id),
        "client_key": k,
    }
    made = post(client, "/api/v1/conversations", body)
    assert made.status_code == 201, made.content
    cid = made.json()["id"]
    assert post(client, "/api/v1/conversations", body).status_code == 200
    assert Conversation.objects.count() == 1 and len(mail.outbox) == 1
    past = body | {
        "client_key": key(),
        "starts_at": (timezone.now() - timedelta(hours=1)).isoformat(),
    }
    refused = post(client, "/api/v1/conversations", past)
    assert refused.status_code == 400 and refused.json()["code"] == "in_past"
    url = f"/api/v1/conversations/{cid}"
    assert login(admin_user).get(url).status_code == 404
    later = (timezone.now() + timedelta(days=30)).isoformat()
    moved = patch(client, url, {"starts_at": later})
    assert moved.status_code == 200 and moved.json()["sequence"] == 1
    noted = patch(client, url, {"answers": {"help": "Een coach"}, "held": True})
    assert noted.json()["answers"]["help"] == "Een coach" and noted.json()["status"] == "held"
    cancelled = post(client, url + "/cancel", {})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 2
    assert len(mail.outbox) == 3
    listing = client.get(f"/api/v1/conversations?organisation={org.slug}").json()
    assert listing["count"] == 1
    assert (
        login(admin_user).get(f"/api/v1/conversations?organisation={org.slug}").json()["count"] == 0
    )
