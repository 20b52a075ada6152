"""`lerend workshops_cleanup`: end idle sessions, delete contributions past retention.

Run it daily (cron or a systemd timer). A session idle for 24 hours is ended; a session
that ended longer ago than its retention period (365 days unless set) loses its
participants' contributions, while a frozen summary stays for the facilitator.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from workshops.services import end_idle_sessions, purge_expired


class Command(BaseCommand):
    help = "End live sessions idle for 24 hours; delete contributions past their retention."

    def handle(self, *args: Any, **options: Any) -> None:
        ended = end_idle_sessions()
        purged = purge_expired()
        self.stdout.write(f"ended {ended} idle sessions, purged {purged} sessions")
