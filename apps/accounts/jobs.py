from datetime import datetime

from apps.accounts.services import COMPANY_PURGE, SUSPENSION_LIFT, membership_suspension_lift
from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.tenants.services import tenant_purge


@job_handler(SUSPENSION_LIFT)
def lift_suspension(job: Job) -> None:
    membership_suspension_lift(
        membership_id=job.payload["membership_id"],
        until=datetime.fromisoformat(job.payload["until"]),
    )


@job_handler(COMPANY_PURGE)
def purge_deleted_company(job: Job) -> None:
    tenant_purge(tenant_id=job.payload["tenant_id"], deleted_at=job.payload["deleted_at"])
