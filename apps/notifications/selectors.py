"""Reads on notifications: a person only ever sees their own (apps.notifications.policies)."""

from django.db.models import QuerySet

from apps.accounts.principal import Actor
from apps.notifications.models import Notification
from apps.notifications.policies import can_see_notification

# Newest first; the id breaks ties, so a feed's cursor is a unique position.
NOTIFICATION_ORDERING = ("-created_at", "-id")


def own_notifications(actor: Actor) -> QuerySet[Notification]:
    """The acting person's notifications (an API key or the system has none of its own)."""
    if actor.membership is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=actor.membership.user_id)


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = own_notifications(actor).order_by(*NOTIFICATION_ORDERING)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def notification_get(*, actor: Actor, notification_id: int) -> Notification | None:
    """A notification the actor may see (someone else's is not found)."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or not can_see_notification(actor, notification):
        return None
    return notification


def notification_unread_count(*, actor: Actor) -> int:
    return own_notifications(actor).filter(read_at__isnull=True).count()
