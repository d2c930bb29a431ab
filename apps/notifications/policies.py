"""Who may do what with notifications: each is its person's own, whatever their role."""

from apps.accounts.policies import acts_for
from apps.accounts.principal import Actor
from apps.notifications.models import Notification


def can_see_notification(actor: Actor | None, notification: Notification) -> bool:
    return acts_for(actor, notification.user_id)
