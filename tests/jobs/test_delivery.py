"""The delayed queue with real Redis, a real worker and real beat processes."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.errors import MembershipSuspendedError
from apps.accounts.models import Membership
from apps.accounts.principal import Principal
from apps.accounts.services import auth_check_credentials, membership_suspend
from apps.jobs.models import Job
from apps.jobs.services import JobSpec, job_schedule, job_schedule_many
from apps.notifications.models import Notification
from apps.reminders.models import Reminder
from apps.reminders.services import reminder_cancel, reminder_create
from tests import processes
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD
from tests.conftest import COMMITTED_DOMAIN
from tests.jobs import handlers  # noqa: F401 - registers the test job kinds here too
from tests.jobs.conftest import flush_this_runs_redis, job_state, starts, wait_until

pytestmark = pytest.mark.usefixtures("celery_worker_process", "celery_beat_process")


def notifications(tenant, title: str) -> int:
    with schema_context(tenant.schema_name):
        return Notification.objects.filter(title=title).count()


def test_reminder_is_sent_once_within_a_second_of_due(tenant, person):
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant, actor=Principal.of_membership(person), message="会議開始", delay=2
        )
    wait_until(lambda: job_state(Job(pk=reminder.job_id)) == "succeeded", 10, "the reminder job")
    with schema_context(tenant.schema_name):
        reminder.refresh_from_db()
        assert reminder.status == "sent"
        lateness = (reminder.sent_at - reminder.remind_at).total_seconds()
        assert 0 <= lateness < 1, lateness
        assert Notification.objects.filter(user=person.user, kind="reminder").count() == 1
    time.sleep(1.5)  # a duplicate would have landed by now
    assert notifications(tenant, "会議開始") == 1


def test_reminder_cancelled_before_due_never_sends(tenant, person):
    with schema_context(tenant.schema_name):
        reminder = reminder_create(
            tenant=tenant, actor=Principal.of_membership(person), message="never", delay=2
        )
        reminder_cancel(reminder=reminder, actor=Principal.of_membership(person))
    time.sleep(3.5)
    assert job_state(Job(pk=reminder.job_id)) == "cancelled"
    with schema_context(tenant.schema_name):
        assert Reminder.objects.get(pk=reminder.pk).status == "cancelled"
    assert notifications(tenant, "never") == 0


@pytest.mark.slow
def test_worker_killed_mid_job_is_reclaimed_and_the_effect_happens_once(
    tenant, person, celery_worker_process
):
    job = job_schedule(
        tenant=tenant,
        kind="test.effect",
        delay=0.2,
        payload={"user_id": person.user_id, "sleep": 3},
    )
    wait_until(lambda: len(starts(job)) == 1, 10, "the handler to start")
    assert job_state(job) == "running"
    celery_worker_process.kill()
    celery_worker_process.start()
    processes.wait_for_worker(celery_worker_process)
    # Lease (4 s in tests) runs out, the sweep reclaims, the new worker runs it again.
    wait_until(lambda: job_state(job) == "succeeded", 30, "the reclaimed job")
    assert len(starts(job)) == 2
    assert Job.objects.get(pk=job.pk).attempts == 2
    assert notifications(tenant, f"job-{job.pk}") == 1


def test_flushall_loses_no_job(tenant, person, celery_worker_process):
    celery_worker_process.stop()
    jobs = [
        job_schedule(
            tenant=tenant, kind="test.effect", delay=1, payload={"user_id": person.user_id}
        )
        for _ in range(5)
    ]
    wait_until(lambda: all(job_state(j) == "enqueued" for j in jobs), 10, "messages on the broker")
    flush_this_runs_redis()  # messages, results, everything
    celery_worker_process.start()
    processes.wait_for_worker(celery_worker_process)
    wait_until(lambda: all(job_state(j) == "succeeded" for j in jobs), 30, "every job")
    for job in jobs:
        assert notifications(tenant, f"job-{job.pk}") == 1


@pytest.mark.slow
def test_two_beats_run_no_job_twice(tenant, person, celery_env):
    second = processes.beat(celery_env, name="beat-2").start()
    try:
        now = timezone.now()
        jobs = [
            job_schedule(
                tenant=tenant,
                kind="test.effect",
                payload={"user_id": person.user_id},
                run_at=now + timedelta(seconds=1 + i / 10),
            )
            for i in range(30)
        ]
        wait_until(lambda: all(job_state(j) == "succeeded" for j in jobs), 30, "every job")
        time.sleep(2)  # let any duplicate message arrive
    finally:
        second.stop()
    for job in jobs:
        assert len(starts(job)) == 1
        assert notifications(tenant, f"job-{job.pk}") == 1
    assert set(
        Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("attempts", flat=True)
    ) == {1}


def test_failing_handler_backs_off_and_ends_dead(tenant, person):
    job = job_schedule(tenant=tenant, kind="test.fail", delay=0.1, payload={}, max_attempts=3)
    wait_until(lambda: job_state(job) == "dead", 30, "the job to die")
    job.refresh_from_db()
    assert job.attempts == 3
    assert "RuntimeError: this handler always fails" in job.last_error
    first, second, third = starts(job)
    # Backoff base 0.3 s in tests, doubled each time, jittered down to half at most.
    assert second - first >= 0.15
    assert third - second >= 0.3


def test_suspension_lifts_itself_on_time(tenant, person):
    owner = MembershipFactory(
        tenant=tenant, role="owner", user__email=f"o{time.monotonic_ns()}{COMMITTED_DOMAIN}"
    )
    until = timezone.now() + timedelta(seconds=2)
    membership_suspend(membership=person, until=until, actor=Principal.of_membership(owner))
    with pytest.raises(MembershipSuspendedError):
        auth_check_credentials(
            email=person.user.email, password=PASSWORD, tenant=tenant, ip="192.0.2.1"
        )
    wait_until(
        lambda: not Membership.objects.filter(pk=person.pk, suspended_until__isnull=False).exists(),
        10,
        "the suspension to lift",
    )
    lifted_at = timezone.now()
    assert (lifted_at - until).total_seconds() < 1.5
    assert (
        auth_check_credentials(
            email=person.user.email, password=PASSWORD, tenant=tenant, ip="192.0.2.1"
        )
        == person
    )
    with schema_context(tenant.schema_name):
        assert Notification.objects.filter(user=person.user, kind="access").count() == 1


def test_a_burst_scheduled_in_one_insert_runs_every_job_once(tenant, other_tenant, person):
    due = timezone.now() + timedelta(seconds=1)
    payload = {"user_id": person.user_id}
    jobs = job_schedule_many(
        jobs=[JobSpec(tenant, "test.effect", payload, due) for _ in range(300)]
        + [JobSpec(other_tenant, "test.effect", payload, due)]
    )
    ids = [job.pk for job in jobs]
    wait_until(
        lambda: Job.objects.filter(pk__in=ids, state="succeeded").count() == len(ids),
        60,
        "every job of the burst",
    )
    assert {len(starts(job)) for job in jobs} == {1}
    assert set(Job.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}
    assert notifications(other_tenant, f"job-{jobs[-1].pk}") == 1
