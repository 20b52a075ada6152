from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActionsConfig(AppConfig):
    name = "actions"
    verbose_name = _("Actions and follow-up")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from core import periodic

        from . import reminders

        # Hourly: each reminder is recorded once per day, so the first tick of a day sends
        # that day's digests and later ticks find nothing new.
        periodic.register("actions.reminders", timedelta(hours=1), reminders.run_tick)
