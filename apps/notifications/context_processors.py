from django.conf import settings
from django.http import HttpRequest

from apps.notifications.selectors import notification_unread_count


def bell(request: HttpRequest) -> dict[str, int]:
    """The unread count beside the bell, for signed-in members, and how often it is asked
    for again (templates/notifications/bell.html)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "unread_notifications": notification_unread_count(user=membership.user),
        "bell_poll_seconds": settings.KURA_BELL_POLL_SECONDS,
    }
