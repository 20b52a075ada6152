"""The API's JSON body parser: JSON only, and only strings that can be stored.

For every operation with a JSON body:

- the body must be sent as `application/json` (or a `+json` type): 415 otherwise, so a
  cross-site form (which can only send form or text/plain bodies) cannot post to the API;
- a lone UTF-16 surrogate anywhere in the body (JSON can spell one, `"\\ud800"`, but no
  database or encoder can store it), in a value or a key: 400, and the answer never
  repeats the text;
- `NaN` and `Infinity`, which are not JSON: 400.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser
from ninja.types import DictStrAny

_SURROGATE = re.compile("[\ud800-\udfff]")


class BodyRefused(ValueError):
    """Why a body was refused; core.api_errors turns it into the error answer."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _refuse_constant(name: str) -> Any:
    raise BodyRefused(400, "invalid_json")


def has_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> DictStrAny:
        # ninja hands the fields of a multipart body over one by one, in a request of its
        # own without headers; the multipart body itself was a real request.
        if "REQUEST_METHOD" in request.META and not _is_json(request.content_type or ""):
            raise BodyRefused(415, "unsupported_media_type")
        data = json.loads(request.body, parse_constant=_refuse_constant)
        if has_surrogate(data):
            raise BodyRefused(400, "invalid_text")
        return cast(DictStrAny, data)
