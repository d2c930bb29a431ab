"""Ordering in a real browser, with the demo's payments on: add a product to the cart from
its page, check out, watch the time left to pay count down, pay with the demo signer and
see the order paid."""

import io
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect
from pypdf import PdfReader

from apps.accounts.principal import SystemActor
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.orders.models import InvoiceSettings, Order, PaymentEvent, PaymentSecret
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
        InvoiceSettings.objects.all().delete()
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


def test_a_checkout_of_an_8_and_a_10_percent_line_and_its_invoice(
    page, tenant, committed_person, green_tea
):
    with schema_context(tenant.schema_name):
        matcha = product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={"name": "Matcha", "sku": "MATCHA", "price": 1080, "stock": 10}
            | {"tax_class": "reduced"},
        )
        InvoiceSettings.objects.create(
            seller_name="Kura Tea Co.", registration_number="T7000012050002"
        )
    connection.set_schema_to_public()
    sign_in(page, committed_person.user.email)
    for product, quantity in ((matcha, "2"), (green_tea, "1")):
        page.goto(f"/catalog/{product.pk}")
        page.get_by_label("Quantity").fill(quantity)
        page.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_test_id("cart-total")).to_have_text("¥2,660")
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+$"))
    # 2,160 yen at 8 % holds 160 of tax; 500 at 10 % holds 45.45, rounded down.
    rows = page.get_by_test_id("tax-line")
    expect(rows).to_have_text(
        [re.compile(r"8% taxable ※\s*¥2,160\s*¥160"), re.compile(r"10% taxable\s*¥500\s*¥45")]
    )
    expect(page.get_by_test_id("order-excluding-tax")).to_have_text("¥2,455")
    expect(page.get_by_test_id("invoice-link")).to_have_count(0)
    page.get_by_role("button", name="Pay (demo)").click()
    page.get_by_test_id("invoice-link").click()
    expect(page.get_by_test_id("invoice-registration")).to_have_text("T7000012050002")
    expect(page.get_by_test_id("reduced-mark")).to_have_count(1)
    expect(page.get_by_test_id("tax-line")).to_have_count(2)
    # Fetched by the page itself: the browser resolves the company's *.localhost host.
    pdf = page.evaluate(
        """async (href) => {
          const r = await fetch(href);
          const bytes = Array.from(new Uint8Array(await r.arrayBuffer()));
          return {status: r.status, type: r.headers.get("content-type"), bytes};
        }""",
        page.get_by_test_id("invoice-pdf").get_attribute("href"),
    )
    assert (pdf["status"], pdf["type"]) == (200, "application/pdf")
    text = PdfReader(io.BytesIO(bytes(pdf["bytes"]))).pages[0].extract_text()
    assert "Registration number: T7000012050002" in text
    assert "8% taxable: ¥2,160 (tax ¥160)" in text
    assert "10% taxable: ¥500 (tax ¥45)" in text
