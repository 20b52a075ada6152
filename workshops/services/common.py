"""What every service shares: the transaction, the session lock, input checks."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import atomic
from core.errors import DomainError
from core.text import TextError, clean_name, clean_text

from ..models import LiveSession, Status, StepRef

T = TypeVar("T")

IMMUTABLE_FIELDS = frozenset({"content"})
"""Fields a session never changes after it was created (the copy of its format)."""
_SESSION_FIELDS = tuple(
    f.attname
    for f in LiveSession._meta.concrete_fields
    if not f.primary_key and f.attname not in IMMUTABLE_FIELDS
)
"""Every other stored field: `locked` refreshes all of them, also ones added later."""

_batch = threading.local()


@contextmanager
def batch_locks() -> Iterator[dict[int, LiveSession]]:
    """Within one transaction of many jobs (the writer's batch) a session is locked and
    refreshed once; clear the mapping when a job's savepoint is rolled back (PostgreSQL
    releases a row lock taken inside a savepoint that is rolled back)."""
    held: dict[int, LiveSession] = {}
    _batch.held = held
    try:
        yield held
    finally:
        del _batch.held


__all__ = ["Result", "atomic", "locked"]


@dataclass
class Result(Generic[T]):
    value: T
    created: bool


def batch_session(code: str) -> LiveSession | None:
    """The open session of this code that the writer's batch holds locked already, if any:
    a room joining at once then costs one session look-up per batch, not one per phone."""
    held = getattr(_batch, "held", None) or {}
    return next((s for s in held.values() if s.code == code and s.status != Status.ENDED), None)


def in_batch() -> bool:
    """Whether this runs inside the writer's batch (which holds the write lock)."""
    return getattr(_batch, "held", None) is not None


def locked(session: LiveSession) -> LiveSession:
    """Lock the session row for this transaction and refresh what we hold of it."""
    held = getattr(_batch, "held", None)
    if held is not None and session.pk in held:
        known = held[session.pk]
        if known is not session:
            # Another object of the same row: it takes what the batch's last one holds
            # (which the batch's jobs changed), and is the last one from now on.
            for name in _SESSION_FIELDS:
                setattr(session, name, getattr(known, name))
            held[session.pk] = session
        return session
    rows = (
        LiveSession.objects.select_for_update()
        .defer(*IMMUTABLE_FIELDS)  # its fields are copied below, not its related objects
        .filter(pk=session.pk)
        .order_by()  # one row by its key: no ORDER BY to compile (a sixth of the look-up)
    )
    fresh = next(iter(rows), None)
    if fresh is None:  # deleted while waiting (a phone or a cache still held it)
        raise DomainError(_("There is no such session."), code="not_found", status=404)
    for name in _SESSION_FIELDS:
        setattr(session, name, getattr(fresh, name))
    if held is not None:
        held[session.pk] = session
    return session


def touch(session: LiveSession, *fields: str) -> None:
    """Store these fields of the session and mark it active.

    One UPDATE of exactly these columns, as `save(update_fields=...)` would send, without
    its signals and query building: a room joining at once runs this once per phone, and
    `save()` cost a quarter of a join (measured with bench/notes.py)."""
    session.last_activity_at = timezone.now()
    names = (*fields, "last_activity_at")
    columns = [f for f in LiveSession._meta.concrete_fields if f.name in names]
    if len(columns) != len(set(names)):
        raise ValueError(f"no such session fields: {names}")
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in columns)
    values = [
        field.get_db_prep_save(getattr(session, field.attname), connection) for field in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(LiveSession._meta.db_table)} SET {assignments} "  # noqa: S608 - our columns
            "WHERE id = %s",
            [*values, session.pk],
        )


def clean(value: Any, *, max_length: int, required: bool = True, multiline: bool = True) -> str:
    """A name or text through `core.text`, refused with a DomainError (400)."""
    if value is None:
        value = ""
    try:
        if multiline:
            return clean_text(value, max_length=max_length, required=required)
        return clean_name(value, max_length=max_length, required=required)
    except TextError as error:
        raise DomainError(error.message, code=error.code) from None


def parse_key(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise DomainError(_("The key must be a UUID."), code="invalid_key") from None


def find(queryset: Any, public_id: Any) -> Any:
    """The object with this public id in `queryset`; None also for an id that is no UUID."""
    try:
        value = uuid.UUID(str(public_id))
    except (ValueError, TypeError):
        return None
    return queryset.filter(public_id=value).first()


def require_open(session: LiveSession) -> None:
    if session.status == Status.ENDED:
        raise DomainError(_("This session has ended."), code="session_ended", status=409)


def step_of(session: LiveSession, step_id: Any) -> StepRef:
    ref = session.step_by_id(str(step_id or ""))
    if ref is None:
        raise DomainError(_("This session has no such step."), code="unknown_step", status=404)
    return ref


def open_step(session: LiveSession, step_id: Any, *kinds: str) -> StepRef:
    """The step, which must be the current one (409 otherwise) and of one of these kinds."""
    require_open(session)
    ref = step_of(session, step_id)
    if ref.index != session.current_step or session.status != Status.RUNNING:
        raise DomainError(_("This step is not open now."), code="step_not_open", status=409)
    if kinds and ref.kind not in kinds:
        raise DomainError(
            _("This step does not take this kind of contribution."), code="wrong_kind"
        )
    return ref


def parse_date(value: Any, what: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(_("%(what)s is not a date (YYYY-MM-DD).") % {"what": what}) from None
