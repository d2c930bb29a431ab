from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.accounts.notices import notice_sender_register


class NotificationsConfig(AppConfig):
    """In-app notifications: the bell in the web UI and an API to read them."""

    name = "apps.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Models load only once the app registry is ready: after this module.
        from apps.notifications.services import notification_create  # noqa: PLC0415

        notice_sender_register(notification_create)
