from datetime import datetime

from apps.accounts.services import SUSPENSION_LIFT, membership_suspension_lift
from apps.jobs.models import Job
from apps.jobs.registry import job_handler


@job_handler(SUSPENSION_LIFT)
def lift_suspension(job: Job) -> None:
    membership_suspension_lift(
        membership_id=job.payload["membership_id"],
        until=datetime.fromisoformat(job.payload["until"]),
    )
