"""`lerend tick`: run the periodic jobs that are due, once (see `core.periodic`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs that are due, once (the worker does this every minute)."

    def handle(self, *args: Any, **options: Any) -> None:
        ran = periodic.tick()
        if options["verbosity"] > 0:
            if ran:
                self.stdout.write("Ran: " + ", ".join(ran))
            else:
                self.stdout.write("Nothing was due.")
