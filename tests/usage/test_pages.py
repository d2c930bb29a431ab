"""The usage page (owners and admins: figures next to the plan's limits, an empty state;
members refused by the policy) and the operators' admin (companies sortable by usage, a
page per company)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client

from apps.accounts.models import User
from apps.tenants.models import Plan, Tenant
from apps.usage.models import usage_day
from tests.accounts.factories import MembershipFactory
from tests.conftest import operator_login
from tests.tenants.factories import PlanFactory
from tests.usage.factories import UsageDayFactory

pytestmark = pytest.mark.django_db
GIB = 1024**3


@pytest.fixture
def plan(tenant) -> Plan:
    plan = PlanFactory(
        name="Small",
        requests_per_minute=60,
        tenant_requests_per_minute=300,
        max_file_bytes=GIB,
        storage_quota_bytes=4 * GIB,
    )
    Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
    return plan


def days(tenant: Tenant, count: int) -> None:
    """`count` days of figures, today first: requests 1000, 999…, jobs 10, 9…"""
    today = usage_day()
    for n in range(count):
        UsageDayFactory(
            tenant=tenant,
            day=today - timedelta(days=n),
            api_requests=1000 - n,
            jobs_run=max(0, 10 - n),
            storage_bytes=GIB,
            search_documents=42,
        )


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # no-break spaces stay


def test_owners_see_today_and_the_last_days_next_to_the_plan(tenant, owner, page_of, plan):
    days(tenant, 3)
    UsageDayFactory(
        tenant=tenant, day=usage_day() - timedelta(days=30), api_requests=5
    )  # older than the last 30 days
    html = text(page_of(owner).get("/usage"))
    assert "What the company used, next to the limits of its plan (Small)." in html
    assert "Days run from midnight to midnight in Asia/Tokyo." in html
    # Storage now (no files) against the quota, not the day's snapshot.
    assert "0\xa0bytes of 4.0\xa0GB (0.0 %)" in html
    assert '<progress value="0" max="4294967296"' in html
    assert "The largest file: 1.0\xa0GB." in html
    assert '<strong data-testid="requests-today">1,000</strong> today' in html
    assert (
        "Your plan allows 60 requests a minute to each person or API key, and 300 a minute"
        " to the whole company" in html
    )
    assert "10 jobs run (reminders, scheduled posts, file processing…) and 42 products" in html
    assert "2,997 API requests and 27 jobs run in all." in html
    assert html.count('data-testid="usage-row"') == 3


def test_the_page_is_empty_before_anything_is_counted(tenant, owner, page_of):
    html = text(page_of(owner).get("/usage"))
    assert "No usage counted yet." in html
    assert '<strong data-testid="requests-today">0</strong>' in html
    assert "0\xa0bytes of 10.0\xa0GB (0.0 %)" in html  # the default plan


def test_admins_see_it_members_and_viewers_do_not(tenant, page_of):
    for role, status in (("admin", 200), ("member", 403), ("viewer", 403)):
        membership = MembershipFactory(tenant=tenant, role=role)
        connection.set_schema_to_public()
        assert page_of(membership).get("/usage").status_code == status, role


def test_the_navigation_links_it_for_owners_only(tenant, owner, member, page_of):
    assert 'href="/usage"' in text(page_of(owner).get("/"))
    connection.set_schema_to_public()
    assert 'href="/usage"' not in text(page_of(member).get("/"))


def test_another_company_s_days_never_show(tenant, other_tenant, owner, page_of):
    days(other_tenant, 2)
    assert "No usage counted yet." in text(page_of(owner).get("/usage"))


@pytest.mark.parametrize("count", [1, 30])
def test_the_page_s_queries_do_not_grow_with_days(  # noqa: PLR0917 (fixtures)
    tenant, owner, page_of, plan, count, django_assert_num_queries
):
    days(tenant, count)
    client = page_of(owner)
    client.get("/usage")  # the session and access caches warm
    # Session, person, membership; the tenant's host; the days; the files' bytes now; plus
    # the two `SET search_path`. Its plan was read by the first request and is kept a
    # minute (apps/tenants/selectors.py: plan_of).
    with django_assert_num_queries(8):
        assert client.get("/usage").status_code == 200


@pytest.fixture
def operator_client() -> Client:
    connection.set_schema_to_public()
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    operator_login(client, operator)
    return client


def company_order(html: str, *names: str) -> list[str]:
    return sorted(names, key=lambda name: html.index(f">{name}<"))


def test_operators_sort_companies_by_usage(operator_client, tenant, other_tenant):
    days(tenant, 2)  # 1,999 requests in the last days
    UsageDayFactory(tenant=other_tenant, day=usage_day(), api_requests=5000, storage_bytes=10)
    url = "/admin/usage/tenantusage/"
    html = text(operator_client.get(url))
    row = html[html.index(f">{tenant.name}<") :].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("<")[0] for cell in row.split("<td")[1:]]
    assert cells[:7] == ["test-alpha", "-", "1000", "1999", "19", "1.0\xa0GB", "42"]
    names = (tenant.name, other_tenant.name)
    # By the last days' requests (list_display[4]), most first; by storage, most first.
    assert company_order(text(operator_client.get(url, {"o": "-4"})), *names) == [
        other_tenant.name,
        tenant.name,
    ]
    assert company_order(text(operator_client.get(url, {"o": "-6"})), *names) == [
        tenant.name,
        other_tenant.name,
    ]
    assert company_order(text(operator_client.get(url, {"o": "6"})), *names) == [
        other_tenant.name,
        tenant.name,
    ]


def test_operators_see_a_company_s_days_and_limits(operator_client, tenant, plan):
    days(tenant, 2)
    html = text(operator_client.get(f"/admin/usage/tenantusage/{tenant.pk}/usage/"))
    assert "Usage of Alpha 株式会社" in html
    assert "Plan Small: 1.0\xa0GB of 4.0\xa0GB stored (25.0 %)." in html
    assert "API requests: 60 a minute per person or API key, 300 a minute for the company." in html
    assert "1,999 API requests and 19 jobs run in the last 30 days." in html
    assert html.count("<td>1.0\xa0GB</td>") == 2  # two days


def test_the_operators_company_page_is_empty_before_anything_is_counted(operator_client, tenant):
    html = text(operator_client.get(f"/admin/usage/tenantusage/{tenant.pk}/usage/"))
    assert "No usage counted yet." in html
