import factory

from apps.reminders.models import Reminder


class ReminderFactory(factory.django.DjangoModelFactory):
    """A reminder row in the current company, in any status (reminder_create also
    schedules its job)."""

    class Meta:
        model = Reminder
