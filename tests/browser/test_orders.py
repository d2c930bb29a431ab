"""Ordering in a real browser, with the demo's payments on: add a product to the cart from
its page, check out, watch the time left to pay count down, pay with the demo signer and
see the order paid."""

import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from apps.accounts.principal import SystemActor
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.orders.models import Order, PaymentEvent, PaymentSecret
from apps.search.models import OutboxEntry
from tests.browser.conftest import sign_in

WEB_ENV = {"KURA_DEMO_PAYMENTS": "true"}
LEFT = re.compile(r"^1?\d:\d\d left$")


@pytest.fixture
def green_tea(committed, tenant) -> Iterator[Product]:  # type: ignore[no-untyped-def]
    """A product committed for the web process to see; it, its orders and payments (and the
    secret the demo made) are gone afterwards."""
    with schema_context(tenant.schema_name):
        product = product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={"name": "Green tea", "sku": "TEA-1", "price": 500, "stock": 10},
        )
    connection.set_schema_to_public()
    yield product
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        PaymentEvent.objects.all().delete()
        Order.objects.all().delete()
        Product.objects.all().delete()
        PaymentSecret.objects.all().delete()
    OutboxEntry.objects.filter(tenant=tenant).delete()


def test_order_and_pay_with_the_demo_signer(page, committed_person, green_tea):
    sign_in(page, committed_person.user.email)
    page.goto(f"/catalog/{green_tea.pk}")
    page.get_by_label("Quantity").fill("3")
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_test_id("cart-total")).to_have_text("¥1,500")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    expect(page.get_by_test_id("order-state")).to_have_text("Pending payment")
    countdown = page.get_by_test_id("countdown").locator("time")
    expect(countdown).to_have_text(LEFT)
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=3000)  # it ticks
    expect(countdown).to_have_text(LEFT)
    page.get_by_role("button", name="Pay (demo)").click()
    expect(page.get_by_test_id("order-state")).to_have_text("Paid")
    expect(page.get_by_role("button", name="Pay (demo)")).to_have_count(0)
    page.goto("/orders")
    expect(page.get_by_test_id("order-row")).to_have_count(1)
    expect(page.get_by_test_id("order-state")).to_have_text("Paid")
