from django.core.management.base import BaseCommand

from learning.reminders import run_tick


class Command(BaseCommand):
    help = "Queue the training plan reminders that are due (each one once)."

    def handle(self, *args, **options):
        count = run_tick()
        self.stdout.write(f"{count}")
