"""Reads on notifications: a person only ever sees their own."""

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.notifications.models import Notification

# Newest first; the id breaks ties, so a feed's cursor is a unique position.
NOTIFICATION_ORDERING = ("-created_at", "-id")


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user=user).order_by(*NOTIFICATION_ORDERING)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def notification_get(*, user: User, notification_id: int) -> Notification | None:
    return Notification.objects.filter(user=user, pk=notification_id).first()


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
