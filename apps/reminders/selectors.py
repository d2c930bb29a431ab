"""Reads on reminders: a person sees only their own (apps.reminders.policies)."""

from django.db.models import QuerySet

from apps.accounts.principal import Actor
from apps.core.pagination import NumberedPage, numbered_page
from apps.reminders.models import Reminder
from apps.reminders.policies import can_see_reminder

PAGE_SIZE = 20


def _own(actor: Actor) -> QuerySet[Reminder]:
    """The acting person's reminders (an API key or the system has none of its own)."""
    if actor.membership is None:
        return Reminder.objects.none()
    return Reminder.objects.filter(user_id=actor.membership.user_id)


def reminder_list(*, actor: Actor, status: str | None = None) -> QuerySet[Reminder]:
    """Latest first; only those in `status` when given."""
    reminders = _own(actor).order_by("-remind_at", "-id")
    return reminders.filter(status=status) if status else reminders


def reminder_upcoming(
    *, actor: Actor, page: int = 1, size: int = PAGE_SIZE
) -> NumberedPage[Reminder]:
    """Reminders still to be sent, soonest first."""
    queryset = _own(actor).filter(status=Reminder.Status.SCHEDULED)
    return numbered_page(queryset.order_by("remind_at", "id"), number=page, size=size)


def reminder_past(*, actor: Actor, page: int = 1, size: int = PAGE_SIZE) -> NumberedPage[Reminder]:
    """Reminders sent, cancelled or failed, latest first."""
    queryset = _own(actor).exclude(status=Reminder.Status.SCHEDULED)
    return numbered_page(queryset.order_by("-remind_at", "-id"), number=page, size=size)


def reminder_get(*, actor: Actor, reminder_id: int) -> Reminder | None:
    """A reminder the actor may see (someone else's is not found)."""
    reminder = Reminder.objects.filter(pk=reminder_id).first()
    return reminder if reminder is not None and can_see_reminder(actor, reminder) else None
