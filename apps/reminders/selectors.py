"""Reads on reminders: a person sees only their own."""

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.reminders.models import Reminder


def reminder_list(*, user: User) -> QuerySet[Reminder]:
    return Reminder.objects.filter(user=user).order_by("-remind_at", "-id")


def reminder_get(*, user: User, reminder_id: int) -> Reminder | None:
    return Reminder.objects.filter(user=user, pk=reminder_id).first()
