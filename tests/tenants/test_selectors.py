"""plan_of: the company's plan or the default, kept a minute in the process."""

import pytest

from apps.tenants.models import DEFAULT_PLAN, GIB, Plan, Tenant
from apps.tenants.selectors import plan_limits, plan_limits_forget, plan_of

pytestmark = pytest.mark.django_db


def test_a_company_without_a_plan_has_the_default(tenant, django_assert_num_queries):
    company = Tenant(name="Planless", slug="planless", plan=None)
    with django_assert_num_queries(0):
        assert plan_of(company) is DEFAULT_PLAN
        assert plan_limits(company) == (120, 600)
    assert (DEFAULT_PLAN.max_file_bytes, DEFAULT_PLAN.storage_quota_bytes) == (5 * GIB, 10 * GIB)


def test_a_plan_is_read_once_then_kept(tenant, django_assert_num_queries):
    plan = Plan.objects.create(
        name="Kept", requests_per_minute=7, tenant_requests_per_minute=70, max_file_bytes=99
    )
    company = Tenant(name="Kept", slug="kept", plan_id=plan.pk)
    with django_assert_num_queries(1):
        assert plan_of(company) == plan
        assert plan_of(company).max_file_bytes == 99
        assert plan_limits(company) == (7, 70)
    Plan.objects.filter(pk=plan.pk).update(max_file_bytes=42)
    assert plan_of(company).max_file_bytes == 99  # within PLAN_CACHE_SECONDS
    plan_limits_forget()
    with django_assert_num_queries(1):
        assert plan_of(company).max_file_bytes == 42


def test_a_company_moved_to_another_plan_has_it_at_once(tenant):
    small = Plan.objects.create(name="Small plan", storage_quota_bytes=1)
    large = Plan.objects.create(name="Large plan", storage_quota_bytes=2)
    company = Tenant(name="Mover", slug="mover", plan_id=small.pk)
    assert plan_of(company).storage_quota_bytes == 1
    company.plan_id = large.pk
    assert plan_of(company).storage_quota_bytes == 2
