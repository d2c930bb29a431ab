"""The qualified invoice (適格請求書) of a paid order, as a page and as a PDF whose text is
read back: the seller and its registration number, the date, the buyer, the lines with ※
on the reduced-rate ones, the total and the tax per rate. None before the order is paid or
while the company has no registration number (409), none of someone else's order (404)."""

import io
import re

import pytest
from django.db import connection
from django.utils import formats, timezone, translation
from django_tenants.utils import schema_context
from pypdf import PdfReader

from apps.accounts.principal import Principal
from apps.orders.models import InvoiceSettings, Order
from apps.orders.services import LineInput, order_place, payment_record
from tests.accounts.factories import MembershipFactory
from tests.orders.conftest import make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller(tenant):
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        return InvoiceSettings.objects.create(
            seller_name="株式会社クラ商店", registration_number="T7000012050002"
        )


def place(tenant, member, key="k") -> Order:
    products = [
        make_product(tenant, name="抹茶", price=398, stock=9, tax_class="reduced"),
        make_product(tenant, name="ボールペン", price=1099, stock=9),
        make_product(tenant, name="羊羹", price=198, stock=9, tax_class="reduced"),
    ]
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        order = order_place(
            tenant=tenant,
            actor=Principal.of_membership(member),
            lines=[
                LineInput(product_id=p.pk, quantity=q)
                for p, q in zip(products, (2, 1, 1), strict=True)
            ],
            idempotency_key=key,
        ).order
    connection.set_schema_to_public()
    return order


def pay(tenant, order: Order) -> Order:
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        payment_record(
            tenant=tenant,
            event_id=f"evt-{order.pk}",
            order_number=order.number,
            amount=order.total,
            reference="test",
        )
        order.refresh_from_db()
    connection.set_schema_to_public()
    return order


def pdf_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [line for page in reader.pages for line in page.extract_text().splitlines()]


def tax_rows(html: str) -> list[tuple[str, ...]]:
    """The rows of the page's table of tax by rate: rate, amount, tax."""
    rows = re.findall(r'<tr data-testid="tax-line">(.*?)</tr>', html)
    return [tuple(re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)) for row in rows]


def sale_date(order: Order, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localdate(order.paid_at), "DATE_FORMAT")


def test_the_invoice_pdf_says_what_a_qualified_invoice_must(tenant, member, client_of, seller):
    member.user.full_name = "山田 花子"
    member.user.save(update_fields=["full_name"])
    order = pay(tenant, place(tenant, member))
    # 8 %: 796 + 198 = 994, tax 994 x 8/108 = 73.6 -> 73; 10 %: 1099, tax 99.9 -> 99.
    response = client_of(member).get(f"/api/orders/{order.pk}/invoice", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="invoice-{order.number}.pdf"'
    assert pdf_text(response.content) == [
        "適格請求書",
        "山田 花子 様",
        "株式会社クラ商店",
        "登録番号: T7000012050002",
        f"注文番号: {order.number}",
        f"取引年月日: {sale_date(order, 'ja')}",
        "商品 単価 数量 金額",
        "抹茶 ※ ¥398 2 ¥796",
        "ボールペン ¥1,099 1 ¥1,099",
        "羊羹 ※ ¥198 1 ¥198",
        "合計(税込): ¥2,093",
        "8%対象: ¥994(消費税 ¥73)",
        "10%対象: ¥1,099(消費税 ¥99)",
        "※ は軽減税率対象です。",
    ]
    english = client_of(member).get(
        f"/api/orders/{order.pk}/invoice", HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT="application/pdf"
    )
    assert english.status_code == 200
    text = pdf_text(english.content)
    assert text[:2] == ["Qualified invoice", "Bill to: 山田 花子"]
    assert text[-4:] == [
        "Total (tax included): ¥2,093",
        "8% taxable: ¥994 (tax ¥73)",
        "10% taxable: ¥1,099 (tax ¥99)",
        "※ marks items at the reduced rate.",
    ]


def test_no_invoice_before_payment_or_without_a_registration_number(
    tenant, member, client_of, page_of
):
    order = place(tenant, member)
    unpaid = client_of(member).get(f"/api/orders/{order.pk}/invoice")
    assert (unpaid.status_code, unpaid.json()["code"], unpaid.json()["message"]) == (
        409,
        "invoice_unavailable",
        "The invoice is issued once the order is paid.",
    )
    # Asking only for a PDF, the refusal is still the JSON error.
    asked_pdf = client_of(member).get(
        f"/api/orders/{order.pk}/invoice", HTTP_ACCEPT="application/pdf"
    )
    assert (asked_pdf.status_code, asked_pdf["Content-Type"]) == (409, "application/json")
    assert asked_pdf.json()["code"] == "invoice_unavailable"
    page = page_of(member).get(f"/orders/{order.pk}/invoice")
    assert page.status_code == 409
    assert "The invoice is issued once the order is paid." in page.content.decode()
    pay(tenant, order)
    numberless = client_of(member).get(f"/api/orders/{order.pk}/invoice")
    assert (numberless.status_code, numberless.json()["message"]) == (
        409,
        "The company has not set its invoice registration number yet.",
    )


def test_someone_elses_invoice_is_404_and_managers_see_any(
    tenant, member, client_of, page_of, seller
):
    order = pay(tenant, place(tenant, member))
    stranger = MembershipFactory(tenant=tenant, role="member")
    assert client_of(stranger).get(f"/api/orders/{order.pk}/invoice").status_code == 404
    assert page_of(stranger).get(f"/orders/{order.pk}/invoice").status_code == 404
    admin = MembershipFactory(tenant=tenant, role="admin")
    assert client_of(admin).get(f"/api/orders/{order.pk}/invoice").status_code == 200


def test_the_invoice_and_order_pages_show_the_tax_per_rate(tenant, member, page_of, seller):
    order = pay(tenant, place(tenant, member))
    client = page_of(member)
    html = client.get(f"/orders/{order.pk}").content.decode()
    assert f'href="/orders/{order.pk}/invoice"' in html
    assert html.count('data-testid="reduced-mark"') == 2
    assert tax_rows(html) == [("8% taxable ※", "¥994", "¥73"), ("10% taxable", "¥1,099", "¥99")]
    assert 'data-testid="order-excluding-tax">¥1,921<' in html
    html = client.get(f"/orders/{order.pk}/invoice").content.decode()
    assert 'data-testid="invoice-seller">株式会社クラ商店<' in html
    assert 'data-testid="invoice-registration">T7000012050002<' in html
    assert html.count('data-testid="reduced-mark"') == 2
    assert tax_rows(html) == [("8% taxable ※", "¥994", "¥73"), ("10% taxable", "¥1,099", "¥99")]
    assert "※ marks items at the reduced rate." in html
    assert f'href="/api/orders/{order.pk}/invoice"' in html
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ja"
    html = client.get(f"/orders/{order.pk}/invoice").content.decode()
    assert tax_rows(html) == [("8%対象 ※", "¥994", "¥73"), ("10%対象", "¥1,099", "¥99")]
    assert "※は軽減税率対象です。" in html


def test_owners_and_admins_set_the_seller_on_a_page(tenant, member, page_of):
    admin = page_of(MembershipFactory(tenant=tenant, role="admin"))
    assert page_of(member).get("/orders/invoice-settings").status_code == 403
    assert 'href="/orders/invoice-settings"' in admin.get("/orders/all").content.decode()
    form = {"seller_name": "株式会社クラ", "registration_number": "T7000012050002"}
    saved = admin.post("/orders/invoice-settings", form | {"rounding": "half_up"}, follow=True)
    assert [str(m) for m in saved.context["messages"]] == ["Invoice settings saved."]
    html = saved.content.decode()
    assert 'value="T7000012050002"' in html
    assert '<option value="half_up" selected>' in html
    # A wrong check digit beside its field, a malformed number too; nothing changes.
    wrong = admin.post(
        "/orders/invoice-settings",
        form | {"registration_number": "T8000012050002", "rounding": "up"},
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {
        "registration_number": [
            "T8000012050002 is not a registration number: its check digit does not match."
        ]
    }
    malformed = admin.post(
        "/orders/invoice-settings", form | {"registration_number": "T12", "rounding": "up"}
    )
    assert malformed.context["form"].errors == {
        "registration_number": ["A registration number is T and 13 digits, e.g. T1234567890123."]
    }
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        row = InvoiceSettings.objects.get()
        assert (row.registration_number, row.rounding) == ("T7000012050002", "half_up")
