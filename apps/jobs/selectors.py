"""Reads on the delayed queue for other apps and for operators (jobs are public rows of
every tenant; the jobs' own reads stay in services)."""

from datetime import datetime

from django.db.models import Count

from apps.jobs.models import Job
from apps.tenants.rowsecurity import operator_context

# Finished jobs are history, kept for JOBS_KEEP_FINISHED_DAYS: counting them on every
# scrape would read the whole table for a number nobody waits on.
QUEUE_STATES = [
    Job.State.SCHEDULED,
    Job.State.ENQUEUED,
    Job.State.RUNNING,
    Job.State.FAILED,
    Job.State.DEAD,
]
# A job has run when it ended: done, or dead after its last attempt (cancelled ones never ran).
RAN = (Job.State.SUCCEEDED, Job.State.DEAD)


def job_counts_by_state() -> dict[str, int]:
    """Jobs of every tenant in each state of the queue (dead included), zero where there
    are none; one grouped query, as the operators' role (row-level security would show a
    tenant's connection its own jobs only)."""
    with operator_context():
        found = dict(
            Job.objects.filter(state__in=QUEUE_STATES)
            .order_by()
            .values_list("state")
            .annotate(count=Count("id"))
            .values_list("state", "count")
        )
    return {str(state): found.get(state, 0) for state in QUEUE_STATES}


def jobs_run_by_tenant(*, start: datetime, end: datetime) -> dict[int, int]:
    """Operators: how many jobs of each company finished in [start, end), in one query
    (jobs about global accounts belong to no company and are left out)."""
    rows = (
        Job.objects.filter(
            state__in=RAN, finished_at__gte=start, finished_at__lt=end, tenant__isnull=False
        )
        .values("tenant_id")
        .annotate(count=Count("id"))
        .order_by()
        .values_list("tenant_id", "count")
    )
    return dict(rows)


def job_get(*, job_id: int) -> Job | None:
    """A job of the current company (row-level security shows it no other's)."""
    return Job.objects.filter(pk=job_id).first()
