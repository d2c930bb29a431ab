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

from apps.jobs.services.runner import FAIR_CLAIM, job_run, jobs_run_due
from apps.jobs.services.scheduling import (
    CANCELLABLE,
    WAITING,
    JobSpec,
    job_cancel,
    job_cancel_by_key,
    job_reschedule,
    job_reschedule_by_key,
    job_retry,
    job_schedule,
    job_schedule_many,
)
from apps.jobs.services.sweep import LOST_WORKER, jobs_prune, jobs_sweep

__all__ = [
    "CANCELLABLE",
    "FAIR_CLAIM",
    "LOST_WORKER",
    "WAITING",
    "JobSpec",
    "job_cancel",
    "job_cancel_by_key",
    "job_reschedule",
    "job_reschedule_by_key",
    "job_retry",
    "job_run",
    "job_schedule",
    "job_schedule_many",
    "jobs_prune",
    "jobs_run_due",
    "jobs_sweep",
]
