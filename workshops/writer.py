"""The group-commit writer: many contributions in one transaction, each with its own result.

A room posting at once would otherwise cost one transaction (and on SQLite one fsync of
the write-ahead log and one hand-over of the write lock) per note. The writer is one
thread per process with a queue: it takes whatever is waiting (up to `MAX_BATCH`), opens
one transaction and runs every job of the batch in a savepoint of its own, so a refused
job (a DomainError) or a failed statement undoes only itself. A job is a service call:
`partial(services.contribute, item)` (the one contribution path: key replay, rate limit,
session lock, store, event) or `partial(services.join_session, ...)`; their own `atomic()`
becomes the savepoint. The events are stored in the same transaction and published after
its commit; the futures are resolved after the commit, so a request is answered only once
its contribution is durable. If the commit itself fails, every job of the batch gets the
error (and nothing of it was stored; the client resends with the same key).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import translation

from core.db import atomic

from .services.common import batch_locks

logger = logging.getLogger(__name__)

MAX_BATCH = 256

_Item = tuple[Callable[[], Any], str, "Future[Any]"]


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
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self.write(batch)
            except Exception:  # never let the thread die; write() has resolved the futures
                logger.exception("contribution batch failed")

    def write(self, batch: list[_Item]) -> None:
        """Run a batch in one transaction; resolve every future after the commit."""
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with atomic(), batch_locks() as held:
                for job, language, future in batch:
                    if not future.set_running_or_notify_cancel():
                        continue
                    try:
                        # A savepoint: a refusal or a failed statement undoes only this job.
                        with translation.override(language), transaction.atomic():
                            outcomes.append((future, job(), None))
                    except Exception as error:
                        held.clear()  # its savepoint may have held the session's lock
                        outcomes.append((future, None, error))
        except BaseException as error:
            for _item, _language, future in batch:
                if future.running():
                    future.set_exception(error)
            if isinstance(error, DatabaseError):
                connection.close()  # opened afresh for the next batch
            if not isinstance(error, Exception):
                raise
            return
        self.batches += 1
        for future, result, failure in outcomes:
            if failure is not None:
                future.set_exception(failure)
            else:
                self.written += bool(getattr(result, "created", True))
                future.set_result(result)


writer = Writer()
