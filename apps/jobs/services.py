"""The delayed queue: schedule, cancel, reschedule; dispatch to Celery; run with a claim.

States: scheduled -> enqueued -> running -> succeeded; a failed run waits in `failed`
for its retry and ends `dead` after max_attempts; `cancelled` any time before it runs.

Scheduling is one INSERT in the caller's transaction (`job_schedule_many`: one for many
jobs). A job due within JOBS_HORIZON_SECONDS goes in enqueued, and after commit a Celery
message wakes a worker at its run_at (apps.jobs.dispatch: one per batch of jobs due
together, all published by one callback). A woken worker claims a batch of due jobs,
fairly across tenants, with one `UPDATE ... RETURNING` (`jobs_run_due`), and runs them one
by one, each in its own transaction and tenant. Celery beat runs `jobs_sweep` about every
second: it enqueues what has come within the horizon, wakes workers again for jobs left
waiting (a lost message), and reclaims jobs whose worker died (lease passed). A job runs
only after an atomic claim of its row, and its effects commit only while its claim holds
(the fence), so duplicate messages, several workers or several beats cause one effect.
"""

import json
import logging
import random
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.metrics import job_lag_observe
from apps.jobs.dispatch import publish_after_commit
from apps.jobs.models import Job
from apps.jobs.registry import handler_for
from apps.tenants.models import Tenant
from apps.tenants.policies import tenant_open
from apps.tenants.rowsecurity import operator_context

logger = logging.getLogger(__name__)
State = Job.State
WAITING = [State.SCHEDULED, State.FAILED]
CANCELLABLE = [State.SCHEDULED, State.ENQUEUED, State.FAILED]


def _horizon() -> timedelta:
    return timedelta(seconds=settings.JOBS_HORIZON_SECONDS)


def _lease() -> timedelta:
    return timedelta(seconds=settings.JOBS_LEASE_SECONDS)


@dataclass(frozen=True)
class JobSpec:
    """One job for `job_schedule_many`."""

    tenant: Tenant | None
    kind: str
    payload: dict[str, Any]
    run_at: datetime
    idempotency_key: str | None = None
    max_attempts: int | None = None


def job_schedule(
    *,
    tenant: Tenant | None,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime | None = None,
    delay: float | None = None,
    idempotency_key: str | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Schedule `kind` to run at `run_at` (or after `delay` seconds): one INSERT in the
    caller's transaction; the worker is woken after commit (apps.jobs.dispatch).

    With an idempotency key, scheduling the same key again for the tenant returns the
    job already there instead of a second one.
    """
    if (run_at is None) == (delay is None):
        raise ValueError("give exactly one of run_at and delay")
    when = run_at or timezone.now() + timedelta(seconds=delay or 0)
    spec = JobSpec(tenant, kind, payload, when, idempotency_key, max_attempts)
    return job_schedule_many(jobs=[spec])[0]


def job_schedule_many(*, jobs: Sequence[JobSpec]) -> list[Job]:
    """Schedule `jobs` with one multi-row INSERT (two if some belong to no tenant) and one
    batched wake-up after commit; the jobs in the order given. Idempotency keys work as in
    `job_schedule`, also between jobs of the same call (the first one wins)."""
    for spec in jobs:
        handler_for(spec.kind)  # an unknown kind fails here, not when it is due
    now = timezone.now()
    result: list[Job | None] = [None] * len(jobs)
    fresh: list[Job] = []
    for global_jobs in (False, True):
        part = [i for i, spec in enumerate(jobs) if (spec.tenant is None) == global_jobs]
        if not part:
            continue
        # Global jobs are written from outside any tenant; a tenant's jobs on its own
        # connection (row-level security refuses another tenant's).
        with operator_context() if global_jobs else nullcontext():
            inserted, new = _jobs_insert([jobs[i] for i in part], now)
        fresh += new
        for i, job in zip(part, inserted, strict=True):
            result[i] = job
    publish_after_commit((job.pk, job.run_at) for job in fresh if job.state == State.ENQUEUED)
    return cast(list[Job], result)


# One array a column, so the statement stays small however many jobs (a VALUES list of
# 10,000 rows costs more to build and parse than to insert).
_INSERT = """
INSERT INTO jobs_job (tenant_id, kind, payload, run_at, state, attempts, max_attempts,
                      last_error, idempotency_key, enqueued_at, created_at, updated_at)
SELECT tenant_id, kind, payload, run_at, state, 0, max_attempts, '', idempotency_key,
       enqueued_at, %s, %s
FROM unnest(%s::bigint[], %s::text[], %s::jsonb[], %s::timestamptz[], %s::text[],
            %s::integer[], %s::text[], %s::timestamptz[]) WITH ORDINALITY
     AS given(tenant_id, kind, payload, run_at, state, max_attempts, idempotency_key,
              enqueued_at, position)
ORDER BY position
ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING id, tenant_id, idempotency_key
"""


def _jobs_insert(specs: list[JobSpec], now: datetime) -> tuple[list[Job], list[Job]]:
    """INSERT ... ON CONFLICT DO NOTHING: a key already there (or earlier in `specs`)
    gives back the job that holds it. Jobs due within the horizon go in enqueued. The jobs
    in the order of `specs`, and those inserted now."""
    rows = _job_rows(specs, now)
    columns = ["tenant_id", "kind", "payload", "run_at", "state", "max_attempts"]
    columns += ["idempotency_key", "enqueued_at"]
    arrays = [[getattr(job, name) for job in rows] for name in columns]
    arrays[2] = [json.dumps(payload) for payload in arrays[2]]
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, [now, now, *arrays])
        inserted = cursor.fetchall()
    # RETURNING follows the order of insertion (Django's bulk_create relies on it too).
    keyed = {(tenant_id, key): pk for pk, tenant_id, key in inserted if key is not None}
    unkeyed = iter(pk for pk, _, key in inserted if key is None)
    taken: dict[tuple[int | None, str], Job] = {}
    fresh: list[Job] = []
    missing: list[int] = []
    for i, job in enumerate(rows):
        key = (job.tenant_id, job.idempotency_key or "")
        if job.idempotency_key is None:
            job.pk = next(unkeyed)
            fresh.append(job)
        elif key in taken:  # the same key earlier in this call
            rows[i] = taken[key]
        elif key in keyed:
            job.pk = keyed[key]
            taken[key] = job
            fresh.append(job)
        else:
            missing.append(i)
    if missing:
        holders = _key_holders([rows[i] for i in missing])
        for i in missing:
            rows[i] = holders[(rows[i].tenant_id, rows[i].idempotency_key)]
    return rows, fresh


_UNSET = {"id": None, "attempts": 0, "last_error": "", "lease_until": None}
_UNSET |= {"started_at": None, "finished_at": None}


def _job_rows(specs: list[JobSpec], now: datetime) -> list[Job]:
    """The jobs to insert, built as the ORM builds fetched rows: positionally, the quick
    way for 10,000 of them."""
    horizon = now + _horizon()
    fields = [field.attname for field in Job._meta.concrete_fields]  # noqa: SLF001
    rows = []
    for spec in specs:
        enqueued = spec.run_at <= horizon
        row = {
            "tenant_id": spec.tenant.pk if spec.tenant is not None else None,
            "kind": spec.kind,
            "payload": spec.payload,
            "run_at": spec.run_at,
            "state": State.ENQUEUED if enqueued else State.SCHEDULED,
            "max_attempts": spec.max_attempts or settings.JOBS_MAX_ATTEMPTS,
            "idempotency_key": spec.idempotency_key,
            "enqueued_at": now if enqueued else None,
            "created_at": now,
            "updated_at": now,
        }
        job = Job.from_db(connection.alias, fields, [row.get(f, _UNSET.get(f)) for f in fields])
        if spec.tenant is not None:
            Job.tenant.field.set_cached_value(job, spec.tenant)
        rows.append(job)
    return rows


def _key_holders(jobs: list[Job]) -> dict[tuple[int | None, str | None], Job]:
    """The jobs already holding the keys of `jobs`."""
    tenants = {job.tenant_id for job in jobs}
    of_tenants = Q(tenant_id__in=tenants - {None})
    if None in tenants:
        of_tenants |= Q(tenant__isnull=True)
    there = Job.objects.filter(
        of_tenants, idempotency_key__in={job.idempotency_key for job in jobs}
    )
    return {(job.tenant_id, job.idempotency_key): job for job in there}


def job_cancel(*, job: Job) -> bool:
    """Cancel a job that has not started; False if it already ran, runs or was cancelled."""
    cancelled = Job.objects.filter(pk=job.pk, state__in=CANCELLABLE).update(
        state=State.CANCELLED, finished_at=timezone.now()
    )
    return cancelled == 1


def job_cancel_by_key(*, tenant: Tenant | None, idempotency_key: str) -> bool:
    """Cancel the job scheduled under `idempotency_key` for `tenant`, if it has not started;
    False if there is none, or it already ran, runs or was cancelled."""
    cancelled = Job.objects.filter(
        tenant=tenant, idempotency_key=idempotency_key, state__in=CANCELLABLE
    ).update(state=State.CANCELLED, finished_at=timezone.now())
    return cancelled == 1


def job_reschedule(*, job: Job, run_at: datetime) -> bool:
    """Move a job that has not started to `run_at`; a wake-up already sent for the old
    time finds the job not yet due and leaves it."""
    now = timezone.now()
    soon = run_at <= now + _horizon()
    moved = Job.objects.filter(pk=job.pk, state__in=CANCELLABLE).update(
        state=State.ENQUEUED if soon else State.SCHEDULED,
        run_at=run_at,
        enqueued_at=now if soon else None,
    )
    if moved and soon:
        publish_after_commit([(job.pk, run_at)])
    return moved == 1


def job_reschedule_by_key(*, tenant: Tenant | None, idempotency_key: str, run_at: datetime) -> bool:
    """Move the job scheduled under `idempotency_key` for `tenant` to `run_at`, if it has
    not started; False if there is none, or it already ran, runs or was cancelled."""
    job = Job.objects.filter(tenant=tenant, idempotency_key=idempotency_key).only("pk").first()
    return job is not None and job_reschedule(job=job, run_at=run_at)


def job_retry(*, job: Job) -> bool:
    """Operators: give a dead or failed job one more attempt, now."""
    retried = Job.objects.filter(pk=job.pk, state__in=[State.DEAD, State.FAILED]).update(
        state=State.SCHEDULED,
        run_at=timezone.now(),
        max_attempts=F("attempts") + 1,
        finished_at=None,
    )
    if retried:
        transaction.on_commit(lambda: _enqueue(Q(pk=job.pk)))
    return retried == 1


# --- dispatch -----------------------------------------------------------------------------


def _enqueue(condition: Q) -> int:
    """Mark waiting jobs matching `condition` that are due within the horizon enqueued, in
    batches, and wake workers for them after commit."""
    now = timezone.now()
    horizon = now + _horizon()
    total = 0
    while True:
        due = Job.objects.select_for_update(skip_locked=True).filter(
            condition, state__in=WAITING, run_at__lte=horizon
        )
        batch = _update_returning(due.order_by("run_at"), state=State.ENQUEUED, enqueued_at=now)
        publish_after_commit(batch)
        total += len(batch)
        if len(batch) < settings.JOBS_SWEEP_BATCH:
            return total


def _update_returning(rows: QuerySet[Job], **changes: Any) -> list[tuple[int, datetime]]:
    """`UPDATE jobs_job SET ... WHERE id IN (rows, locked, at most a batch) RETURNING id,
    run_at`: one statement, so claims by several beats never overlap."""
    picked = rows.values("pk")[: settings.JOBS_SWEEP_BATCH]
    assignments = ", ".join(f"{name} = %s" for name in changes)
    # One statement; the block only because Django compiles FOR UPDATE in a transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        select, select_params = picked.query.sql_with_params()
        cursor.execute(
            f"UPDATE jobs_job SET {assignments} WHERE id IN ({select})"  # noqa: S608
            " RETURNING id, run_at",
            [*changes.values(), *select_params],
        )
        return cursor.fetchall()


def jobs_sweep() -> dict[str, int]:
    """Celery beat's heartbeat: send what is due soon, re-send lost messages, reclaim the
    jobs of dead workers. Safe to run from several beats at once."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.JOBS_RESEND_AFTER_SECONDS)
    sent = _enqueue(Q())

    # Enqueued and overdue, but not claimed: the broker lost the message (a flush, a
    # restart), or the workers are behind. Another wake-up is harmless.
    lost = _update_returning(
        Job.objects.select_for_update(skip_locked=True).filter(
            state=State.ENQUEUED, run_at__lt=grace, enqueued_at__lt=grace
        ),
        enqueued_at=now,
    )
    publish_after_commit(lost)
    # Running past its lease: the worker died (a live one holds the row lock while it
    # runs the job, so SKIP LOCKED never takes a job that is really running; one waiting
    # its turn in a claimed batch that outlived the lease is run once, by the fence).
    orphans = Job.objects.filter(state=State.RUNNING, lease_until__lt=now)
    dead = _orphans_dead(orphans.filter(attempts__gte=F("max_attempts")), now)
    # An orphan whose on_dead hook failed stays for the next sweep, not for another run.
    reclaimed = _update_returning(
        orphans.select_for_update(skip_locked=True).filter(attempts__lt=F("max_attempts")),
        state=State.ENQUEUED,
        enqueued_at=now,
        lease_until=None,
        last_error=LOST_WORKER,
    )
    publish_after_commit(reclaimed)
    return {"sent": sent, "resent": len(lost), "reclaimed": len(reclaimed), "dead": len(dead)}


LOST_WORKER = "The worker running this job stopped."


def _orphans_dead(orphans: QuerySet[Job], now: datetime) -> list[int]:
    """Orphans that had their last attempt die like any job that failed it: each in its
    own transaction with its kind's on_dead hook, in its tenant."""
    dead = []
    for pk in orphans.values_list("pk", flat=True)[: settings.JOBS_SWEEP_BATCH]:
        try:
            with transaction.atomic():
                job = (
                    Job.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("tenant")
                    .filter(pk=pk, state=State.RUNNING, lease_until__lt=now)
                    .first()
                )
                if job is None:
                    continue
                Job.objects.filter(pk=pk).update(
                    state=State.DEAD, finished_at=now, lease_until=None, last_error=LOST_WORKER
                )
                _on_dead(job)
        except Exception:
            logger.exception("job %s died with its worker; its on_dead hook failed", pk)
            continue
        dead.append(pk)
    return dead


def _on_dead(job: Job) -> None:
    on_dead = handler_for(job.kind).on_dead
    if on_dead is not None:
        with _in_tenant(job):
            on_dead(job)


# --- running ------------------------------------------------------------------------------


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
        with _in_tenant(same_tenant[0]):
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
            with _in_tenant(job):
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


def _in_tenant(job: Job) -> AbstractContextManager[object]:
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
        _on_dead(job)


def jobs_prune(*, older_than: timedelta) -> int:
    """Delete finished jobs (succeeded or cancelled) older than `older_than`; dead jobs stay
    until an operator deals with them."""
    deleted, _ = Job.objects.filter(
        state__in=[State.SUCCEEDED, State.CANCELLED], finished_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
