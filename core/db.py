"""One serialiser for the writers of a process on SQLite.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls
with growing sleeps, so under a burst (a room posting at once) the lock sits idle between
writers and requests time out. `atomic()` queues the writers of this process on a lock
that hands the write over the moment it is free; other processes still meet SQLite's busy
timeout. On PostgreSQL it is `transaction.atomic()`.

`insert_all()` is the writer's lean `bulk_create` and `new()` its lean `Model(...)` (see
their docstrings).
"""

from __future__ import annotations

import datetime
import functools
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init

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


def new(model: Any, **values: Any) -> Any:
    """An unsaved instance, as `model(**values)` builds it: each field from `values` (a
    foreign key by its object or by its id) or from its default.

    The writer builds two rows for every note (the note and its event), and `Model.__init__`
    costs about three times this: it goes through each field's descriptor and the init
    signals. Here the values go straight into the instance, and a related object into its
    cache, as the foreign key's descriptor leaves them. Anything this does not cover is
    built by `model(**values)` itself, with its checks and errors: a model with init
    signals or a one-to-one field, a database router, a related object of the wrong type,
    a name that is no field.
    """
    plan = _plan(model)
    if plan is None or _signalled(model):
        return model(**values)
    obj = model.__new__(model)
    state = obj._state = ModelState()
    cached = state.fields_cache
    data = obj.__dict__
    used = 0
    for name, attname, default, related in plan:
        if related is not None and name in values:
            value = values[name]
            if value is None:
                data[attname] = None
            elif isinstance(value, related) and (pk := value.pk) is not None:
                data[attname] = pk
                state.db = value._state.db or DEFAULT_DB_ALIAS  # as the descriptor routes it
            else:
                return model(**values)  # Django's own error (or its unsaved-object check)
            cached[name] = value
            used += 1
        elif attname in values:
            data[attname] = values[attname]
            used += 1
        else:
            data[attname] = default()
    if used != len(values):
        return model(**values)  # a property, or a name that is no field: Django's answer
    return obj


@functools.cache
def _plan(model: Any) -> list[tuple[str, str, Any, Any]] | None:
    """Each concrete field's name, attribute, default and, for a foreign key to a primary
    key, the related model; None where `new()` leaves the model to Django."""
    if settings.DATABASE_ROUTERS:
        return None
    plan = []
    for field in model._meta.concrete_fields:
        if field.generated:
            continue
        related = None
        if field.is_relation:
            if not _plain_foreign_key(field):
                return None
            related = field.related_model._meta.concrete_model
        # What `Field.get_default()` calls; a field that overrides it (a foreign key) is asked.
        plain = type(field).get_default is models.Field.get_default
        default = field._get_default if plain else field.get_default
        plan.append((field.name, field.attname, default, related))
    return plan


def _plain_foreign_key(field: Any) -> bool:
    """A foreign key to its model's primary key (not one-to-one): its id is the related
    object's pk, which is all `new()` and `insert_all()` rely on."""
    return (
        isinstance(field, models.ForeignKey)
        and not field.one_to_one
        and field.target_field is field.related_model._meta.pk
    )


def _signalled(model: Any) -> bool:
    """Whether a receiver of the init signals would see this model's instances built."""
    if not pre_init.receivers and not post_init.receivers:  # as in this project
        return False
    return pre_init.has_listeners(model) or post_init.has_listeners(model)


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
    model: Any = type(objs[0])
    opts = model._meta
    db = connections[DEFAULT_DB_ALIAS]  # the proxy `connection` costs a lookup per use
    if not db.features.can_return_rows_from_bulk_insert or any(obj.pk is not None for obj in objs):
        model._default_manager.bulk_create(objs)
        return
    fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
    relations = _plain_relations(model)
    for obj in objs:
        if relations is None or not _relations_in_step(obj, relations):
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


@functools.cache
def _plain_relations(model: Any) -> list[tuple[str, str]] | None:
    """The (name, attribute) of each foreign key to a primary key; None for a model with
    other relations (one-to-one, generic), which Django's own save check handles."""
    opts = model._meta
    if opts.private_fields:
        return None
    relations = []
    for field in opts.concrete_fields:
        if not field.is_relation:
            continue
        if not _plain_foreign_key(field):
            return None
        relations.append((field.name, field.attname))
    return relations


def _relations_in_step(obj: Any, relations: list[tuple[str, str]]) -> bool:
    """Whether every related object the row holds is saved and its id is the row's: then
    `_prepare_related_fields_for_save` would change nothing (else it runs, and raises or
    copies the id as a save does)."""
    cached = obj._state.fields_cache
    data = obj.__dict__
    for name, attname in relations:
        related = cached.get(name)
        if related is not None and ((pk := related.pk) is None or data.get(attname) != pk):
            return False
    return True


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
        # SQLite stores the text of the naive datetime in the connection's time zone: for
        # UTC, where the value already is, that is its text without the zone (what
        # `adapt` returns after converting it to the zone it is in).
        as_text = db.vendor == "sqlite" and db.timezone is datetime.UTC

        def prepare_datetime(obj: Any) -> Any:
            value = obj.__dict__.get(attname, _UNSET)
            if type(value) is datetime.datetime and value.tzinfo is datetime.UTC:
                return str(value.replace(tzinfo=None)) if as_text else adapt(value)
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
