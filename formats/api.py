"""The format library over the JSON API (/api/v1/formats...), read-only.

A caller sees the built-in formats and the formats of the organisations they are a member
of; `?organisation=<slug>` narrows that to one organisation (404 if the caller is not in
it). Formats are named by slug or UUID; a slug means the organisation's own format before
a built-in one with the same slug. Changes go through the web pages (formats.services).
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.models import User
from core.api_errors import ApiError, error_responses
from orgs.access import get_membership
from orgs.models import Membership

from . import library, schema
from .models import Format
from .timing import TimingWarning

router = Router(tags=["formats"])


class DurationOut(Schema):
    low: int = Field(description="Minutes, the lower end of a range.")
    high: int = Field(description="Minutes, the upper end (equal to low when exact).")


class ComputedDurationOut(DurationOut):
    complete: bool = Field(description="False when some phase has no known duration.")


class WarningOut(Schema):
    code: str = Field(description="e.g. phases_exceed_duration, steps_exceed_phase.")
    severity: str = Field(description="warning (too long) or notice (time left unplanned).")
    message: str
    planned: DurationOut
    actual: DurationOut
    phase: int | None = Field(None, description="The phase, numbered from 1.")
    step: int | None = Field(None, description="The step in its phase, numbered from 1.")


class FormatOut(Schema):
    id: uuid.UUID
    slug: str
    title: str
    organisation: str | None = Field(description="The owner's slug; null for a built-in.")
    builtin: bool
    language: str
    summary: str
    audiences: list[str]
    themes: list[str]
    kinds: list[str] = Field(description="The kinds of activity in the format, in order.")
    version: int
    duration: DurationOut | None = Field(description="The declared duration.")
    duration_is_maximum: bool
    computed_duration: ComputedDurationOut | None = Field(description="What the phases add up to.")
    warnings: list[WarningOut]


class FormatDetailOut(FormatOut):
    content: schema.Format = Field(description="The whole format, as in an exported file.")


class FormatQuery(Schema):
    organisation: str | None = Field(None, description="Only this organisation's library.")


def _duration(value: schema.Duration | None) -> dict[str, int] | None:
    return None if value is None else {"low": value.low, "high": value.high}


def _warning(w: TimingWarning) -> dict[str, Any]:
    return {
        "code": w.code,
        "severity": w.severity,
        "message": w.message,
        "planned": _duration(w.planned),
        "actual": _duration(w.actual),
        "phase": None if w.phase_index is None else w.phase_index + 1,
        "step": None if w.step_index is None else w.step_index + 1,
    }


def format_out(item: library.Entry) -> dict[str, Any]:
    fmt, content = item.format, item.content
    total = item.timing.total
    computed = None
    if total.known is not None:
        computed = {**(_duration(total.known) or {}), "complete": total.complete}
    return {
        "id": fmt.public_id,
        "slug": fmt.slug,
        "title": fmt.title,
        "organisation": fmt.organisation.slug if fmt.organisation else None,
        "builtin": fmt.is_builtin,
        "language": content.language,
        "summary": content.summary,
        "audiences": [a.value for a in content.audiences],
        "themes": list(content.themes),
        "kinds": item.kinds,
        "version": fmt.current_version.number if fmt.current_version else 0,
        "duration": _duration(content.duration),
        "duration_is_maximum": content.duration_is_maximum,
        "computed_duration": computed,
        "warnings": [_warning(w) for w in item.warnings],
    }


def _caller(request: HttpRequest) -> User:
    return cast(User, request.user)


def _visible(request: HttpRequest, organisation: str | None) -> Any:
    """The formats the caller sees, all organisations or the one asked for."""
    user = _caller(request)
    base = Format.objects.select_related("current_version", "organisation").filter(
        current_version__isnull=False
    )
    if organisation:
        membership = get_membership(user, organisation)
        return base.filter(Q(is_builtin=True) | Q(organisation=membership.organisation))
    organisations = Membership.objects.filter(user=user, user__is_active=True).values(
        "organisation_id"
    )
    return base.filter(Q(is_builtin=True) | Q(organisation_id__in=organisations))


@router.get(
    "",
    response={200: list[FormatOut], **error_responses(404)},
    summary="The format library",
    description="Built-in formats and your organisations' own, with their computed durations "
    "and timing warnings. Own formats come first.",
)
def list_formats(request: HttpRequest, filters: Query[FormatQuery]) -> list[dict[str, Any]]:
    formats = _visible(request, filters.organisation)
    entries = [library.entry(fmt) for fmt in formats]
    entries.sort(key=lambda e: (e.format.is_builtin, e.format.title.casefold(), e.format.pk))
    return [format_out(e) for e in entries]


@router.get(
    "/{slug}",
    response={200: FormatDetailOut, **error_responses(404, 409)},
    summary="One format, whole",
    description="By slug or id. A slug names your organisation's own format before a "
    "built-in one; when several of your organisations have a format with that slug, add "
    "?organisation=<slug>.",
)
def get_format(request: HttpRequest, slug: str, filters: Query[FormatQuery]) -> dict[str, Any]:
    ref = slug
    formats = _visible(request, filters.organisation)
    try:
        public_id = uuid.UUID(ref)
    except ValueError:
        own = list(formats.filter(is_builtin=False, slug=ref)[:2])
        if len(own) > 1:
            raise ApiError(
                409,
                _("Several of your organisations have a format “%(slug)s”: add ?organisation=.")
                % {"slug": ref},
                code="ambiguous",
            ) from None
        found = own[0] if own else formats.filter(is_builtin=True, slug=ref).first()
    else:
        found = formats.filter(public_id=public_id).first()
    if found is None:
        raise ApiError(404, _("Not found."), code="not_found")
    item = library.entry(found)
    return {**format_out(item), "content": item.content}
