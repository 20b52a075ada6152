"""A small periodic tick: jobs that run every so often, once, whichever worker ticks.

Register a job from your app's `AppConfig.ready()`::

    from datetime import timedelta
    from core import periodic

    def ready(self):
        from .reminders import send_due_reminders
        periodic.register("actions.daily_reminders", timedelta(days=1), send_due_reminders)

- `register(name, every, func)`: `func()` takes no arguments (read `timezone.now()`); its
  return value is ignored. The name is the job's key in the table: keep it stable.
- `tick()` runs every registered job that is due, in registration order, and returns the
  names it ran. The task worker (`lerend worker`, and the one `lerend serve` starts) ticks
  every minute; `lerend tick` ticks once by hand.

Guarantees:
- A job is due when it never ran or when `every` has passed since its last run.
- At most once per period: before a job runs, its row in `PeriodicJobRun` is claimed by a
  compare-and-swap on `last_run_at` (one UPDATE ... WHERE last_run_at = <what we read>),
  so a tick run twice in a row, or by two workers at the same moment, runs it once.
- A missed period is caught up once: after a week without a worker, a daily job runs once
  (not seven times), and its next run is a period after that.
- Claimed before it runs: a job that fails (an exception, logged and kept in `last_error`)
  or whose worker dies waits for its next period; it is never run twice for one period.
  Jobs should therefore be idempotent and record their own progress (as the scan's
  reminders do, per invitation).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
"""How often the worker ticks."""


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    func: Callable[[], object]


_registry: dict[str, Job] = {}


def register(name: str, every: timedelta, func: Callable[[], object]) -> Job:
    """Add (or, under the same name, replace) a periodic job."""
    if not name or len(name) > 100:
        raise ValueError("a periodic job needs a name of 1 to 100 characters")
    if every <= timedelta(0):
        raise ValueError("a periodic job's period must be positive")
    job = Job(name, every, func)
    _registry[name] = job
    return job


def unregister(name: str) -> None:
    _registry.pop(name, None)


def jobs() -> list[Job]:
    return list(_registry.values())


def _is_due(last_run_at: datetime | None, every: timedelta, now: datetime) -> bool:
    return last_run_at is None or now >= last_run_at + every


def claim(job: Job, now: datetime) -> bool:
    """Record that `job` runs now, if it is due and nobody claimed it first."""
    from .models import PeriodicJobRun

    row, _created = PeriodicJobRun.objects.get_or_create(name=job.name)
    if not _is_due(row.last_run_at, job.every, now):
        return False
    with transaction.atomic():
        claimed = PeriodicJobRun.objects.filter(pk=row.pk, last_run_at=row.last_run_at)
        if row.last_run_at is None:
            claimed = PeriodicJobRun.objects.filter(pk=row.pk, last_run_at__isnull=True)
        return claimed.update(last_run_at=now) == 1


def _finish(job: Job, error: str) -> None:
    from django.db.models import F

    from .models import PeriodicJobRun

    PeriodicJobRun.objects.filter(name=job.name).update(
        last_finished_at=timezone.now(), last_error=error[:500], runs=F("runs") + 1
    )


def tick(now: datetime | None = None) -> list[str]:
    """Run every due job once; answers the names of the jobs that ran (failed ones too)."""
    ran = []
    for job in jobs():
        moment = now or timezone.now()
        if not claim(job, moment):
            continue
        ran.append(job.name)
        try:
            job.func()
        except Exception as error:  # one job's failure must not stop the others
            logger.exception("periodic job %s failed", job.name)
            _finish(job, f"{type(error).__name__}: {error}")
        else:
            _finish(job, "")
    return ran


class Ticker(threading.Thread):
    """The worker's tick: a daemon thread that ticks every `interval` seconds until
    `stop()`; each tick with fresh database connections."""

    def __init__(self, interval: float = TICK_SECONDS) -> None:
        super().__init__(name="lerend-periodic-tick", daemon=True)
        self.interval = interval
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.is_set():
            try:
                tick()
            except Exception:  # the database may be away for a moment: try next minute
                logger.exception("periodic tick failed")
            finally:
                connections.close_all()  # this thread's connections only
            self._stopped.wait(self.interval)

    def stop(self) -> None:
        self._stopped.set()
