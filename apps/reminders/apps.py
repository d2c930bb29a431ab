from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Reminders on the delayed queue."""

    name = "apps.reminders"
    verbose_name = _("Reminders")
