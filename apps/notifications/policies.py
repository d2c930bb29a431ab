"""Who may do what with notifications: each is its person's own, whatever their role."""

from apps.accounts.policies import is_person
from apps.accounts.principal import Principal
from apps.notifications.models import Notification


def can_have_notifications(principal: Principal | None) -> bool:
    """People have notifications; API keys do not."""
    return is_person(principal)


def can_see_notification(principal: Principal | None, notification: Notification) -> bool:
    return (
        principal is not None
        and principal.membership is not None
        and notification.user_id == principal.membership.user_id
    )
