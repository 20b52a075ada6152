from __future__ import annotations

from django.test import Client

from .conftest import go


def test_every_endpoint_is_in_the_schema(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/join",
        "/api/v1/sessions",
        "/api/v1/sessions/{code}/state",
        "/api/v1/sessions/{code}/events",
        "/api/v1/sessions/{code}/notes",
        "/api/v1/sessions/{code}/votes",
        "/api/v1/sessions/{code}/actions",
        "/api/v1/sessions/{code}/next",
        "/api/v1/sessions/{code}/goto",
        "/api/v1/sessions/{code}/groups",
        "/api/v1/sessions/{code}/timer",
        "/api/v1/sessions/{code}/photos",
        "/api/v1/sessions/{code}/end",
        "/api/v1/sessions/{code}/summary",
        "/api/v1/sessions/{code}/summary.pdf",
        "/api/v1/sessions/{code}/summary.md",
    ):
        assert path in paths, path


def test_event_fallback_replays_after_last_event_id(live, join, facilitator_user):
    _p, token, _c = join()
    go(live, "board", actor=facilitator_user)
    client = Client()
    response = client.get(f"/api/v1/sessions/{live.code}/events?token={token}")
    assert response["Content-Type"] == "text/event-stream"
    text = response.content.decode()
    assert text.startswith("retry: 2000")
    ids = [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]
    assert ids and ids == sorted(ids)
    later = client.get(
        f"/api/v1/sessions/{live.code}/events?token={token}", headers={"Last-Event-ID": str(ids[0])}
    ).content.decode()
    assert [int(line[4:]) for line in later.splitlines() if line.startswith("id: ")] == ids[1:]
    assert client.get(f"/api/v1/sessions/{live.code}/events").status_code == 404


def test_facilitator_state_and_timer(live, facilitator_user):
    client = Client()
    client.force_login(facilitator_user)
    client.cookies["csrftoken"] = "x" * 32
    csrf = {"HTTP_X_CSRFTOKEN": "x" * 32}
    assert client.post(f"/api/v1/sessions/{live.code}/next", **csrf).status_code == 200
    response = client.post(
        f"/api/v1/sessions/{live.code}/timer",
        '{"action": "start", "seconds": 90}',
        content_type="application/json",
        **csrf,
    )
    assert response.status_code == 200, response.content
    state = client.get(f"/api/v1/sessions/{live.code}/state").json()
    assert state["timer"]["running"] and state["timer"]["deadline"]
    assert state["step"]["title"] == "Afspraken"
    bad = client.post(
        f"/api/v1/sessions/{live.code}/timer",
        '{"action": "explode"}',
        content_type="application/json",
        **csrf,
    )
    assert bad.status_code == 400
