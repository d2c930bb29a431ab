from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.tenants.services import TENANT_PURGE, tenant_purge


@job_handler(TENANT_PURGE)
def purge_deleted_tenant(job: Job) -> None:
    tenant_purge(tenant_id=job.payload["tenant_id"], deleted_at=job.payload["deleted_at"])
