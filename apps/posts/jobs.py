from apps.jobs.models import Job
from apps.jobs.registry import job_handler
from apps.posts.services import POST_PUBLISH, post_publish_due


@job_handler(POST_PUBLISH)
def publish_post(job: Job) -> None:
    assert job.tenant is not None  # noqa: S101 - posts are a company's
    post_publish_due(tenant=job.tenant, post_id=job.payload["post_id"])
