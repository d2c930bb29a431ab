from typing import TypedDict

from django.db.models import Count, Min
from django.utils import timezone

from apps.search.models import OutboxEntry
from apps.tenants.rowsecurity import operator_context


class OutboxLag(TypedDict):
    waiting: int
    oldest_seconds: float | None


def outbox_lag() -> OutboxLag:
    """How far the index is behind: entries waiting (every company's) and the oldest one's
    age in seconds (None when the outbox is empty)."""
    with operator_context():
        found = OutboxEntry.objects.aggregate(waiting=Count("id"), oldest=Min("created_at"))
    oldest = found["oldest"]
    return {
        "waiting": found["waiting"],
        "oldest_seconds": None
        if oldest is None
        else round((timezone.now() - oldest).total_seconds(), 3),
    }
