"""The OpenAPI schema tells the truth: the answers every operation can give.

Some answers do not depend on the operation but on what it takes, and are added here for
all of them, with the error shape (`ErrorOut`):

- a JSON body: 400 (not JSON, or a lone surrogate: core.api_parser), 413 (over the body
  limit, with the limit: core.bodylimit), 415 (not sent as JSON) and 422;
- a multipart body: 400 (not valid multipart), 413 and 422;
- any parameter (path or query): 422;
- a path parameter: 404 (nothing with that id, or another organisation's);
- any credentials: 401, and 403 (an admin without a second factor, a session without its
  CSRF token, a role that is too low);
- a 429: its `Retry-After` header.

`describe` adds what an operation's own code cannot state in its signature.
"""

from __future__ import annotations

import copy
from typing import Any

ERROR_REF = "#/components/schemas/ErrorOut"
TOO_LARGE_REF = "#/components/schemas/TooLargeOut"

DESCRIPTIONS = {
    "400": "The body is not JSON, or holds a character that cannot be stored.",
    "401": "No valid credentials.",
    "403": "Not allowed: a role too low, an admin without a second factor, or a session "
    "request without its CSRF token.",
    "404": "Not found (or another organisation's).",
    "409": "Conflict with the current state.",
    "413": "The body is over the limit (stated in bytes).",
    "415": "The body is not sent as application/json.",
    "422": "A field is missing or invalid: `detail` lists each error.",
    "429": "Too many requests: try again after `Retry-After` seconds.",
}

TOO_LARGE_SCHEMA = {
    "title": "TooLargeOut",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "code": {"type": "string", "title": "Code", "description": "body_too_large"},
        "limit": {"type": "integer", "title": "Limit", "description": "The limit, in bytes."},
    },
    "required": ["detail", "code", "limit"],
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _error(status: str, ref: str = ERROR_REF) -> dict[str, Any]:
    return {
        "description": DESCRIPTIONS.get(status, "Error"),
        "content": {"application/json": {"schema": {"$ref": ref}}},
    }


def _add(responses: dict[str, Any], status: str, ref: str = ERROR_REF) -> None:
    if status not in responses:
        responses[status] = _error(status, ref)


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    schema = copy.deepcopy(schema)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("TooLargeOut", TOO_LARGE_SCHEMA)
    for _path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            # ninja keys the answers by int; JSON (and this module) by string.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            parameters = operation.get("parameters", [])
            body = operation.get("requestBody", {}).get("content", {})
            if "application/json" in body:
                for status in ("400", "415", "422"):
                    _add(responses, status)
                responses["413"] = _error("413", TOO_LARGE_REF)
            elif body:
                for status in ("400", "422"):
                    _add(responses, status)
                responses["413"] = _error("413", TOO_LARGE_REF)
            if parameters:
                _add(responses, "422")
            if any(p.get("in") == "path" for p in parameters):
                _add(responses, "404")
            if operation.get("security"):
                _add(responses, "401")
                _add(responses, "403")
            if "429" in responses:
                responses["429"].setdefault("headers", {}).update(RETRY_AFTER)
    describe(schema)
    return schema


def _operation(schema: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    return schema.get("paths", {}).get(path, {}).get(method)


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in operation.get("parameters", []) if p.get("name") == name), None)


def describe(schema: dict[str, Any]) -> None:
    """What the code of these operations enforces without saying so in its signature."""
    components = schema.get("components", {}).get("schemas", {})
    # The join name: workshops.services.NAME_MAX_LENGTH.
    join = components.get("JoinIn", {}).get("properties", {}).get("name")
    if join is not None:
        for variant in join.get("anyOf", [join]):
            if variant.get("type") == "string":
                variant.setdefault("maxLength", 60)
        join.setdefault("description", "Optional display name, at most 60 characters.")

    # The live event stream, answered by realtime/asgi.py.
    events = _operation(schema, "/api/v1/sessions/{code}/events", "get")
    if events is not None:
        responses = events["responses"]
        responses.setdefault("400", _error("400"))
        responses["400"]["description"] = "Last-Event-ID (or last_event_id) is not a number."
        parameter = _parameter(events, "last_event_id")
        if parameter is not None:
            parameter["description"] = (
                "The id of the last event seen (as the Last-Event-ID header, which wins): "
                "the stream starts with the events after it; 0 for all that are kept."
            )
            parameter["schema"].update({"minimum": 0, "maximum": 10**18 - 1})

    # The scan report's filter.
    report = _operation(schema, "/api/v1/campaigns/{campaign_id}/report", "get")
    if report is not None:
        parameter = _parameter(report, "filter")
        if parameter is not None:
            parameter["description"] = (
                "`question:option`: only the respondents who gave that answer to a yes/no "
                "or single-choice question (question and option keys from `questions`). "
                "Groups with fewer such respondents than the minimum stay hidden; free "
                "texts are left out. An unknown question or option: 400."
            )
        team = _parameter(report, "team")
        if team is not None:
            team["description"] = "A group's id from `nodes`; leave out for the organisation."
