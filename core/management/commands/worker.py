"""`lerend worker`: the background task worker (django-tasks-db's db_worker, same options),
which also runs the periodic tick (`core.periodic`) every minute, unless --no-tick."""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from core.periodic import TICK_SECONDS, Ticker


class Command(DbWorkerCommand):
    help = (
        "Run the background task worker (same options as db_worker) and the periodic tick "
        "every minute."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-tick",
            action="store_true",
            help="Do not run the periodic jobs (another worker or `lerend tick` does).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        no_tick = options.pop("no_tick", False)
        # With the autoreloader, only the child process that runs the tasks ticks.
        in_worker_process = not options.get("reload") or os.environ.get(DJANGO_AUTORELOAD_ENV)
        ticker = None
        if not no_tick and not options.get("batch") and in_worker_process:
            ticker = Ticker(TICK_SECONDS)
            ticker.start()
        try:
            super().handle(*args, **options)
        finally:
            if ticker is not None:
                ticker.stop()
