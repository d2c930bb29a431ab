"""The job kind of bench/delay_precision.py; its worker loads this module with --include.

The handler only notes in Redis when it started and how many times it started, so the
figures measure the queue, not the work. Redis is outside the job's transaction: a start
whose run was rolled back still counts."""

import time
from typing import TYPE_CHECKING

from django_redis import get_redis_connection

from apps.jobs.registry import job_handler

if TYPE_CHECKING:
    from apps.jobs.models import Job

KIND = "bench.delay"
STARTS = "kura-bench:delay:starts"  # job id -> how many times the handler started
STARTED = "kura-bench:delay:started"  # job id -> time.time() of its first start


@job_handler(KIND)
def note_start(job: "Job") -> None:
    now = time.time()
    redis = get_redis_connection("default").pipeline(transaction=False)
    redis.hincrby(STARTS, job.pk, 1).hsetnx(STARTED, job.pk, now).execute()
