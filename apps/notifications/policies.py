"""Who may do what with notifications: each is its person's own, whatever their role."""

from apps.accounts.policies import is_own
from apps.accounts.principal import Principal
from apps.notifications.models import Notification


def can_see_notification(principal: Principal | None, notification: Notification) -> bool:
    return is_own(principal, notification.user_id)
