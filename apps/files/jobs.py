from uuid import UUID

from apps.files.services import (
    FILE_DERIVE,
    FILE_SCAN,
    file_derive,
    file_derive_given_up,
    file_scan,
    file_scan_given_up,
)
from apps.jobs.models import Job
from apps.jobs.registry import job_handler


def _file_id(job: Job) -> UUID:
    return UUID(job.payload["file_id"])


@job_handler(FILE_SCAN, on_dead=lambda job: file_scan_given_up(file_id=_file_id(job)))
def scan(job: Job) -> None:
    assert job.tenant is not None  # noqa: S101 - files belong to a company
    file_scan(tenant=job.tenant, file_id=_file_id(job))


@job_handler(FILE_DERIVE, on_dead=lambda job: file_derive_given_up(file_id=_file_id(job)))
def derive(job: Job) -> None:
    assert job.tenant is not None  # noqa: S101 - files belong to a company
    file_derive(tenant=job.tenant, file_id=_file_id(job))
