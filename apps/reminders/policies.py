"""Who may do what with reminders: a reminder is its person's own."""

from apps.accounts.policies import acts_for, can_write, is_person
from apps.accounts.principal import Actor
from apps.reminders.models import Reminder


def can_set_reminders(actor: Actor | None) -> bool:
    """People who may write in the company set reminders for themselves (not API keys,
    not viewers)."""
    return is_person(actor) and can_write(actor)


def can_see_reminder(actor: Actor | None, reminder: Reminder) -> bool:
    return acts_for(actor, reminder.user_id)


def can_cancel_reminder(actor: Actor | None, reminder: Reminder) -> bool:
    """Its person, with a role that may write (and the system, for anyone)."""
    return can_see_reminder(actor, reminder) and can_write(actor)
