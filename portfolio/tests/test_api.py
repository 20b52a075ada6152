"""The owner's portfolio over /api/v1/me/portfolio/: owner only, bad input, idempotency."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from portfolio.models import Entry, Share

from .conftest import add_entry, pdf_bytes, upload

BASE = "/api/v1/me/portfolio"


def bearer(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, path, data, **headers):
    return client.post(
        f"{BASE}{path}", json.dumps(data), content_type="application/json", **headers
    )


@pytest.fixture
def auth(owner):
    return bearer(owner)


def test_create_list_get_update_delete(client, owner, auth):
    response = post(client, "/entries", {"kind": "today", "answers": {"what": "API leren"}}, **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["title"] == "API leren"
    entry = Entry.objects.get(public_id=body["id"])
    assert entry.owner == owner

    assert [e["id"] for e in client.get(f"{BASE}/entries", **auth).json()] == [body["id"]]
    assert client.get(f"{BASE}/entries?q=api", **auth).json()[0]["id"] == body["id"]
    assert client.get(f"{BASE}/entries?q=niets", **auth).json() == []

    response = client.put(
        f"{BASE}/entries/{body['id']}",
        json.dumps({"title": "Anders", "answers": {"what": "Nieuw"}}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert (entry.title, entry.answers) == ("Anders", {"what": "Nieuw"})

    assert client.delete(f"{BASE}/entries/{body['id']}", **auth).status_code == 204
    assert not Entry.objects.exists()


def test_a_replayed_create_gives_the_first_result(client, owner, auth):
    first = post(
        client,
        "/entries",
        {"kind": "today", "answers": {"what": "Eén"}},
        HTTP_IDEMPOTENCY_KEY="abc",
        **auth,
    )
    again = post(
        client,
        "/entries",
        {"kind": "today", "answers": {"what": "Twee"}},
        HTTP_IDEMPOTENCY_KEY="abc",
        **auth,
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Entry.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"kind": "today", "answers": {"what": "x" * 10_001}}, 422),
        ({"kind": "today", "answers": {"what": "   "}}, 400),
        ({"kind": "today", "answers": {"what": "a\x00b"}}, 422),
        ({"kind": "today", "answers": {"what": "\ud800"}}, 400),  # refused by the parser
        ({"kind": "nonsense", "answers": {}}, 422),
        ({"kind": "today", "answers": {"unknown": "x"}}, 400),
        ({"kind": "activity", "title": "Cursus", "hours": -1}, 422),
        ({"kind": "activity", "title": "Cursus", "hours": "NaN"}, 422),
        ({"kind": "today", "title": "x", "answers": {"what": 5}}, 422),
        ({"kind": "today", "title": "a\nb"}, 422),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(client, auth, payload, status):
    response = post(client, "/entries", payload, **auth)
    assert response.status_code == status, response.content
    assert "code" in response.json()
    assert not Entry.objects.exists()


def test_a_future_date_where_the_past_is_meant_is_refused(client, auth):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = post(
        client, "/entries", {"kind": "activity", "title": "Cursus", "occurred_on": tomorrow}, **auth
    )
    assert response.status_code == 400
    assert response.json()["code"] == "future_date"
    assert not Entry.objects.exists()


def test_a_body_that_is_not_json_is_refused(client, auth):
    response = client.post(f"{BASE}/entries", b"{nope", content_type="application/json", **auth)
    assert response.status_code in (400, 422)
    assert not Entry.objects.exists()


def test_certificates_over_the_api(client, owner, auth):
    entry = add_entry(owner, kind="activity", title="EHBO")
    response = client.post(
        f"{BASE}/entries/{entry.public_id}/certificate",
        {"file": upload("a.pdf", pdf_bytes())},
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["certificate"]["content_type"] == "application/pdf"
    download = client.get(f"{BASE}/entries/{entry.public_id}/certificate", **auth)
    assert b"".join(download.streaming_content) == pdf_bytes()

    bad = client.post(
        f"{BASE}/entries/{entry.public_id}/certificate", {"file": upload("a.pdf", b"nope")}, **auth
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "file_type"
    goal = add_entry(owner, kind="goal", title="Doel")
    wrong_kind = client.post(
        f"{BASE}/entries/{goal.public_id}/certificate",
        {"file": upload("a.pdf", pdf_bytes())},
        **auth,
    )
    assert wrong_kind.status_code == 400
    goal.refresh_from_db()
    assert not goal.certificate


def test_shares_over_the_api(client, owner, auth):
    entry = add_entry(owner)
    response = post(
        client,
        "/shares",
        {"target": "entry", "entry": str(entry.public_id), "recipient": "Coach"},
        **auth,
    )
    assert response.status_code == 201, response.content
    share = response.json()
    assert share["url"].startswith("http")
    replay = post(
        client,
        "/shares",
        {"target": "summary", "recipient": "X"},
        HTTP_IDEMPOTENCY_KEY="s1",
        **auth,
    )
    again = post(
        client,
        "/shares",
        {"target": "summary", "recipient": "Y"},
        HTTP_IDEMPOTENCY_KEY="s1",
        **auth,
    )
    assert (replay.status_code, again.status_code) == (201, 200)
    assert again.json()["url"] == replay.json()["url"]

    path = share["url"].split("8000", 1)[1]
    client.get(path)
    views = client.get(f"{BASE}/shares/{share['id']}", **auth).json()["views"]
    assert len(views) == 1

    revoked = client.post(f"{BASE}/shares/{share['id']}/revoke", **auth)
    assert revoked.json()["revoked_at"] is not None
    assert client.get(path).status_code == 404
    assert Share.objects.get(public_id=share["id"]).revoked_at is not None

    bad = post(
        client,
        "/shares",
        {"target": "entry", "entry": str(entry.public_id), "recipient": "C", "days": 0},
        **auth,
    )
    assert bad.status_code == 422


def test_another_users_objects_are_404_also_for_an_admin_of_the_same_organisation(
    client, owner, admin_user, manager, member_user
):
    entry = add_entry(owner)
    share = post(
        client,
        "/shares",
        {"target": "entry", "entry": str(entry.public_id), "recipient": "C"},
        **bearer(owner),
    ).json()
    for other in (admin_user, manager, member_user):
        headers = bearer(other)
        assert client.get(f"{BASE}/entries/{entry.public_id}", **headers).status_code == 404
        assert (
            client.put(
                f"{BASE}/entries/{entry.public_id}",
                json.dumps({"title": "Gekaapt"}),
                content_type="application/json",
                **headers,
            ).status_code
            == 404
        )
        assert client.delete(f"{BASE}/entries/{entry.public_id}", **headers).status_code == 404
        assert client.get(f"{BASE}/shares/{share['id']}", **headers).status_code == 404
        assert client.post(f"{BASE}/shares/{share['id']}/revoke", **headers).status_code == 404
        assert (
            post(
                client,
                "/shares",
                {"target": "entry", "entry": str(entry.public_id), "recipient": "x"},
                **headers,
            ).status_code
            == 404
        )
        assert client.get(f"{BASE}/entries", **headers).json() == []
        assert client.get(f"{BASE}/export", **headers).json()["entries"] == []
    entry.refresh_from_db()
    assert entry.title == "Leren plannen"
    assert Share.objects.get().revoked_at is None
    assert Share.objects.count() == 1


def test_without_credentials_every_endpoint_is_401(client, owner):
    entry = add_entry(owner)
    for method, path in [
        ("get", "/entries"),
        ("get", f"/entries/{entry.public_id}"),
        ("get", "/shares"),
        ("get", "/export"),
        ("get", "/conversations"),
    ]:
        assert getattr(client, method)(f"{BASE}{path}").status_code == 401


def test_every_endpoint_is_in_the_openapi_schema_with_its_errors(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/me/portfolio")}
    expected = {
        "/api/v1/me/portfolio/kinds",
        "/api/v1/me/portfolio/entries",
        "/api/v1/me/portfolio/entries/{public_id}",
        "/api/v1/me/portfolio/entries/{public_id}/certificate",
        "/api/v1/me/portfolio/shares",
        "/api/v1/me/portfolio/shares/{public_id}",
        "/api/v1/me/portfolio/shares/{public_id}/revoke",
        "/api/v1/me/portfolio/conversations",
        "/api/v1/me/portfolio/conversations/{public_id}",
        "/api/v1/me/portfolio/conversations/{public_id}/answers",
        "/api/v1/me/portfolio/export",
        "/api/v1/me/portfolio/import",
    }
    assert set(paths) == expected
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], (method, path)
            if "{public_id}" in path:
                assert "404" in operation["responses"], (method, path)
            if method in ("post", "put") and not path.endswith("revoke"):
                assert {"400", "422"} & set(operation["responses"]), (method, path)


def test_conversations_over_the_api(client, owner, auth, manager):
    from portfolio import services

    conversation = services.create_conversation(
        owner=owner, title="Gesprek", questions="Wat?\nHoe?", actor=owner
    )
    entry = add_entry(owner)
    listed = client.get(f"{BASE}/conversations", **auth).json()
    assert [c["id"] for c in listed] == [str(conversation.public_id)]
    response = client.put(
        f"{BASE}/conversations/{conversation.public_id}/answers",
        json.dumps({"answers": ["Dit", "Zo"], "entries": [str(entry.public_id)]}),
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    conversation.refresh_from_db()
    assert conversation.answers == ["Dit", "Zo"]
    assert list(conversation.entries.all()) == [entry]

    too_many = client.put(
        f"{BASE}/conversations/{conversation.public_id}/answers",
        json.dumps({"answers": ["a", "b", "c"]}),
        content_type="application/json",
        **auth,
    )
    assert too_many.status_code == 400
    theirs = add_entry(manager, title="Van een ander")
    foreign = client.put(
        f"{BASE}/conversations/{conversation.public_id}/answers",
        json.dumps({"answers": ["x"], "entries": [str(theirs.public_id)]}),
        content_type="application/json",
        **auth,
    )
    assert foreign.status_code == 404
    assert (
        client.get(f"{BASE}/conversations/{conversation.public_id}", **bearer(manager)).status_code
        == 404
    )
    conversation.refresh_from_db()
    assert conversation.answers == ["Dit", "Zo"]


def test_import_over_the_api(client, owner, auth):
    from portfolio import exports

    add_entry(owner, title="Bewaard")
    data = exports.to_json(owner)
    Entry.objects.all().delete()
    response = client.post(f"{BASE}/import", {"file": upload("x.json", data)}, **auth)
    assert response.status_code == 200, response.content
    assert response.json() == {"entries": 1, "conversations": 0, "skipped": 0}
    assert Entry.objects.get(owner=owner).title == "Bewaard"
    bad = client.post(f"{BASE}/import", {"file": upload("x.json", b"nope")}, **auth)
    assert bad.status_code == 400
    assert bad.json()["code"] == "import_invalid"


def test_an_oversized_body_is_refused_and_nothing_is_stored(client, auth):
    body = json.dumps({"kind": "today", "answers": {"what": "x" * 3_000_000}})
    response = client.post(f"{BASE}/entries", body, content_type="application/json", **auth)
    assert response.status_code in (400, 413)
    assert not Entry.objects.exists()
