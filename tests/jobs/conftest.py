import time
from collections.abc import Callable, Iterator

import pytest
from django_redis import get_redis_connection
from django_tenants.utils import schema_context

from apps.accounts.models import Membership, User
from apps.jobs.models import Job
from apps.notifications.models import Notification
from apps.reminders.models import Reminder


@pytest.fixture
def committed(django_db_blocker, tenants) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Database access without a wrapping transaction: worker processes must see what the
    test writes. Everything the test leaves is deleted afterwards."""
    with django_db_blocker.unblock():
        yield
        Job.objects.all().delete()
        for tenant in tenants:
            with schema_context(tenant.schema_name):
                Reminder.objects.all().delete()
                Notification.objects.all().delete()
        Membership.objects.filter(user__email__endswith="@jobs.example").delete()
        User.objects.filter(email__endswith="@jobs.example").delete()


@pytest.fixture
def person(committed, tenant) -> Membership:  # type: ignore[no-untyped-def]
    user = User.objects.create_user(email=f"p{time.monotonic_ns()}@jobs.example", password="x" * 12)
    return Membership.objects.create(user=user, tenant=tenant, role="member")


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def starts(job: Job) -> list[float]:
    return [
        float(x)
        for x in get_redis_connection("default").lrange(f"kura-test:job-starts:{job.pk}", 0, -1)
    ]


def job_state(job: Job) -> str:
    return Job.objects.values_list("state", flat=True).get(pk=job.pk)
