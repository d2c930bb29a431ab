"""/metrics: who may scrape it, and what it says, with samples from this process and from a
real worker (prometheus-client's multiprocess mode, the folder config/settings/test.py sets)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client import values
from prometheus_client.parser import text_string_to_metric_families

from apps.jobs.models import Job
from apps.jobs.services import job_schedule
from apps.search.models import OutboxEntry
from tests.conftest import host_of
from tests.jobs import handlers  # noqa: F401 - registers the test job kinds here too
from tests.jobs.conftest import job_state, wait_until
from tests.jobs.factories import JobFactory
from tests.search.factories import OutboxEntryFactory

TOKEN = "metrics-token-for-tests"
REMOTE = {"HTTP_HOST": "203.0.113.80", "REMOTE_ADDR": "203.0.113.5"}
LOOPBACK = {"HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1"}


def scrape(**where: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, by name and labels."""
    response = Client().get("/metrics", **(where or LOOPBACK))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def sample(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_the_processes_share_their_samples():
    """Set by the test settings before prometheus-client was imported, as in `make run`."""
    assert values.ValueClass.__name__ == "MmapedValue"


@pytest.mark.django_db
def test_refused_from_elsewhere_without_the_token(client, settings):
    settings.READYZ_TOKEN = TOKEN
    refused = client.get("/metrics", **REMOTE)
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    # Through a proxy, REMOTE_ADDR is the proxy's own loopback address: still refused.
    proxied = client.get("/metrics", HTTP_HOST="localhost", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert proxied.status_code == 403
    wrong = client.get("/metrics", **REMOTE, HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 403


@pytest.mark.django_db
def test_allowed_with_the_token_on_any_host_and_from_loopback(settings):
    settings.READYZ_TOKEN = TOKEN
    assert ("kura_search_outbox_waiting", ()) in scrape(
        **REMOTE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert ("kura_search_outbox_waiting", ()) in scrape(HTTP_HOST="test-alpha.localhost")


@pytest.mark.django_db
def test_request_latency_by_route_name_and_method(tenant):
    labels = {"view": "profile-api", "method": "GET"}
    before = scrape()
    assert Client(HTTP_HOST=host_of(tenant)).get("/api/profile").status_code == 401
    assert Client(HTTP_HOST=host_of(tenant)).get("/no-such-page").status_code == 404
    after = scrape()
    count = "kura_http_request_duration_seconds_count"
    assert sample(after, count, **labels) - sample(before, count, **labels) == 1
    unresolved = {"view": "<unresolved>", "method": "GET"}
    assert sample(after, count, **unresolved) - sample(before, count, **unresolved) == 1
    # Raw paths never become labels; the scrapes themselves are not counted.
    views = {dict(labels)["view"] for name, labels in after if name == count}
    assert [view for view in views if view.startswith("/")] == []
    assert sample(scrape(), count, **unresolved) == sample(after, count, **unresolved)


@pytest.mark.django_db
def test_queue_depth_by_state_and_dead_jobs(tenant, other_tenant):
    Job.objects.all().delete()  # rolled back with the test
    in_an_hour = timezone.now() + timedelta(hours=1)
    for owner in (tenant, other_tenant, None):
        job_schedule(tenant=owner, kind="test.effect", payload={}, run_at=in_an_hour)
    past = timezone.now() - timedelta(minutes=5)
    for state, many in [("failed", 1), ("dead", 2), ("succeeded", 4), ("cancelled", 1)]:
        for _ in range(many):
            JobFactory(tenant=tenant, kind="test.fail", run_at=past, state=state)
    samples = scrape()
    by_state = {
        dict(labels)["state"]: value
        for (name, labels), value in samples.items()
        if name == "kura_jobs"
    }
    assert by_state == {"scheduled": 3, "enqueued": 0, "running": 0, "failed": 1, "dead": 2}


@pytest.mark.django_db
def test_search_outbox_lag(tenant, other_tenant):
    OutboxEntry.objects.all().delete()  # rolled back with the test
    assert sample(scrape(), "kura_search_outbox_waiting") == 0
    assert sample(scrape(), "kura_search_outbox_oldest_seconds") == 0
    OutboxEntryFactory(tenant=tenant, object_id=1)
    OutboxEntryFactory(tenant=other_tenant, object_id=2)
    OutboxEntry.objects.filter(object_id=1).update(
        created_at=timezone.now() - timedelta(seconds=90)
    )
    samples = scrape()
    assert sample(samples, "kura_search_outbox_waiting") == 2
    assert 90 <= sample(samples, "kura_search_outbox_oldest_seconds") < 100


@pytest.mark.usefixtures("committed", "celery_worker_process")
def test_job_lag_is_observed_when_a_worker_claims_a_job(tenant):
    labels = {"kind": "test.fail"}
    before = scrape()
    # Due two seconds ago: the worker claims it at once, about two seconds late.
    job = job_schedule(
        tenant=tenant,
        kind="test.fail",
        payload={},
        run_at=timezone.now() - timedelta(seconds=2),
        max_attempts=1,
    )
    wait_until(lambda: job_state(job) == "dead", 15, "the worker to run the job")
    after = scrape()

    def grew(name: str, **more: str) -> float:
        return sample(after, name, **labels, **more) - sample(before, name, **labels, **more)

    assert grew("kura_job_lag_seconds_count") == 1
    assert grew("kura_job_lag_seconds_bucket", le="1.0") == 0
    assert grew("kura_job_lag_seconds_bucket", le="+Inf") == 1
    assert 2 <= grew("kura_job_lag_seconds_sum") < 15
    assert sample(after, "kura_jobs", state="dead") == 1
