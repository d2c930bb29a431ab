from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest

from apps.notifications.selectors import notification_unread_count


def bell(request: HttpRequest) -> dict[str, Callable[[], int] | int]:
    """The unread count beside the bell, for signed-in members, and how often it is asked
    for again (templates/notifications/bell.html). The count is counted only when a
    template shows it (templates call it), once per response: partials that show no bell,
    such as the files grid htmx polls, cost no query."""
    principal = getattr(request, "principal", None)
    if principal is None:
        return {}
    return {
        "unread_notifications": cache(lambda: notification_unread_count(actor=principal)),
        "bell_poll_seconds": settings.KURA_BELL_POLL_SECONDS,
    }
