from datetime import datetime, timedelta

from django.conf import settings

from apps.jobs.services import job_run, jobs_prune, jobs_run_due, jobs_sweep
from config.celery import app


@app.task(ignore_result=True)
def jobs_run_due_task(due: str | None = None) -> list[str]:
    """A wake-up (apps.jobs.dispatch) for jobs due at `due` (ISO time; None: now): claim a
    batch of due jobs and run them."""
    return jobs_run_due(due=datetime.fromisoformat(due) if due else None)


# Messages sent before wake-ups replaced them name their job; they still run it.
@app.task(ignore_result=True)
def job_run_task(job_id: int) -> str:
    return job_run(job_id=job_id)


# Sweeps come every second; one that waited longer than that is already superseded.
@app.task(ignore_result=True, expires=5)
def job_sweep_task() -> dict[str, int]:
    return jobs_sweep()


@app.task(ignore_result=True)
def jobs_prune_task() -> int:
    return jobs_prune(older_than=timedelta(days=settings.JOBS_KEEP_FINISHED_DAYS))
