from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """In-app notifications: the bell in the web UI and an API to read them."""

    name = "apps.notifications"
    verbose_name = _("Notifications")
