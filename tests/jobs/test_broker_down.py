"""Scheduling while the broker is unreachable, in a real process pointed at a dead port."""

import subprocess
import sys

import pytest

from apps.jobs.models import Job
from tests import processes

SCHEDULE_WITH_BROKER_DOWN = """
import django; django.setup()
from django.db import transaction
from apps.jobs.services import job_schedule
from apps.tenants.models import Tenant
from tests.jobs import handlers
# Due within the horizon, so it is enqueued and sent on commit; not due before the test
# looks at it, or this run's worker would run it (another test's wake-up, or the sweep's).
with transaction.atomic():
    job = job_schedule(tenant=Tenant.objects.get(slug="test-alpha"), kind="test.effect",
                       payload={}, delay=20)
print(job.pk)
"""


@pytest.mark.slow
def test_scheduling_survives_a_broker_that_is_down(committed, celery_env):
    """A real process whose broker is unreachable schedules a job: no error, the job is
    recorded, and the sweep is left to send it."""
    env = {**celery_env, "TEST_CELERY_BROKER_URL": "redis://127.0.0.1:9/0"}
    result = subprocess.run(
        [sys.executable, "-c", SCHEDULE_WITH_BROKER_DOWN],
        cwd=processes.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    job = Job.objects.get(pk=int(result.stdout.split()[-1]))
    assert job.state == "enqueued"
    assert f"could not send job {job.pk} to the broker" in result.stderr
