from django.apps import AppConfig


class ScansConfig(AppConfig):
    name = "scans"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import periodic

        from . import reminders

        periodic.register(reminders.JOB_NAME, reminders.JOB_EVERY, reminders.send_due_reminders)
