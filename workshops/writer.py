"""The group-commit writer: many contributions in one transaction, each with its own result.

A room posting at once would otherwise cost one transaction (and on SQLite one fsync of
the write-ahead log and one hand-over of the write lock) per note. The writer is one
thread per process with a queue: it takes whatever is waiting (up to `MAX_BATCH`), opens
one transaction. Notes and votes (contributions with a `Bulk`) are checked one by one,
without writing, and the batch's rows of each kind go in with one INSERT; every other job
runs in a savepoint of its own, so a refused job (a DomainError) or a failed statement
undoes only itself. A key sent twice in one batch is stored once (the second gets the
first's result); a key another process stored meanwhile makes the INSERT fail, and then
that kind's jobs run one by one, each finding its replay or storing its row.

A job is a service call: `partial(services.contribute, item)` (the one contribution path:
key replay, rate limit, session lock, store, event) or `partial(services.join_session,
...)`; their own `atomic()` becomes the savepoint. The events are stored in the same
transaction and published after its commit; the futures are resolved after the commit, so
a request is answered only once its contribution is durable. If the commit itself fails,
every job of the batch gets the error (and nothing of it was stored; the client resends
with the same key).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.utils import translation

from core.db import atomic

from .services.common import Result, batch_locks, locked
from .services.contributions import Bulk, Contribution, allowed, contribute

logger = logging.getLogger(__name__)

MAX_BATCH = 256
LINGER_SECONDS = 0.002
"""How long a batch waits for more jobs when the writer is busy (not for a lone job)."""

_Item = tuple[Callable[[], Any], str, "Future[Any] | asyncio.Future[Any]"]


class Writer:
    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0
        self.written = 0

    def submit(self, job: Callable[[], Any], language: str) -> Future[Any]:
        """Run `job` in the next batch; the future resolves after that batch's commit."""
        future: Future[Any] = Future()
        self._queue.put((job, language, future))
        self._ensure_thread()
        return future

    def submit_async(self, job: Callable[[], Any], language: str) -> asyncio.Future[Any]:
        """`submit` for the event loop: an asyncio future of the running loop, settled with
        the batch's others in one hand-over to the loop (a concurrent Future per request,
        wrapped and woken one by one, cost a fifth of the fast path; bench/notes.py)."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put((job, language, future))
        self._ensure_thread()
        return future

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="workshops-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        _unlogged(connections["default"])
        last = 0
        while True:
            batch = [self._queue.get()]
            self._drain(batch)
            if max(last, len(batch)) > 1 and len(batch) < self.max_batch:
                # Under load, let the event loop hand over a few more before the batch is
                # written: a batch costs about the same for one job as for dozens.
                time.sleep(LINGER_SECONDS)
                self._drain(batch)
            last = len(batch)
            try:
                self.write(batch)
            except Exception:  # never let the thread die; write() has resolved the futures
                logger.exception("contribution batch failed")

    def _drain(self, batch: list[_Item]) -> None:
        while len(batch) < self.max_batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                return

    def write(self, batch: list[_Item]) -> None:
        """Run a batch in one transaction; resolve every future after the commit."""
        from . import events

        outcomes: list[list[Any]] = []  # [future, result, error], in the batch's order
        speak = _Speaker()
        try:
            with atomic(), batch_locks() as held, events.batched() as pending:
                items = [_contribution(job) for job, _language, _future in batch]
                known = _replays([item for item in items if item is not None])
                seen: set[tuple[Any, ...]] = set()
                bulks: dict[Bulk, list[tuple[list[Any], Any, Callable[[], Any], str]]] = {}
                firsts: dict[tuple[Any, ...], list[Any]] = {}
                again: list[tuple[list[Any], list[Any], Callable[[], Any], str]] = []
                for (job, language, future), item in zip(batch, items, strict=True):
                    if not _claim(future):
                        continue
                    outcome: list[Any] = [future, None, None]
                    outcomes.append(outcome)
                    fresh = False
                    if item is not None:
                        key = _key_of(item.model, item.session.pk, item.participant, item.key)
                        if key in known:  # a replay: the first result, nothing stored
                            outcome[1] = Result(known[key], False)
                            continue
                        if key in firsts:  # sent twice in this batch: after the first
                            again.append((outcome, firsts[key], job, language))
                            continue
                        fresh = key not in seen
                        seen.add(key)
                    mark = len(pending)
                    try:
                        speak(language)
                        if fresh and item is not None and item.bulk is not None:
                            # Checked now, inserted with the batch's others below.
                            bulks.setdefault(item.bulk, []).append(
                                (outcome, _checked(item), job, language)
                            )
                            firsts[key] = outcome
                            continue
                        # A savepoint: a refusal or a failed statement undoes only this job.
                        outcome[1] = _run(job, item if fresh else None)
                    except Exception as error:
                        held.clear()  # its savepoint may have held the session's lock
                        del pending[mark:]  # and its events are not stored
                        outcome[2] = error
                for bulk, entries in bulks.items():
                    _store_bulk(bulk, entries, pending, held, speak)
                for outcome, first, job, language in again:
                    if first[2] is None:  # the first was stored: this is its replay
                        outcome[1] = Result(first[1].value, False)
                        continue
                    mark = len(pending)  # the first was refused: this one on its own
                    try:
                        speak(language)
                        outcome[1] = _run(job, None)
                    except Exception as error:
                        held.clear()
                        del pending[mark:]
                        outcome[2] = error
                events.store_batched(pending)
        except BaseException as error:
            # Every job of the batch gets the error, also those not reached yet.
            _settle(
                [
                    [future, None, error]
                    for _job, _language, future in batch
                    if (isinstance(future, Future) and future.running()) or _claim(future)
                ]
            )
            if isinstance(error, DatabaseError):
                connection.close()  # opened afresh for the next batch
            if not isinstance(error, Exception):
                raise
            return
        finally:
            speak.restore()
        self.batches += 1
        self.written += sum(
            bool(getattr(result, "created", True))
            for _future, result, failure in outcomes
            if failure is None
        )
        _settle(outcomes)


def _claim(future: Future[Any] | asyncio.Future[Any]) -> bool:
    """Whether the job is still wanted (its request may have been cancelled meanwhile)."""
    if isinstance(future, Future):
        return future.set_running_or_notify_cancel()
    return not future.done()


def _settle(outcomes: list[list[Any]]) -> None:
    """Resolve each [future, result, error]: concurrent futures here, asyncio futures on
    their loop, one call per loop for the whole batch."""
    on_loops: dict[asyncio.AbstractEventLoop, list[list[Any]]] = {}
    for outcome in outcomes:
        future, result, failure = outcome
        if isinstance(future, Future):
            if failure is not None:
                future.set_exception(failure)
            else:
                future.set_result(result)
        else:
            on_loops.setdefault(future.get_loop(), []).append(outcome)
    for loop, settled in on_loops.items():
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits for these
            loop.call_soon_threadsafe(_settle_on_loop, settled)


def _settle_on_loop(outcomes: list[list[Any]]) -> None:
    for future, result, failure in outcomes:
        if future.done():  # cancelled: the client went away
            continue
        if failure is not None:
            future.set_exception(failure)
        else:
            future.set_result(result)


def _unlogged(wrapper: Any) -> None:
    """With DEBUG on (development), Django formats and keeps every query a connection runs;
    for the writer's batches that cost about a twentieth of the path and grows a log nobody
    reads. Its connection logs only when asked to (`CaptureQueriesContext` in tests)."""
    make_debug_cursor = wrapper.make_debug_cursor

    def make(cursor: Any) -> Any:
        if wrapper.force_debug_cursor:
            return make_debug_cursor(cursor)
        return wrapper.make_cursor(cursor)

    wrapper.make_debug_cursor = make


def _checked(item: Contribution) -> Any:
    """A bulk contribution's rate limit, lock and rules: its row, not yet inserted."""
    allowed(item.participant)
    locked(item.session)
    return item.build()


class _Speaker:
    """Makes a job's language the thread's, only when it is not already: most of a batch
    speaks one language, and an override per job cost a tenth of the writer's time.
    `restore` gives the thread back the language it had before the batch."""

    def __init__(self) -> None:
        self.previous = self.active = translation.get_language()

    def __call__(self, language: str) -> None:
        if language != self.active:
            translation.activate(language)
            self.active = language

    def restore(self) -> None:
        if self.active != self.previous:
            if self.previous is None:
                translation.deactivate()
            else:
                translation.activate(self.previous)


def _store_bulk(
    bulk: Bulk,
    entries: list[tuple[list[Any], Any, Callable[[], Any], str]],
    pending: list[Any],
    held: Any,
    speak: _Speaker,
) -> None:
    """Insert the batch's rows of one kind in one statement, in a savepoint; if a key was
    stored by another process meanwhile, run each job alone (its replay or its row)."""
    mark = len(pending)
    try:
        with transaction.atomic():
            bulk.store([row for _outcome, row, _job, _language in entries])
    except IntegrityError:
        held.clear()
        del pending[mark:]
        for outcome, _row, job, language in entries:
            mark = len(pending)
            try:
                speak(language)
                with transaction.atomic():
                    outcome[1] = job()
            except Exception as error:
                held.clear()
                del pending[mark:]
                outcome[2] = error
        return
    for outcome, row, _job, _language in entries:
        outcome[1] = Result(row, True)


def _contribution(job: Callable[[], Any]) -> Contribution | None:
    """The contribution of a `partial(services.contribute, item)` job, else None."""
    if (
        isinstance(job, partial)
        and job.func is contribute
        and len(job.args) == 1
        and not job.keywords
        and isinstance(job.args[0], Contribution)
    ):
        return job.args[0]
    return None


def _key_of(model: Any, session_id: Any, participant: Any, key: Any) -> tuple[Any, ...]:
    participant_id = (
        participant if participant is None or isinstance(participant, int) else (participant.pk)
    )
    return (model, session_id, participant_id, key)


def _replays(items: list[Contribution]) -> dict[tuple[Any, ...], Any]:
    """The rows already stored under the batch's client keys: one probe per model.

    The probe asks only for the ids, in SQL of its own: in a burst it finds none, and
    building the ORM's query for a hundred keys cost a tenth of the writer's time (profiled
    over batches of 100 notes). The rows it finds (a replay) are loaded by the ORM."""
    wanted: dict[Any, list[Contribution]] = {}
    for item in items:
        wanted.setdefault(item.model, []).append(item)
    found: dict[tuple[Any, ...], Any] = {}
    for model, group in wanted.items():
        ids = [pk for facilitators in (False, True) for pk in _probe(model, group, facilitators)]
        for row in model.objects.filter(pk__in=ids).order_by() if ids else ():
            found[_key_of(model, row.session_id, row.participant_id, row.key)] = row
    return found


def _probe(model: Any, group: list[Contribution], facilitators: bool) -> list[Any]:
    """The ids of the rows stored under these keys, for the participants' or the
    facilitators' contributions (participant IS (NOT) NULL, as in the key's partial unique
    index, lets the database use it: a probe per key)."""
    subset = [item for item in group if (item.participant is None) == facilitators]
    if not subset:
        return []
    opts = model._meta
    quote = connection.ops.quote_name
    key_field = opts.get_field("key")
    keys = list({key_field.get_db_prep_value(item.key, connection) for item in subset})
    sessions = list({item.session.pk for item in subset})
    sql = (
        f"SELECT {quote(opts.pk.column)} FROM {quote(opts.db_table)} "  # noqa: S608 - our names
        f"WHERE {quote(key_field.column)} IN ({', '.join(['%s'] * len(keys))}) "
        f"AND {quote(opts.get_field('session').column)} IN ({', '.join(['%s'] * len(sessions))}) "
        f"AND {quote(opts.get_field('participant').column)} IS {'' if facilitators else 'NOT '}NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*keys, *sessions])
        return [pk for (pk,) in cursor.fetchall()]


def _run(job: Callable[[], Any], fresh: Contribution | None) -> Any:
    """The job in a savepoint; a fresh contribution without its second key look-up, and
    if another process stored the key meanwhile, the job once more (its replay)."""
    if fresh is None:
        with transaction.atomic():
            return job()
    try:
        with transaction.atomic():
            return _store_new(fresh)
    except IntegrityError:
        with transaction.atomic():
            return job()


def _store_new(item: Contribution) -> Result[Any]:
    """A contribution whose key the batch's one look-up did not find: the rate limit, the
    session lock (held once per batch) and `store`; the key's unique constraint still
    refuses a row that another process stored meanwhile (the job fails alone)."""
    allowed(item.participant)
    locked(item.session)
    return Result(item.store(), True)


writer = Writer()
