from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.orders.services import ORDER_EXPIRE, order_expire


@job_handler(ORDER_EXPIRE)
def expire_order(job: Job) -> None:
    assert job.tenant is not None  # noqa: S101 - orders are a company's
    order_expire(tenant=job.tenant, order_id=job.payload["order_id"])
