"""Core tables: the periodic tick's record of each job's last run (see `core.periodic`)."""

from __future__ import annotations

from django.db import models


class PeriodicJobRun(models.Model):
    """One row per registered periodic job: when it was last claimed and how that ended.

    `last_run_at` is written (compare-and-swap) before the job runs, so a tick run twice, or
    by two workers at once, runs a job once per period."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    runs = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
