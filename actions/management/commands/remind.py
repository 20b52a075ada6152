from django.core.management.base import BaseCommand

from actions.reminders import run_tick


class Command(BaseCommand):
    help = "Run one reminder tick of the action register by hand (digests and due dates)."

    def handle(self, *args, **options):
        count = run_tick()
        self.stdout.write(f"{count} reminder(s) queued.")
