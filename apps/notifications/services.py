"""Writes on notifications."""

from collections.abc import Sequence

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.principal import Principal
from apps.core.errors import NotAllowedError
from apps.notifications.models import Notification
from apps.notifications.policies import can_see_notification


def notification_create(
    *, user: User, kind: str, title: str, body: str = "", link: str = "", email: bool = True
) -> Notification:
    """Notify `user` in the current tenant; with `email`, also by mail once committed."""
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


def notification_mark_read(*, notification: Notification, actor: Principal) -> Notification:
    """Mark read a notification of the acting person's own."""
    if not can_see_notification(actor, notification):
        raise NotAllowedError(_("This notification is someone else's."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_read(*, user: User, notification_ids: Sequence[int]) -> int:
    """Mark read those of `notification_ids` that are `user`'s and unread (the ones a page
    showed them); returns how many."""
    if not notification_ids:
        return 0
    return Notification.objects.filter(
        user=user, pk__in=notification_ids, read_at__isnull=True
    ).update(read_at=timezone.now())


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
