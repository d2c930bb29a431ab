import time
from collections.abc import Callable

import pytest
import redis
from django.conf import settings
from django_redis import get_redis_connection

from apps.accounts.models import Membership
from apps.jobs.models import Job


@pytest.fixture
def person(committed_person: Membership) -> Membership:
    return committed_person


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


def flush_this_runs_redis() -> None:
    """What FLUSHALL does to this run: its cache, broker and result databases emptied (the
    other databases are other runs', side by side, and `make run`'s)."""
    for url in {settings.REDIS_URL, settings.CELERY_BROKER_URL, settings.CELERY_RESULT_BACKEND}:
        with redis.Redis.from_url(url) as connection:
            connection.flushdb()
