"""Writes on notifications."""

from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError
from apps.notifications.models import Notification
from apps.notifications.policies import can_see_notification
from apps.notifications.selectors import own_notifications


def notification_create(
    *, user: User, kind: str, title: str, body: str = "", link: str = "", email: bool = True
) -> Notification:
    """Notify `user` in the current tenant; with `email`, also by mail once committed. A
    mechanism (jobs, reminders, orders and mentions notify through it): it takes the person
    notified, not an actor."""
    notification = Notification(user=user, kind=kind, title=title, body=body, link=link)
    notification.full_clean()
    notification.save()
    if email:
        transaction.on_commit(
            lambda: send_mail(
                subject=title, message=body or title, from_email=None, recipient_list=[user.email]
            )
        )
    return notification


def notification_mark_read(*, notification: Notification, actor: Actor) -> Notification:
    """Mark read a notification of the acting person's own."""
    if not can_see_notification(actor, notification):
        raise NotAllowedError(_("This notification is someone else's."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_read(*, actor: Actor, notification_ids: Sequence[int]) -> int:
    """Mark read those of `notification_ids` that are the acting person's and unread (the
    ones a page showed them); returns how many."""
    if not notification_ids:
        return 0
    return (
        own_notifications(actor)
        .filter(pk__in=notification_ids, read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def notifications_mark_all_read(*, actor: Actor) -> int:
    return own_notifications(actor).filter(read_at__isnull=True).update(read_at=timezone.now())
