"""Jobs run, stored bytes and search documents per company and day, taken by the snapshot
from the jobs table, the files' quota figure and Elasticsearch (real, this run's index)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.principal import SystemActor
from apps.catalog.services import product_create
from apps.jobs.models import Job
from apps.tenants.models import Tenant
from apps.usage import services
from apps.usage.models import UsageDay, usage_day
from tests.accounts.factories import MembershipFactory
from tests.files import samples
from tests.files.factories import ready_file, store_left_clean
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db


def figures(column: str) -> dict[tuple[int, object], int]:
    connection.set_schema_to_public()
    return {(t, d): n for t, d, n in UsageDay.objects.values_list("tenant_id", "day", column)}


def job(tenant: Tenant | None, state: str, finished_at: datetime | None) -> None:
    JobFactory(
        tenant=tenant, kind="test", run_at=timezone.now(), state=state, finished_at=finished_at
    )


def test_jobs_run_are_counted_by_company_and_the_day_they_ended(tenant, other_tenant):
    today = usage_day()
    zone = timezone.get_default_timezone()
    # Late yesterday and early today in the project's zone, whatever the hour now.
    late_yesterday = datetime.combine(today, time.min, tzinfo=zone) - timedelta(seconds=1)
    early_today = datetime.combine(today, time.min, tzinfo=zone)
    for state in (Job.State.SUCCEEDED, Job.State.SUCCEEDED, Job.State.DEAD):
        job(tenant, state, early_today)
    job(tenant, Job.State.SUCCEEDED, late_yesterday)
    job(tenant, Job.State.CANCELLED, early_today)  # never ran
    job(tenant, Job.State.SCHEDULED, None)
    job(other_tenant, Job.State.SUCCEEDED, early_today)
    job(None, Job.State.SUCCEEDED, early_today)  # about a global account: no company's
    services.usage_jobs_count(day=today)
    services.usage_jobs_count(day=today)  # a recount sets, never adds
    services.usage_jobs_count(day=today - timedelta(days=1))
    assert figures("jobs_run") == {
        (tenant.pk, today): 3,
        (other_tenant.pk, today): 1,
        (tenant.pk, today - timedelta(days=1)): 1,
    }


def test_stored_bytes_are_the_quota_s_figure(tenant, other_tenant):
    today = usage_day()
    with store_left_clean(tenant):
        ready_file(tenant, MembershipFactory(tenant=tenant))
        services.usage_snapshot(tenant=tenant, day=today)
        services.usage_snapshot(tenant=other_tenant, day=today)
    assert figures("storage_bytes") == {
        (tenant.pk, today): len(samples.TEXT),
        (other_tenant.pk, today): 0,
    }


def test_search_documents_are_counted_in_elasticsearch(tenant, other_tenant, shop):
    today = usage_day()
    shop.product(tenant, "緑茶")
    shop.product(tenant, "ほうじ茶")
    shop.product(other_tenant, "Coffee")
    shop.refresh()
    for company in (tenant, other_tenant):
        services.usage_snapshot(tenant=company, day=today)
    assert figures("search_documents") == {(tenant.pk, today): 2, (other_tenant.pk, today): 1}


def test_without_elasticsearch_the_active_products_are_counted(tenant, shop, settings):
    today = usage_day()
    shop.product(tenant, "緑茶")  # indexed
    with schema_context(tenant.schema_name):  # not indexed yet (the outbox is not drained)
        for sku, active in (("A", True), ("B", False)):
            product_create(
                tenant=tenant,
                actor=SystemActor(tenant, "tests"),
                fields={"name": sku, "sku": sku, "price": 1, "active": active},
            )
    shop.refresh()
    services.usage_snapshot(tenant=tenant, day=today)
    assert figures("search_documents") == {(tenant.pk, today): 1}
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing answers there
    services.usage_snapshot(tenant=tenant, day=today)
    assert figures("search_documents") == {(tenant.pk, today): 2}


def test_the_snapshot_takes_every_open_company(tenant, other_tenant):
    Tenant.objects.exclude(pk=tenant.pk).update(is_active=False)
    job(tenant, Job.State.SUCCEEDED, timezone.now())
    assert services.usage_snapshot_all() == 1
    today = usage_day()
    assert figures("jobs_run") == {(tenant.pk, today): 1}
    assert figures("storage_bytes") == {(tenant.pk, today): 0}
