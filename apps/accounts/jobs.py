from datetime import datetime

from apps.accounts.services import (
    ACCOUNT_UNLOCK,
    SUSPENSION_LIFT,
    account_unlock,
    membership_suspension_lift,
)
from apps.jobs.models import Job
from apps.jobs.registry import job_handler


@job_handler(SUSPENSION_LIFT)
def lift_suspension(job: Job) -> None:
    membership_suspension_lift(
        membership_id=job.payload["membership_id"],
        until=datetime.fromisoformat(job.payload["until"]),
    )


@job_handler(ACCOUNT_UNLOCK)
def unlock_account(job: Job) -> None:
    account_unlock(user_id=job.payload["user_id"])
