"""The group-commit writer: many contributions in one transaction, each with its own result.

A room posting at once would otherwise cost one transaction (and on SQLite one fsync of
the write-ahead log and one hand-over of the write lock) per note. The writer is one
thread per process with a queue: it takes whatever is waiting (up to `MAX_BATCH`), opens
one transaction and runs every contribution of the batch through the one contribution
path (`services.contributions`: key replay, rate limit, session lock, store, event), each
in a savepoint of its own, so a refused contribution (a DomainError) or a failed statement
undoes only itself. The events are stored in the same transaction and published after its
commit; the futures are resolved after the commit, so a request is answered only once its
contribution is durable. If the commit itself fails, every contribution of the batch gets
the error (and nothing of it was stored; the client resends with the same key).
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import translation

from core.db import atomic

from .services.common import Result
from .services.contributions import Contribution, allowed, replayed, store_locked

logger = logging.getLogger(__name__)

MAX_BATCH = 256

_Item = tuple[Contribution, str, "Future[Result[Any]]"]


class Writer:
    def __init__(self, max_batch: int = MAX_BATCH) -> None:
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = 0
        self.written = 0

    def submit(self, item: Contribution, language: str) -> Future[Result[Any]]:
        future: Future[Result[Any]] = Future()
        self._queue.put((item, language, future))
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
        outcomes: list[tuple[Future[Result[Any]], Result[Any] | None, BaseException | None]] = []
        try:
            close_old_connections()
            with atomic():
                for item, language, future in batch:
                    if not future.set_running_or_notify_cancel():
                        continue
                    try:
                        with translation.override(language):
                            outcomes.append((future, self._one(item), None))
                    except Exception as error:
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
        for future, result, error in outcomes:
            if error is not None:
                future.set_exception(error)
            else:
                self.written += bool(result and result.created)
                future.set_result(result)  # type: ignore[arg-type]

    @staticmethod
    def _one(item: Contribution) -> Result[Any]:
        # A savepoint: a refusal or a failed statement undoes only this contribution.
        with transaction.atomic():
            existing = replayed(item)
            if existing is not None:
                return Result(existing, False)
            allowed(item.participant)
            return store_locked(item)


writer = Writer()
