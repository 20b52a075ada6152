"""The OpenAPI schema states every answer an operation gives (core.openapi)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from ninja.errors import Throttled

from lerend.api import api

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_every_body_and_parameter_has_its_error_answers(schema):
    seen = 0
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        body = operation.get("requestBody", {}).get("content", {})
        if "application/json" in body:
            seen += 1
            assert {"400", "413", "415", "422"} <= set(responses), (method, path)
            ref = responses["413"]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/TooLargeOut")
        if operation.get("parameters"):
            assert "422" in responses, (method, path)
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert "404" in responses, (method, path)
        if operation.get("security"):
            assert {"401", "403"} <= set(responses), (method, path)
        for status, answer in responses.items():
            if status >= "400":
                ref = answer["content"]["application/json"]["schema"]["$ref"]
                # An import refused row by row lists its problems (ErrorOut plus `problems`).
                shapes = {"ErrorOut", "TooLargeOut", "ImportRejectedOut"}
                assert ref.rsplit("/", 1)[-1] in shapes, (method, path)
        if "429" in responses:
            assert "Retry-After" in responses["429"]["headers"], (method, path)
    assert seen >= 17


def test_what_the_code_enforces_is_described(schema):
    join = schema["components"]["schemas"]["JoinIn"]["properties"]["name"]
    assert any(v.get("maxLength") == 60 for v in join.get("anyOf", [join]))
    events = schema["paths"]["/api/v1/sessions/{code}/events"]["get"]
    assert "400" in events["responses"]
    last = next(p for p in events["parameters"] if p["name"] == "last_event_id")
    assert last["description"] and last["schema"]["minimum"] == 0
    report = schema["paths"]["/api/v1/campaigns/{campaign_id}/report"]["get"]
    filter_ = next(p for p in report["parameters"] if p["name"] == "filter")
    assert "question:option" in filter_["description"]


def test_nullable_patch_fields_are_described_as_such(schema):
    patch = schema["components"]["schemas"]["OrganisationPatch"]["properties"]
    for field in ("name", "slug", "language", "anonymity_minimum"):
        assert {"type": "null"} in patch[field]["anyOf"], field
        assert "null" in patch[field]["description"]


def test_pagination_bounds_are_in_the_schema(schema):
    members = schema["paths"]["/api/v1/organisations/{slug}/members"]["get"]
    offset = next(p for p in members["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] == 2**53 - 1 and offset["schema"]["minimum"] == 0


def test_a_throttled_answer_says_when_to_try_again():
    request = RequestFactory().get("/api/v1/me")
    response = api.on_exception(request, Throttled(wait=12.2))
    assert response.status_code == 429
    assert response["Retry-After"] == "13"
