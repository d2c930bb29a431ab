"""Reads on reminders: a person sees only their own."""

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.core.pagination import NumberedPage, numbered_page
from apps.reminders.models import Reminder

PAGE_SIZE = 20


def reminder_list(*, user: User, status: str | None = None) -> QuerySet[Reminder]:
    """Latest first; only those in `status` when given."""
    reminders = Reminder.objects.filter(user=user).order_by("-remind_at", "-id")
    return reminders.filter(status=status) if status else reminders


def reminder_upcoming(
    *, user: User, page: int = 1, size: int = PAGE_SIZE
) -> NumberedPage[Reminder]:
    """Reminders still to be sent, soonest first."""
    queryset = Reminder.objects.filter(user=user, status=Reminder.Status.SCHEDULED)
    return numbered_page(queryset.order_by("remind_at", "id"), number=page, size=size)


def reminder_past(*, user: User, page: int = 1, size: int = PAGE_SIZE) -> NumberedPage[Reminder]:
    """Reminders sent, cancelled or failed, latest first."""
    queryset = Reminder.objects.filter(user=user).exclude(status=Reminder.Status.SCHEDULED)
    return numbered_page(queryset.order_by("-remind_at", "-id"), number=page, size=size)


def reminder_get(*, user: User, reminder_id: int) -> Reminder | None:
    return Reminder.objects.filter(user=user, pk=reminder_id).first()
