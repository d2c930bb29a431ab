"""Reads on reminders: a person sees only their own."""

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.reminders.models import Reminder

PAGE_SIZE = 20
MAX_PAGE = 10_000  # deeper offsets are not paged to (nor overflow the database's bigint)


@dataclass(frozen=True)
class Page:
    """One page of a list, by offset: no count query, one row more tells if more follow."""

    items: list[Reminder]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _page(queryset: QuerySet[Reminder], number: int, size: int) -> Page:
    number = min(max(number, 1), MAX_PAGE)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size)


def reminder_list(*, user: User) -> QuerySet[Reminder]:
    return Reminder.objects.filter(user=user).order_by("-remind_at", "-id")


def reminder_upcoming(*, user: User, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Reminders still to be sent, soonest first."""
    queryset = Reminder.objects.filter(user=user, status=Reminder.Status.SCHEDULED)
    return _page(queryset.order_by("remind_at", "id"), page, size)


def reminder_past(*, user: User, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Reminders sent, cancelled or failed, latest first."""
    queryset = Reminder.objects.filter(user=user).exclude(status=Reminder.Status.SCHEDULED)
    return _page(queryset.order_by("-remind_at", "-id"), page, size)


def reminder_get(*, user: User, reminder_id: int) -> Reminder | None:
    return Reminder.objects.filter(user=user, pk=reminder_id).first()
