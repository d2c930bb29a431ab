"""Reads on the delayed queue for other apps (the jobs' own reads stay in services)."""

from datetime import datetime

from django.db.models import Count

from apps.jobs.models import Job

# A job has run when it ended: done, or dead after its last attempt (cancelled ones never ran).
RAN = (Job.State.SUCCEEDED, Job.State.DEAD)


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
