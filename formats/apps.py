from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormatsConfig(AppConfig):
    name = "formats"
    verbose_name = _("Workshop formats")
