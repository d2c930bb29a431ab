"""The job engine's rules, in-process (no worker): claims, idempotency, cancel, reschedule."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.jobs.models import Job
from apps.jobs.registry import handler_for, job_handler
from apps.jobs.services import (
    job_cancel,
    job_reschedule,
    job_retry,
    job_run,
    job_schedule,
    jobs_prune,
    jobs_sweep,
)
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.jobs import handlers

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


def test_schedule_needs_exactly_one_time(tenant):
    with pytest.raises(ValueError, match="exactly one"):
        job_schedule(tenant=tenant, kind="test.effect", payload={})
    with pytest.raises(ValueError, match="exactly one"):
        job_schedule(tenant=tenant, kind="test.effect", payload={}, delay=1, run_at=timezone.now())


def test_unknown_kind_is_refused_when_scheduled(tenant):
    with pytest.raises(LookupError):
        job_schedule(tenant=tenant, kind="no.such.kind", payload={}, delay=1)


def test_one_handler_per_kind():
    with pytest.raises(ValueError, match="already registered"):
        job_handler("test.effect")(lambda job: None)
    assert handler_for("test.effect").run is handlers.effect


def test_idempotency_key_returns_the_job_already_there(tenant, other_tenant):
    first = job_schedule(
        tenant=tenant, kind="test.effect", payload={}, delay=60, idempotency_key="k"
    )
    again = job_schedule(
        tenant=tenant, kind="test.effect", payload={}, delay=99, idempotency_key="k"
    )
    elsewhere = job_schedule(
        tenant=other_tenant, kind="test.effect", payload={}, delay=60, idempotency_key="k"
    )
    assert again.pk == first.pk
    assert elsewhere.pk != first.pk


def test_a_job_runs_once_however_many_messages(tenant, user):
    job = job_schedule(tenant=tenant, kind="test.effect", payload={"user_id": user.pk}, delay=0)
    assert [job_run(job_id=job.pk) for _ in range(3)] == ["succeeded", "not claimed", "not claimed"]
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("succeeded", 1)
    with schema_context(tenant.schema_name):
        assert Notification.objects.filter(title=f"job-{job.pk}").count() == 1


def test_a_message_for_an_earlier_time_does_not_run_a_rescheduled_job(tenant, user):
    job = job_schedule(tenant=tenant, kind="test.effect", payload={"user_id": user.pk}, delay=0)
    assert job_reschedule(job=job, run_at=timezone.now() + timedelta(minutes=5))
    assert job_run(job_id=job.pk) == "not claimed"
    assert Job.objects.get(pk=job.pk).state == "scheduled"


def test_cancelled_jobs_do_not_run_and_finished_ones_cannot_be_cancelled(tenant, user):
    job = job_schedule(tenant=tenant, kind="test.effect", payload={"user_id": user.pk}, delay=0)
    assert job_cancel(job=job) is True
    assert job_run(job_id=job.pk) == "not claimed"
    assert job_cancel(job=job) is False
    done = job_schedule(tenant=tenant, kind="test.effect", payload={"user_id": user.pk}, delay=0)
    job_run(job_id=done.pk)
    assert job_cancel(job=done) is False
    assert job_reschedule(job=done, run_at=timezone.now()) is False


def test_failures_wait_with_backoff_then_die_and_can_be_retried(tenant):
    job = job_schedule(tenant=tenant, kind="test.fail", payload={}, delay=0, max_attempts=2)
    assert job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.run_at > timezone.now()
    Job.objects.filter(pk=job.pk).update(state="enqueued", run_at=timezone.now())
    assert job_run(job_id=job.pk) == "dead"
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("dead", 2)
    assert job_retry(job=job) is True
    job.refresh_from_db()
    assert (job.state, job.max_attempts) == ("scheduled", 3)


def test_sweep_leaves_far_jobs_alone_and_reclaims_orphans(tenant, user):
    far = job_schedule(tenant=tenant, kind="test.effect", payload={}, delay=3600)
    orphan = job_schedule(tenant=tenant, kind="test.effect", payload={"user_id": user.pk}, delay=0)
    Job.objects.filter(pk=orphan.pk).update(
        state="running", attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )
    result = jobs_sweep()
    assert result["reclaimed"] == 1
    assert Job.objects.get(pk=far.pk).state == "scheduled"
    orphan.refresh_from_db()
    assert orphan.state == "enqueued"
    assert "stopped" in orphan.last_error


def test_prune_deletes_old_finished_jobs_but_keeps_dead_ones(tenant):
    old = timezone.now() - timedelta(days=30)
    done = job_schedule(tenant=tenant, kind="test.effect", payload={}, delay=0)
    dead = job_schedule(tenant=tenant, kind="test.effect", payload={}, delay=0)
    recent = job_schedule(tenant=tenant, kind="test.effect", payload={}, delay=0)
    Job.objects.filter(pk=done.pk).update(state="succeeded", finished_at=old)
    Job.objects.filter(pk=dead.pk).update(state="dead", finished_at=old)
    Job.objects.filter(pk=recent.pk).update(state="succeeded", finished_at=timezone.now())
    assert jobs_prune(older_than=timedelta(days=14)) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {dead.pk, recent.pk}
