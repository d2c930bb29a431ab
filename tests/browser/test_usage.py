"""The usage page in a real browser, in English and Japanese: today's figures beside the
plan's limits, the storage bar, the days' table; and the owner's way there from the
account's menu (the header's links are full at a desktop width in Japanese)."""

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection
from playwright.sync_api import expect

from apps.accounts.models import Membership
from apps.usage.models import UsageDay, usage_day
from tests.accounts.factories import MembershipFactory
from tests.browser.conftest import sign_in
from tests.conftest import COMMITTED_DOMAIN


@pytest.fixture
def owner_with_usage(committed, tenant) -> Iterator[Membership]:  # type: ignore[no-untyped-def]
    """An owner (committed, for the web process) of a company with three days of figures."""
    owner = MembershipFactory(
        tenant=tenant,
        role=Membership.Role.OWNER,
        user__email=f"o{time.monotonic_ns()}{COMMITTED_DOMAIN}",
    )
    today = usage_day()
    # The run's beat may have flushed earlier tests' API requests into today's row already.
    UsageDay.objects.filter(tenant=tenant).delete()
    for n in range(3):
        UsageDay.objects.update_or_create(
            tenant=tenant,
            day=today - timedelta(days=n),
            defaults={
                "api_requests": 1200 - n,
                "jobs_run": 7,
                "storage_bytes": 2048,
                "search_documents": 12,
            },
        )
    yield owner
    connection.set_schema_to_public()
    UsageDay.objects.filter(tenant=tenant).delete()


@pytest.mark.parametrize(
    ("locale", "heading", "days", "menu"),
    [
        ("en-US", "Usage", "The last 30 days", "Usage"),
        ("ja-JP", "利用状況", "直近 30 日間", "利用状況"),
    ],
)
def test_owners_see_their_usage(  # noqa: PLR0917 (fixtures and parameters)
    browser, base_port, tenant, owner_with_usage, locale, heading, days, menu
):
    base = f"http://{tenant.slug}.localhost:{base_port}"
    signing = browser.new_context(base_url=base, locale="en-US")
    sign_in(signing.new_page(), owner_with_usage.user.email)
    state = signing.storage_state()
    signing.close()
    context = browser.new_context(base_url=base, locale=locale, storage_state=state)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_test_id("menu").locator("summary").click()  # the account's menu
        page.get_by_test_id("menu").get_by_role("link", name=menu, exact=True).click()
        expect(page).to_have_url(f"{base}/usage")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.get_by_test_id("requests-today")).to_have_text("1,200")
        expect(page.locator("progress")).to_be_visible()
        expect(page.get_by_role("heading", name=days)).to_be_visible()
        expect(page.get_by_test_id("usage-row")).to_have_count(3)
        expect(page.get_by_test_id("no-usage")).to_have_count(0)
    finally:
        context.close()
