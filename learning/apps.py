from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "learning"
    verbose_name = _("Learning offer and training plan")

    def ready(self) -> None:
        from core import periodic

        from . import reminders

        # Each milestone of the training plan's timeline is reminded once (recorded).
        periodic.register("learning.plan_reminders", timedelta(hours=6), reminders.run_tick)
