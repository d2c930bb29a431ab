"""Job kinds that exist for tests; the test worker loads them with --include."""

import time

from django_redis import get_redis_connection

from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.notifications.models import Notification


def runs_key(job: Job) -> str:
    return f"kura-test:job-starts:{job.pk}"


@job_handler("test.effect")
def effect(job: Job) -> None:
    """Count every start (outside the transaction), sleep if asked, then leave one
    notification titled after the job (inside it)."""
    get_redis_connection("default").rpush(runs_key(job), time.time())
    time.sleep(job.payload.get("sleep", 0))
    Notification.objects.create(user_id=job.payload["user_id"], kind="test", title=f"job-{job.pk}")


@job_handler("test.fail")
def fail(job: Job) -> None:
    get_redis_connection("default").rpush(runs_key(job), time.time())
    raise RuntimeError("this handler always fails")


def _noted_dead(job: Job) -> None:
    Notification.objects.create(user_id=job.payload["user_id"], kind="test", title=f"dead-{job.pk}")


@job_handler("test.dies", on_dead=_noted_dead)
def dies(job: Job) -> None:
    """Fails every time; when given up, leaves a notification titled dead-<id>."""
    raise RuntimeError("this handler always fails")
