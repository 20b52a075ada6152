"""One serialiser for the writers of a process on SQLite.

SQLite lets one writer in at a time; the others wait in its busy handler, which polls
with growing sleeps, so under a burst (a room posting at once) the lock sits idle between
writers and requests time out. `atomic()` queues the writers of this process on a lock
that hands the write over the moment it is free; other processes still meet SQLite's busy
timeout. On PostgreSQL it is `transaction.atomic()`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

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
