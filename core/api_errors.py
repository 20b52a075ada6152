"""One shape for every API error: `{"detail": "...", "code": "..."}`.

`detail` is a translated sentence, except for 422 where it is ninja's list of field
errors (each with `loc`, `msg` and `type`). `code` is stable and meant for programs.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import (
    AuthenticationError,
    AuthorizationError,
    HttpError,
    Throttled,
    ValidationError,
)

from .api_parser import BodyRefused
from .bodylimit import limits, too_big_detail
from .errors import DomainError

if TYPE_CHECKING:
    from ninja import NinjaAPI


class ErrorOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        description="A sentence for people; for 422 the list of field errors."
    )
    code: str = Field(description="A stable code for programs, e.g. not_found.")


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Error responses for the OpenAPI schema: `response={200: X, **error_responses(404)}`.

    401 is always possible; every endpoint needs a session or a token.
    """
    return dict.fromkeys((401, *statuses), ErrorOut)


class ApiError(HttpError):
    """An HTTP error with a translated message and a machine-readable code."""

    def __init__(self, status_code: int, message: str, *, code: str) -> None:
        super().__init__(status_code, message)
        self.code = code


def error_response(
    api: NinjaAPI, request: HttpRequest, status: int, detail: Any, code: str
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


def register_error_handlers(api: NinjaAPI) -> None:
    def domain_error(request: HttpRequest, exc: Any) -> HttpResponse:
        response = error_response(api, request, exc.status, exc.message, exc.code)
        if getattr(exc, "retry_after", None):
            response["Retry-After"] = str(exc.retry_after)
        return response

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 404, _("Not found."), "not_found")

    def permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc) or _("You are not allowed to do this.")
        return error_response(api, request, 403, detail, "permission_denied")

    def validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(api, request, 422, exc.errors, "validation_error")

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if isinstance(exc, ApiError):
            return error_response(api, request, exc.status_code, exc.message, exc.code)
        if isinstance(exc, AuthenticationError):
            response = error_response(
                api,
                request,
                401,
                _("Log in or send a valid API token (Authorization: Bearer …)."),
                "not_authenticated",
            )
            response["WWW-Authenticate"] = 'Bearer realm="lerend"'
            return response
        if isinstance(exc, AuthorizationError):
            detail = _("You are not allowed to do this.")
            return error_response(api, request, 403, detail, "permission_denied")
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return body_refused(request, exc.__cause__)
        if isinstance(exc, Throttled):
            detail = _("Too many requests. Try again later.")
            response = error_response(api, request, 429, detail, "throttled")
            response["Retry-After"] = str(math.ceil(exc.wait or 60))
            return response
        return error_response(api, request, exc.status_code, str(exc), "error")

    def body_refused(request: HttpRequest, cause: BaseException | None) -> HttpResponse:
        # The message never repeats the body: it may hold what could not be stored.
        if isinstance(cause, BodyRefused) and cause.status == 415:
            detail = _("Send the request body as JSON (Content-Type: application/json).")
            return error_response(api, request, 415, detail, cause.code)
        if isinstance(cause, BodyRefused) and cause.code == "invalid_text":
            detail = _(
                "The request body contains a character that cannot be stored "
                "(a lone UTF-16 surrogate)."
            )
            return error_response(api, request, 400, detail, cause.code)
        detail = _("The request body is not valid JSON.")
        return error_response(api, request, 400, detail, "invalid_json")

    def too_big(request: HttpRequest, exc: Any) -> HttpResponse:
        limit = limits()[0]  # Django's limit, which leaves a multipart body's files out
        response = api.create_response(
            request,
            {"detail": too_big_detail(limit), "code": "body_too_large", "limit": limit},
            status=413,
        )
        return response

    def suspicious(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = _("The request cannot be read.")
        return error_response(api, request, 400, detail, "bad_request")

    def bad_multipart(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = _("The request body is not valid multipart/form-data.")
        return error_response(api, request, 400, detail, "invalid_multipart")

    api.add_exception_handler(MultiPartParserError, bad_multipart)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(SuspiciousOperation, suspicious)
    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
