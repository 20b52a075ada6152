"""One serialiser for the writers of a process on SQLite.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls
with growing sleeps, so under a burst (a room posting at once) the lock sits idle between
writers and requests time out. `atomic()` queues the writers of this process on a lock
that hands the write over the moment it is free; other processes still meet SQLite's busy
timeout. On PostgreSQL it is `transaction.atomic()`.

`insert_all()` is the writer's lean `bulk_create` (see its docstring).
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

sqlite_writer = threading.RLock()


@contextmanager
def atomic() -> Iterator[None]:
    """`transaction.atomic()`, with the writers of this process queued in order on SQLite."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        with transaction.atomic():
            yield
        return
    with sqlite_writer, transaction.atomic():
        yield


def insert_all(objs: list[Any]) -> None:
    """`bulk_create` for new rows of one model: one `INSERT ... RETURNING id` per chunk.

    The group-commit writer inserts a batch's notes, votes and events at once, and Django's
    `bulk_create` sends every value of every row through its expression compiler: half of
    a note's cost in the writer (profiled with bench/notes.py). These rows hold plain
    values, so each is prepared once by its field (`pre_save`, `get_db_prep_save`, as a
    save does) and bound as a parameter; a value a plain field already holds in the
    database's own type (a str for a CharField, an int for a foreign key) is bound as it
    is, which is what those two calls would return (`_preparer`). Rows whose primary key
    is set, or a database without RETURNING from a multi-row INSERT, take `bulk_create`.
    """
    if not objs:
        return
    model = type(objs[0])
    opts = model._meta
    db = connections[DEFAULT_DB_ALIAS]  # the proxy `connection` costs a lookup per use
    if not db.features.can_return_rows_from_bulk_insert or any(obj.pk is not None for obj in objs):
        model._default_manager.bulk_create(objs)
        return
    fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    quote = db.ops.quote_name
    head = (
        f"INSERT INTO {quote(opts.db_table)} "  # noqa: S608 - the model's own names
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, _max_parameters(db) // len(fields))
    preparers = [_preparer(field, db) for field in fields]
    with db.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start : start + per_statement]
            params = [prepare(obj) for obj in chunk for prepare in preparers]
            cursor.execute(
                head + ", ".join([row] * len(chunk)) + f" RETURNING {quote(opts.pk.column)}",
                params,
            )
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = db.alias


# Field classes (exactly these, not subclasses, which may convert) whose `pre_save` reads
# the attribute and whose `get_db_prep_save` returns a value of these types unchanged.
_PLAIN: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
}
_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)
_UNSET = object()


def _preparer(field: Any, db: Any) -> Any:
    """A function of the row that gives the field's database value, as a save computes it."""

    def full(obj: Any) -> Any:
        return field.get_db_prep_save(field.pre_save(obj, True), db)

    kind = type(field)
    attname = field.attname
    if kind is models.UUIDField:
        # `get_db_prep_value` of a UUID: the UUID where the database has the type, its hex
        # where it stores text (SQLite).
        native = db.features.has_native_uuid_field

        def prepare_uuid(obj: Any) -> Any:
            value = obj.__dict__.get(attname, _UNSET)
            if type(value) is uuid.UUID:
                return value if native else value.hex
            return full(obj)

        return prepare_uuid
    if kind is models.DateTimeField and not (field.auto_now or field.auto_now_add):
        # An aware datetime passes `get_prep_value` unchanged (it only converts and warns
        # about naive ones) to the database's adaptation: about half of what the full path
        # costs, for the two or three timestamps of every note and event.
        adapt = db.ops.adapt_datetimefield_value

        def prepare_datetime(obj: Any) -> Any:
            value = obj.__dict__.get(attname, _UNSET)
            if type(value) is datetime.datetime and value.tzinfo is datetime.UTC:
                return adapt(value)
            return full(obj)

        return prepare_datetime
    if kind is models.ForeignKey and type(field.target_field) in _INTEGER_KEYS:
        plain: tuple[type, ...] | None = (int,)
    else:
        plain = _PLAIN.get(kind)
    if plain is None:
        return full
    if field.null:
        plain = (*plain, type(None))

    def prepare(obj: Any) -> Any:
        value = obj.__dict__.get(attname, _UNSET)  # unset: deferred, `full` loads it
        # `bool` is an int: only a BooleanField takes one as it is.
        return value if type(value) in plain else full(obj)

    return prepare


def _max_parameters(db: Any) -> int:
    """The most parameters one statement may bind (SQLite's compiled limit; PostgreSQL's
    protocol allows 65,535)."""
    if db.vendor == "sqlite":
        db.ensure_connection()
        return int(db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return 65_535
