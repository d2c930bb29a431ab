"""API requests per company and day: one Redis counter a request, added to PostgreSQL by the
flush exactly once, whether it runs twice or stops anywhere."""

import zoneinfo

import pytest
from django.db import connection
from django.utils import timezone
from django_redis import get_redis_connection

from apps.accounts.models import User
from apps.usage import counting, services
from apps.usage.models import RequestBatch, UsageDay, usage_day
from tests.accounts.factories import MembershipFactory
from tests.api import bearer, login

pytestmark = pytest.mark.django_db


def counted() -> dict[str, int]:
    live = get_redis_connection("default").hgetall(counting.LIVE)
    return {key.decode(): int(value) for key, value in live.items()}


def requests_by_tenant() -> dict[int, int]:
    """As the operator (a request leaves the connection in its company)."""
    connection.set_schema_to_public()
    return dict(UsageDay.objects.values_list("tenant_id", "api_requests"))


@pytest.fixture
def callers(tenant, other_tenant):
    """An API client signed in to each company (signing in is an API request too)."""
    first = MembershipFactory(tenant=tenant)
    second = MembershipFactory(tenant=other_tenant)
    return (
        bearer(tenant, login(tenant, first)["access_token"]),
        bearer(other_tenant, login(other_tenant, second)["access_token"]),
    )


def test_each_company_s_requests_are_counted_apart(tenant, other_tenant, callers, page_of):
    first, second = callers
    for _ in range(3):
        assert first.get("/api/profile").status_code == 200
    assert second.get("/api/files").status_code == 200
    assert second.get("/api/no/such/thing").status_code == 404  # no API view: not counted
    connection.set_schema_to_public()  # as the operator, after a request left a tenant's
    assert page_of(MembershipFactory(tenant=tenant)).get("/profile").status_code == 200
    today = usage_day().isoformat()
    assert counted() == {f"{today}:{tenant.pk}": 4, f"{today}:{other_tenant.pk}": 2}


def test_days_are_the_project_s_whatever_the_person_s_time_zone(tenant, page_of):
    member = MembershipFactory(tenant=tenant)
    # A zone whose date now differs from Tokyo's: UTC-12 until 21:00 there, UTC+14 after 19:00.
    zone = next(
        name
        for name in ("Etc/GMT+12", "Etc/GMT-14")
        if timezone.localdate(timezone=zoneinfo.ZoneInfo(name)) != usage_day()
    )
    User.objects.filter(pk=member.user_id).update(time_zone=zone)
    assert page_of(member).get("/api/profile").status_code == 200  # the web session's call
    assert counted() == {f"{usage_day().isoformat()}:{tenant.pk}": 1}


def test_the_flush_adds_once_even_when_run_twice(tenant, other_tenant, callers):
    first, second = callers
    first.get("/api/profile")
    assert services.usage_requests_flush() == 3
    assert services.usage_requests_flush() == 0
    assert requests_by_tenant() == {tenant.pk: 2, other_tenant.pk: 1}
    second.get("/api/profile")
    assert services.usage_requests_flush() == 1
    assert requests_by_tenant() == {tenant.pk: 2, other_tenant.pk: 2}
    assert UsageDay.objects.get(tenant=tenant).day == usage_day()
    assert counted() == {}
    assert not get_redis_connection("default").exists(counting.TAKEN)


def test_a_flush_that_stops_before_its_commit_is_finished_by_the_next(tenant, callers, monkeypatch):
    first, _second = callers
    first.get("/api/profile")

    def crash(**kwargs):
        raise RuntimeError("worker lost")

    with monkeypatch.context() as patch:
        patch.setattr(services, "_upsert", crash)
        with pytest.raises(RuntimeError):
            services.usage_requests_flush()
    assert requests_by_tenant() == {}
    assert RequestBatch.objects.count() == 0
    first.get("/api/profile")  # counted meanwhile: the next batch
    assert services.usage_requests_flush() == 4
    assert requests_by_tenant()[tenant.pk] == 3


def test_a_flush_that_stops_after_its_commit_does_not_add_twice(
    tenant, other_tenant, callers, monkeypatch
):
    forget = counting.batch_forget

    def crash(batch_id):
        raise RuntimeError("worker lost")

    with monkeypatch.context() as patch:
        patch.setattr(counting, "batch_forget", crash)
        with pytest.raises(RuntimeError):
            services.usage_requests_flush()
    assert requests_by_tenant() == {tenant.pk: 1, other_tenant.pk: 1}
    assert get_redis_connection("default").exists(counting.TAKEN)
    assert counting.batch_forget is forget
    assert services.usage_requests_flush() == 0
    assert requests_by_tenant() == {tenant.pk: 1, other_tenant.pk: 1}
    assert not get_redis_connection("default").exists(counting.TAKEN)


def test_nothing_counted_nothing_written():
    assert services.usage_requests_flush() == 0
    assert UsageDay.objects.count() == 0
