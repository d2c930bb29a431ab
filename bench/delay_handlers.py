"""The job kind and the plain Celery task of bench/delay_precision.py; its worker loads this
module with --include.

Both only note in Redis when they started and how many times they started, so the figures
measure the queue, not the work. Redis is outside the job's transaction: a start whose run
was rolled back still counts; the job kind also counts its committed runs (on commit of the
transaction that marks the job succeeded), the effect that must happen once."""

import time
from typing import TYPE_CHECKING

from django.db import transaction
from django_redis import get_redis_connection

from apps.jobs.registry import job_handler
from config.celery import app

if TYPE_CHECKING:
    from apps.jobs.models import Job

KIND = "bench.delay"
STARTS = "kura-bench:delay:starts"  # job id -> how many times the handler started
STARTED = "kura-bench:delay:started"  # job id -> time.time() of its first start
DONE = "kura-bench:delay:done"  # job id -> how many of its runs committed
PLAIN_STARTS = "kura-bench:delay:plain-starts"  # the same for the plain Celery task
PLAIN_STARTED = "kura-bench:delay:plain-started"


@job_handler(KIND)
def note_start(job: "Job") -> None:
    now = time.time()
    redis = get_redis_connection("default")
    redis.pipeline(transaction=False).hincrby(STARTS, job.pk, 1).hsetnx(
        STARTED, job.pk, now
    ).execute()
    transaction.on_commit(lambda: redis.hincrby(DONE, job.pk, 1))


@app.task(ignore_result=True)
def noop_task(n: int) -> None:
    """Plain Celery, no job row: the same note as the job kind's."""
    now = time.time()
    redis = get_redis_connection("default").pipeline(transaction=False)
    redis.hincrby(PLAIN_STARTS, n, 1).hsetnx(PLAIN_STARTED, n, now).execute()
