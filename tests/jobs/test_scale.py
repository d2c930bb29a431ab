"""The delayed queue at scale, in-process (no worker): bulk scheduling, batched wake-ups,
fair batch claims, and the dead path of a job whose worker died."""

import contextlib
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from apps.jobs.dispatch import published_wait
from apps.jobs.models import Job
from apps.jobs.services import (
    FAIR_CLAIM,
    JobSpec,
    job_schedule,
    job_schedule_many,
    jobs_run_due,
    jobs_sweep,
)
from apps.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.jobs import handlers  # noqa: F401 - registers the test job kinds

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def published():
    """The wake-ups sent to the (real) broker: their ETAs, None for "now"."""
    sent: list[object] = []

    def note(sender=None, headers=None, **kwargs):
        if sender == "apps.jobs.tasks.jobs_run_due_task":
            sent.append(headers["eta"])

    before_task_publish.connect(note, weak=False)
    yield sent
    before_task_publish.disconnect(note)


def test_schedule_is_one_insert(tenant, django_assert_num_queries):
    with tenant_context(tenant):
        Job.objects.exists()  # in the tenant, as a request is by its first query
        with django_assert_num_queries(1):
            job = job_schedule(tenant=tenant, kind="test.effect", payload={"a": 1}, delay=5)
    stored = Job.objects.get(pk=job.pk)
    assert (stored.tenant_id, stored.kind, stored.payload, stored.state, stored.attempts) == (
        tenant.pk,
        "test.effect",
        {"a": 1},
        "enqueued",
        0,
    )
    assert (stored.run_at, stored.enqueued_at, stored.max_attempts) == (
        job.run_at,
        job.enqueued_at,
        5,
    )


def test_schedule_many_is_one_insert_and_keeps_idempotency_keys(
    tenant, other_tenant, django_assert_num_queries
):
    now = timezone.now()
    before = job_schedule(
        tenant=tenant, kind="test.effect", payload={}, delay=5, idempotency_key="k0"
    )
    specs = [
        JobSpec(tenant, "test.effect", {"i": 0}, now, idempotency_key="k1"),
        JobSpec(tenant, "test.effect", {"i": 1}, now + timedelta(hours=2)),
        JobSpec(tenant, "test.effect", {"i": 2}, now, idempotency_key="k1"),
        JobSpec(tenant, "test.effect", {"i": 3}, now, idempotency_key="k0"),
        JobSpec(other_tenant, "test.effect", {"i": 4}, now, idempotency_key="k1"),
    ]
    connection.set_schema_to_public()
    Job.objects.exists()
    with django_assert_num_queries(2):  # the INSERT, and the key that was already there
        jobs = job_schedule_many(jobs=specs)
    assert jobs[2] is jobs[0]
    assert jobs[3].pk == before.pk
    assert len({jobs[0].pk, jobs[1].pk, jobs[3].pk, jobs[4].pk}) == 4
    assert dict(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("pk", "state")) == {
        jobs[0].pk: "enqueued",
        jobs[1].pk: "scheduled",  # beyond the horizon: the sweep's
        before.pk: "enqueued",
        jobs[4].pk: "enqueued",
    }
    assert Job.objects.get(pk=jobs[0].pk).payload == {"i": 0}
    assert Job.objects.filter(tenant=tenant).count() == 3


def test_one_batch_of_wake_ups_per_transaction(
    tenant, published, django_capture_on_commit_callbacks
):
    now = timezone.now()
    later = now + timedelta(seconds=10)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for _ in range(3):
            job_schedule(tenant=tenant, kind="test.effect", payload={}, run_at=now)
        job_schedule_many(
            jobs=[JobSpec(tenant, "test.effect", {}, later) for _ in range(120)]
            + [JobSpec(tenant, "test.effect", {}, now + timedelta(hours=1))]
        )
    assert len(callbacks) == 1
    assert published_wait()
    # Due now: one wake-up for three jobs; due together later: one per batch of 50.
    assert published == [None, later.isoformat(), later.isoformat(), later.isoformat()]


def test_wake_ups_of_a_rolled_back_savepoint_are_not_sent(
    tenant, published, django_capture_on_commit_callbacks
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with contextlib.suppress(RuntimeError), transaction.atomic():
            job_schedule(tenant=tenant, kind="test.effect", payload={}, run_at=now)
            raise RuntimeError("undo")
        later = now + timedelta(seconds=5)
        job_schedule(tenant=tenant, kind="test.effect", payload={}, run_at=later)
    assert len(callbacks) == 1
    assert published_wait()
    assert published == [later.isoformat()]


def test_a_tenant_with_thousands_due_does_not_starve_another(tenant, other_tenant, user):
    due = timezone.now() - timedelta(seconds=1)
    flood = job_schedule_many(
        jobs=[JobSpec(tenant, "test.effect", {"user_id": user.pk}, due) for _ in range(5000)]
    )
    reminder = job_schedule(
        tenant=other_tenant, kind="test.effect", payload={"user_id": user.pk}, run_at=due
    )
    # One batch of 20: a share of 10 for each of the 2 tenants.
    assert jobs_run_due(limit=20, seconds=0) == ["succeeded"] * 11
    ran = list(
        Job.objects.filter(state="succeeded").order_by("started_at").values_list("pk", flat=True)
    )
    # Turns: each tenant's earliest first (the same run_at: by id), then the rest of A's.
    assert ran == [flood[0].pk, reminder.pk, *[job.pk for job in flood[1:10]]]
    with schema_context(other_tenant.schema_name):
        assert Notification.objects.filter(title=f"job-{reminder.pk}").count() == 1


@pytest.mark.slow
def test_the_fair_claim_reads_a_few_index_pages_not_50000_rows(tenant, other_tenant):
    due = timezone.now() - timedelta(seconds=1)
    # Yesterday's jobs stay in the table until they are pruned.
    Job.objects.bulk_create(
        Job(tenant=tenant, kind="test.effect", run_at=due, state="succeeded") for _ in range(20000)
    )
    job_schedule_many(jobs=[JobSpec(tenant, "test.effect", {}, due) for _ in range(50000)])
    job_schedule(tenant=other_tenant, kind="test.effect", payload={}, run_at=due)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_job")
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {FAIR_CLAIM}",
            {"now": timezone.now(), "limit": 50},
        )
        [(plan,)] = cursor.fetchall()
    top = plan[0]["Plan"]
    nodes = []
    stack = [top]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("Plans", []))
    assert top["Actual Rows"] == 26  # shares of 25: 25 of A's, B's one
    assert not [node for node in nodes if node["Node Type"] == "Seq Scan"]
    assert {
        node.get("Index Name") for node in nodes if node.get("Relation Name") == "jobs_job"
    } >= {"job_ready_idx"}
    # Each busy tenant's first few jobs: under a hundred buffers here, not 70,000 rows
    assert top["Shared Hit Blocks"] + top["Shared Read Blocks"] < 300, top


def test_a_job_whose_worker_died_at_its_last_attempt_dies_with_its_hook(tenant, user):
    job = job_schedule(tenant=tenant, kind="test.dies", payload={"user_id": user.pk}, delay=0)
    Job.objects.filter(pk=job.pk).update(
        state="running",
        attempts=3,
        max_attempts=3,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    result = jobs_sweep()
    assert (result["dead"], result["reclaimed"]) == (1, 0)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (
        "dead",
        3,
        "The worker running this job stopped.",
    )
    with schema_context(tenant.schema_name):
        assert Notification.objects.filter(title=f"dead-{job.pk}").count() == 1
    assert jobs_sweep()["dead"] == 0  # once


def test_a_failing_last_attempt_runs_the_same_hook(tenant, user):
    job = job_schedule(
        tenant=tenant, kind="test.dies", payload={"user_id": user.pk}, delay=0, max_attempts=1
    )
    assert jobs_run_due() == ["dead"]
    with schema_context(tenant.schema_name):
        assert Notification.objects.filter(title=f"dead-{job.pk}").count() == 1


def test_a_wake_up_that_fires_early_waits_for_its_time(tenant, user):
    """Celery's timer may fire an ETA message a little early: the job still runs, never
    before its run_at."""
    due = timezone.now() + timedelta(seconds=0.3)
    job = job_schedule(tenant=tenant, kind="test.effect", payload={"user_id": user.pk}, run_at=due)
    assert jobs_run_due() == []
    assert jobs_run_due(due=due) == ["succeeded"]
    job.refresh_from_db()
    assert job.started_at >= job.run_at


def test_a_wake_up_claims_again_while_jobs_are_due(tenant, user):
    due = timezone.now() - timedelta(seconds=1)
    jobs = job_schedule_many(
        jobs=[JobSpec(tenant, "test.effect", {"user_id": user.pk}, due) for _ in range(120)]
    )
    assert jobs_run_due(limit=50, seconds=60) == ["succeeded"] * 120
    assert set(Job.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True)) == {
        "succeeded"
    }
