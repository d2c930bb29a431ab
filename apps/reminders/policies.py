"""Who may do what with reminders: a reminder is its person's own."""

from apps.accounts.policies import can_write, is_own, is_person
from apps.accounts.principal import Principal
from apps.reminders.models import Reminder


def can_set_reminders(principal: Principal | None) -> bool:
    """People who may write in the company set reminders for themselves (not API keys,
    not viewers)."""
    return is_person(principal) and can_write(principal)


def can_see_reminder(principal: Principal | None, reminder: Reminder) -> bool:
    return is_own(principal, reminder.user_id)


def can_cancel_reminder(principal: Principal | None, reminder: Reminder) -> bool:
    return can_see_reminder(principal, reminder) and can_set_reminders(principal)
