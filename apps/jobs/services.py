"""The delayed queue: schedule, cancel, reschedule; dispatch to Celery; run with a claim.

States: scheduled -> enqueued -> running -> succeeded; a failed run waits in `failed`
for its retry and ends `dead` after max_attempts; `cancelled` any time before it runs.

Jobs due within JOBS_HORIZON_SECONDS are sent to Celery as ETA messages (sub-second
precision). Celery beat runs `jobs_sweep` about every second: it sends what has come
within the horizon, re-sends messages the broker lost, and reclaims jobs whose worker
died (lease passed). A job runs only after an atomic claim of its row, so duplicate
messages, several workers or several beats cause one effect.
"""

import logging
import random
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tenants.utils import tenant_context

from apps.core.metrics import job_lag_observe
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
    """Schedule `kind` to run at `run_at` (or after `delay` seconds).

    With an idempotency key, scheduling the same key again for the tenant returns the
    job already there instead of a second one.
    """
    if (run_at is None) == (delay is None):
        raise ValueError("give exactly one of run_at and delay")
    handler_for(kind)  # an unknown kind fails here, not when it is due
    with _as_owner_of(tenant.pk if tenant else None):
        return _job_insert(
            tenant=tenant,
            kind=kind,
            payload=payload,
            run_at=run_at or timezone.now() + timedelta(seconds=delay or 0),
            idempotency_key=idempotency_key,
            max_attempts=max_attempts or settings.JOBS_MAX_ATTEMPTS,
        )


def _as_owner_of(tenant_id: int | None) -> AbstractContextManager[object]:
    """A job without a tenant (about a global account) is an operators' row: row-level
    security hides it from a tenant's connection, so it is written from outside."""
    return nullcontext() if tenant_id is not None else operator_context()


def _job_insert(
    *,
    tenant: Tenant | None,
    kind: str,
    payload: dict[str, Any],
    run_at: datetime,
    idempotency_key: str | None,
    max_attempts: int,
) -> Job:
    if idempotency_key is not None:
        existing = Job.objects.filter(tenant=tenant, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    job = Job(
        tenant=tenant,
        kind=kind,
        payload=payload,
        run_at=run_at,
        idempotency_key=idempotency_key,
        max_attempts=max_attempts,
    )
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # the same key, scheduled at the same moment elsewhere
        return Job.objects.get(tenant=tenant, idempotency_key=idempotency_key)
    if job.run_at <= timezone.now() + _horizon():
        transaction.on_commit(lambda: _enqueue_as_owner(job))
    return job


def _enqueue_as_owner(job: Job) -> None:
    with _as_owner_of(job.tenant_id):
        _enqueue(Q(pk=job.pk))


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
    """Move a job that has not started to `run_at`; a message already sent for the old
    time finds the job not yet due and does nothing."""
    moved = Job.objects.filter(pk=job.pk, state__in=CANCELLABLE).update(
        state=State.SCHEDULED, run_at=run_at, enqueued_at=None
    )
    if moved and run_at <= timezone.now() + _horizon():
        transaction.on_commit(lambda: _enqueue(Q(pk=job.pk)))
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


def _send(job_id: int, run_at: datetime) -> None:
    from apps.jobs.tasks import job_run_task

    # The job row is public; the handler enters the tenant itself.
    job_run_task.apply_async(args=[job_id], eta=run_at, headers={"_schema_name": "public"})


def _enqueue(condition: Q) -> int:
    """Mark waiting jobs matching `condition` enqueued and send their messages."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(condition, state__in=WAITING, run_at__lte=now + _horizon())
            .order_by("run_at")
            .values_list("pk", "run_at")[: settings.JOBS_SWEEP_BATCH]
        )
        Job.objects.filter(pk__in=[pk for pk, _ in due]).update(
            state=State.ENQUEUED, enqueued_at=now
        )
    for pk, run_at in due:
        _send_or_leave_to_sweep(pk, run_at)
    return len(due)


def _send_or_leave_to_sweep(job_id: int, run_at: datetime) -> None:
    """A broker that is down must not fail the request that scheduled the job: the job is
    safe in PostgreSQL, and the sweep sends its message again once the broker is back."""
    try:
        _send(job_id, run_at)
    except Exception:
        logger.warning("could not send job %s to the broker; the sweep will", job_id, exc_info=True)


def jobs_sweep() -> dict[str, int]:
    """Celery beat's heartbeat: send what is due soon, re-send lost messages, reclaim the
    jobs of dead workers. Safe to run from several beats at once."""
    now = timezone.now()
    grace = timedelta(seconds=settings.JOBS_RESEND_AFTER_SECONDS)
    sent = _enqueue(Q())

    # Enqueued and overdue, but not running: the broker lost the message (a flush, a
    # restart). Sending again is harmless; the claim lets one message through.
    with transaction.atomic():
        lost = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(state=State.ENQUEUED, run_at__lt=now - grace, enqueued_at__lt=now - grace)
            .values_list("pk", flat=True)[: settings.JOBS_SWEEP_BATCH]
        )
        Job.objects.filter(pk__in=lost).update(enqueued_at=now)
    # Running past its lease: the worker died (a live one holds the row lock, so
    # SKIP LOCKED never takes a job that is really running).
    with transaction.atomic():
        orphans = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(state=State.RUNNING, lease_until__lt=now)
            .values_list("pk", flat=True)[: settings.JOBS_SWEEP_BATCH]
        )
        lost_worker = "The worker running this job stopped."
        Job.objects.filter(pk__in=orphans, attempts__gte=F("max_attempts")).update(
            state=State.DEAD, finished_at=now, lease_until=None, last_error=lost_worker
        )
        orphans = list(
            Job.objects.filter(pk__in=orphans, state=State.RUNNING).values_list("pk", flat=True)
        )
        Job.objects.filter(pk__in=orphans).update(
            state=State.ENQUEUED, enqueued_at=now, lease_until=None, last_error=lost_worker
        )
    for pk in [*lost, *orphans]:
        _send_or_leave_to_sweep(pk, now)
    return {"sent": sent, "resent": len(lost), "reclaimed": len(orphans)}


# --- running ------------------------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    """Exponential, capped, with jitter so failures of one cause do not retry in step."""
    base = settings.JOBS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return timedelta(seconds=min(base, settings.JOBS_RETRY_MAX_SECONDS) * random.uniform(0.5, 1))  # noqa: S311


def job_run(*, job_id: int) -> str:
    """Claim job `job_id` and run its handler; the outcome, for logs and tests."""
    now = timezone.now()
    claimed = Job.objects.filter(
        pk=job_id,
        state__in=[State.SCHEDULED, State.ENQUEUED],
        # A message for an earlier time (rescheduled since) must not run it early.
        run_at__lte=now + timedelta(seconds=1),
    ).update(
        state=State.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_until=now + timedelta(seconds=settings.JOBS_LEASE_SECONDS),
    )
    if not claimed:
        return "not claimed"
    job = Job.objects.select_related("tenant").get(pk=job_id)
    job_lag_observe(kind=job.kind, run_at=job.run_at, claimed_at=now)  # metrics: lag at claim
    if job.tenant is not None and not tenant_open(job.tenant):
        _job_postpone(job, reason="The company is deactivated; the job waits for it.")
        return "tenant inactive"
    try:
        with transaction.atomic():
            # Fence: hold the row for the whole run; if the lease was lost and the job
            # reclaimed meanwhile, `attempts` moved on and this run does nothing.
            if (
                not Job.objects.select_for_update()
                .filter(pk=job.pk, state=State.RUNNING, attempts=job.attempts)
                .exists()
            ):
                return "lease lost"
            with _in_tenant(job):
                handler_for(job.kind).run(job)
            Job.objects.filter(pk=job.pk).update(
                state=State.SUCCEEDED, finished_at=timezone.now(), lease_until=None, last_error=""
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
    return tenant_context(job.tenant) if job.tenant else nullcontext()


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
    on_dead = handler_for(job.kind).on_dead
    if dead and updated and on_dead is not None:
        with _in_tenant(job):
            on_dead(job)


def jobs_prune(*, older_than: timedelta) -> int:
    """Delete finished jobs (succeeded or cancelled) older than `older_than`; dead jobs stay
    until an operator deals with them."""
    deleted, _ = Job.objects.filter(
        state__in=[State.SUCCEEDED, State.CANCELLED], finished_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
