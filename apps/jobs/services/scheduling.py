"""Scheduling: one INSERT in the caller's transaction for one job or many, cancel,
reschedule and retry; and the marking of due jobs enqueued, with their wake-ups after
commit (apps.jobs.dispatch), which the sweep shares.

A job due within JOBS_HORIZON_SECONDS goes in enqueued, and after commit a Celery message
wakes a worker at its run_at (one per batch of jobs due together, all published by one
callback); a later one waits in scheduled for the sweep.
"""

import json
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.jobs.dispatch import publish_after_commit
from apps.jobs.models import Job
from apps.jobs.registry import handler_for
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import operator_context

State = Job.State
WAITING = [State.SCHEDULED, State.FAILED]
CANCELLABLE = [State.SCHEDULED, State.ENQUEUED, State.FAILED]


def _horizon() -> timedelta:
    return timedelta(seconds=settings.JOBS_HORIZON_SECONDS)


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
        transaction.on_commit(lambda: enqueue_due(Q(pk=job.pk)))
    return retried == 1


def enqueue_due(condition: Q) -> int:
    """Mark waiting jobs matching `condition` that are due within the horizon enqueued, in
    batches, and wake workers for them after commit."""
    now = timezone.now()
    horizon = now + _horizon()
    total = 0
    while True:
        due = Job.objects.select_for_update(skip_locked=True).filter(
            condition, state__in=WAITING, run_at__lte=horizon
        )
        batch = update_returning(due.order_by("run_at"), state=State.ENQUEUED, enqueued_at=now)
        publish_after_commit(batch)
        total += len(batch)
        if len(batch) < settings.JOBS_SWEEP_BATCH:
            return total


def update_returning(rows: QuerySet[Job], **changes: Any) -> list[tuple[int, datetime]]:
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
