"""Running: a worker's wake-up claims a batch of due jobs, fairly across tenants, with one
`UPDATE ... RETURNING` (`jobs_run_due`; `job_run` for one job), and runs them one by one,
each in its own transaction and tenant. A job runs only after an atomic claim of its row,
and its effects commit only while its claim holds (the fence), so duplicate messages,
several workers or several beats cause one effect. A failed run waits in `failed` for its
retry (exponential backoff) and ends `dead` after max_attempts, with its kind's on_dead hook.
"""

import logging
import random
import time
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.metrics import job_lag_observe
from apps.jobs.models import Job
from apps.jobs.registry import handler_for
from apps.tenants.policies import tenant_open

logger = logging.getLogger(__name__)
State = Job.State


def _lease() -> timedelta:
    return timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def job_dead_hook(job: Job) -> None:
    on_dead = handler_for(job.kind).on_dead
    if on_dead is not None:
        with in_tenant(job):
            on_dead(job)


def _backoff(attempts: int) -> timedelta:
    """Exponential, capped, with jitter so failures of one cause do not retry in step."""
    base = settings.JOBS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return timedelta(seconds=min(base, settings.JOBS_RETRY_MAX_SECONDS) * random.uniform(0.5, 1))  # noqa: S311


def job_run(*, job_id: int) -> str:
    """Claim job `job_id` and run its handler; the outcome, for logs and tests."""
    now = timezone.now()
    claimed = _claim(
        # A message for an earlier time (rescheduled since) must not run it early.
        "SELECT id, 1 AS turn FROM jobs_job WHERE id = %(id)s AND run_at <= %(soon)s",
        {"id": job_id, "soon": now + timedelta(seconds=1)},
        [State.SCHEDULED, State.ENQUEUED],
        now,
    )
    return _run_claimed(claimed, now)[0] if claimed else "not claimed"


# Tenants that have enqueued jobs, one index probe each (a loose index scan on
# job_ready_idx, ordered as that index is, so no other index serves it), then each one's
# earliest due jobs, up to its share of a batch, locked; ranked by turn (1 = a tenant's
# earliest), so a batch takes every waiting tenant's first job before anyone's second. Jobs
# without a tenant take turns as one more tenant. 50,000 due jobs cost what a few do
# (tests/jobs/test_scale.py checks the plan).
FAIR_CLAIM = """
WITH RECURSIVE busy(tenant_id) AS (
    (SELECT tenant_id FROM jobs_job WHERE state = 'enqueued' AND tenant_id IS NOT NULL
     ORDER BY tenant_id, run_at LIMIT 1)
  UNION ALL
    SELECT (SELECT j.tenant_id FROM jobs_job j
            WHERE j.state = 'enqueued' AND j.tenant_id > busy.tenant_id
            ORDER BY j.tenant_id, j.run_at LIMIT 1)
    FROM busy WHERE busy.tenant_id IS NOT NULL
), shares AS (
    -- Each tenant (and the jobs of none) locks at most its share of a batch.
    SELECT (%(limit)s + greatest(count(tenant_id), 1) - 1) / greatest(count(tenant_id), 1)
           AS share FROM busy
), candidates AS (
    SELECT c.id, c.run_at, row_number() OVER (PARTITION BY c.tenant_id ORDER BY c.run_at) AS turn
    FROM busy CROSS JOIN LATERAL (
        SELECT j.id, j.tenant_id, j.run_at FROM jobs_job j
        WHERE j.tenant_id = busy.tenant_id AND j.state = 'enqueued' AND j.run_at <= %(now)s
        ORDER BY j.run_at LIMIT (SELECT share FROM shares) FOR UPDATE SKIP LOCKED
    ) c
  UNION ALL
    SELECT g.id, g.run_at, row_number() OVER (ORDER BY g.run_at) FROM (
        SELECT j.id, j.run_at FROM jobs_job j
        WHERE j.tenant_id IS NULL AND j.state = 'enqueued' AND j.run_at <= %(now)s
        ORDER BY j.run_at LIMIT (SELECT share FROM shares) FOR UPDATE SKIP LOCKED
    ) g
)
SELECT id, turn FROM candidates ORDER BY turn, run_at LIMIT %(limit)s
"""


def jobs_run_due(
    *, due: datetime | None = None, limit: int | None = None, seconds: float | None = None
) -> list[str]:
    """A worker's wake-up for jobs due at `due`: claim a batch of due jobs, fairly across
    tenants, run them one by one, and claim again while some are due, for up to `seconds`
    (0: one batch); the outcomes in claim order.

    Claiming again keeps a burst draining whatever the count of wake-ups: a batch can be
    smaller than `limit` (shares), or taken by another wake-up's jobs."""
    now = timezone.now()
    if due is not None and due > now:
        # Celery's timer can fire a little before the ETA; a job never runs early, and a
        # wake-up that found nothing would leave its job to the sweep's resend.
        time.sleep(min((due - now).total_seconds(), 1.0))
        now = timezone.now()
    limit = limit or settings.JOBS_CLAIM_BATCH
    seconds = settings.JOBS_RUN_DUE_SECONDS if seconds is None else seconds
    until = time.monotonic() + seconds
    outcomes: list[str] = []
    while True:
        claimed = _claim(FAIR_CLAIM, {"now": now, "limit": limit}, [State.ENQUEUED], now)
        outcomes += _run_claimed(claimed, now)
        if not claimed or time.monotonic() >= until:
            return outcomes
        now = timezone.now()


def _claim(picked: str, params: dict[str, Any], states: list[str], now: datetime) -> list[Job]:
    """Mark the jobs `picked` (a query of ids and turns) running, one more attempt and a
    lease, if they are still in `states`: one `UPDATE ... RETURNING`, the atomic claim
    that lets one worker through. The jobs in turn order."""
    sql = (
        "UPDATE jobs_job j SET state = %(running)s, attempts = j.attempts + 1,"  # noqa: S608
        f" started_at = %(now)s, lease_until = %(lease)s FROM ({picked}) picked"
        " WHERE j.id = picked.id AND j.state = ANY(%(states)s) RETURNING j.id, picked.turn"
    )
    lease = now + _lease()
    params = {**params, "running": State.RUNNING, "now": now, "lease": lease, "states": states}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        turns = dict(cursor.fetchall())
    if not turns:
        return []
    jobs = Job.objects.select_related("tenant").in_bulk(list(turns))
    return sorted(jobs.values(), key=lambda job: (turns[job.pk], job.run_at, job.pk))


def _run_claimed(jobs: list[Job], claimed_at: datetime) -> list[str]:
    """Run claimed jobs one after the other, each in its own transaction and tenant."""
    outcomes: list[str] = []
    for _tenant, run in groupby(jobs, key=lambda job: job.tenant_id):
        same_tenant = list(run)
        # One switch of the connection for a tenant's jobs in a row: their own rows in
        # jobs_job are within the tenant's row-level security.
        with in_tenant(same_tenant[0]):
            outcomes += [_job_execute(job, claimed_at=claimed_at) for job in same_tenant]
    return outcomes


def _job_execute(job: Job, *, claimed_at: datetime) -> str:
    # Every claimed job passes here once: its lag at claim is `claimed_at - job.run_at`.
    job_lag_observe(kind=job.kind, run_at=job.run_at, claimed_at=claimed_at)  # metrics
    if job.tenant is not None and not tenant_open(job.tenant):
        _job_postpone(job, reason="The company is deactivated; the job waits for it.")
        return "tenant inactive"
    try:
        with transaction.atomic():
            # Fence: hold the row for the whole run; if the lease was lost and the job
            # reclaimed meanwhile, `attempts` moved on and this run does nothing. The
            # lease counts from the start of this job, not of its batch.
            # Plain SQL: the ORM's compiling costs more than the round trip, per job.
            now = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE jobs_job SET started_at = %s, lease_until = %s"
                    " WHERE id = %s AND state = %s AND attempts = %s",
                    [now, now + _lease(), job.pk, State.RUNNING, job.attempts],
                )
                if cursor.rowcount != 1:
                    return "lease lost"
            with in_tenant(job):
                handler_for(job.kind).run(job)
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE jobs_job SET state = %s, finished_at = %s, lease_until = NULL,"
                    " last_error = '' WHERE id = %s",
                    [State.SUCCEEDED, timezone.now(), job.pk],
                )
    except Exception as exc:
        logger.exception("job %s (%s) failed, attempt %s", job.pk, job.kind, job.attempts)
        _job_failed(job, exc)
        return "dead" if job.attempts >= job.max_attempts else "failed"
    return "succeeded"


def _job_postpone(job: Job, *, reason: str) -> None:
    """Put a claimed job back, not counting the attempt: it runs once the reason is gone."""
    Job.objects.filter(pk=job.pk, state=State.RUNNING, attempts=job.attempts).update(
        state=State.SCHEDULED,
        run_at=timezone.now() + timedelta(seconds=settings.JOBS_INACTIVE_TENANT_WAIT_SECONDS),
        attempts=F("attempts") - 1,
        lease_until=None,
        enqueued_at=None,
        last_error=reason,
    )


def in_tenant(job: Job) -> AbstractContextManager[object]:
    """The job's tenant; entering the tenant the connection is already in costs a round
    trip (django-tenants sets the search_path again), so that is skipped."""
    if job.tenant is None or getattr(connection, "tenant", None) == job.tenant:
        return nullcontext()
    return tenant_context(job.tenant)


@transaction.atomic
def _job_failed(job: Job, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    dead = job.attempts >= job.max_attempts
    if dead:
        changes: dict[str, Any] = {"state": State.DEAD, "finished_at": timezone.now()}
    else:
        changes = {"state": State.FAILED, "run_at": timezone.now() + _backoff(job.attempts)}
    updated = Job.objects.filter(pk=job.pk, state=State.RUNNING, attempts=job.attempts).update(
        last_error=error, lease_until=None, **changes
    )
    if dead and updated:
        job_dead_hook(job)
