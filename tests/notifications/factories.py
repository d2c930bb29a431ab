import factory

from apps.notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification row in the current company (notification_create also emails)."""

    class Meta:
        model = Notification

    kind = "test"
    title = factory.Sequence(lambda n: f"notification {n}")
