"""The consumption tax of an order as a qualified invoice states it: the lines added up per
rate and the tax inside each rate's total rounded once, with the company's rule, never per
line; and the seller's registration number, T and a corporate number whose check digit
matches."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import schema_context

from apps.orders.models import InvoiceSettings, OrderLine, OrderTax
from apps.orders.tax import TaxLine, tax_by_rate, validate_registration_number
from tests.accounts.factories import MembershipFactory
from tests.orders.conftest import make_product

REDUCED, STANDARD = Decimal("0.08"), Decimal("0.10")
# Per line, rounded down, these would be 29 + 14 + 7 = 50 yen at 8 % and 99 + 49 = 148 at
# 10 %; per rate they are 51 and 149.
AWKWARD = [(REDUCED, 398), (STANDARD, 1099), (REDUCED, 198), (STANDARD, 549), (REDUCED, 98)]


@pytest.mark.parametrize(
    ("rounding", "reduced_tax", "standard_tax"),
    [("down", 51, 149), ("half_up", 51, 150), ("up", 52, 150)],
)
def test_the_tax_is_rounded_once_per_rate(rounding, reduced_tax, standard_tax):
    # 694 x 8/108 = 51.41 and 1648 / 11 = 149.82.
    assert tax_by_rate(AWKWARD, rounding=rounding) == [
        TaxLine(rate=REDUCED, taxable_amount=694, tax=reduced_tax),
        TaxLine(rate=STANDARD, taxable_amount=1648, tax=standard_tax),
    ]


def test_rounding_half_up_and_exact_amounts():
    # 1,350 at 8 %: 100.0 exactly; 55 at 10 %: 5.0 exactly: no rule moves them.
    for rounding in ("down", "half_up", "up"):
        assert tax_by_rate([(REDUCED, 1350), (STANDARD, 55)], rounding=rounding) == [
            TaxLine(rate=REDUCED, taxable_amount=1350, tax=100),
            TaxLine(rate=STANDARD, taxable_amount=55, tax=5),
        ]
    # 17 at 8 %: 1.259 -> 1 half up; 16 at 10 %: 1.4545 -> 1; 6 at 10 %: 0.545 -> 1.
    assert tax_by_rate([(REDUCED, 17)], rounding="half_up")[0].tax == 1
    assert tax_by_rate([(STANDARD, 16)], rounding="half_up")[0].tax == 1
    assert tax_by_rate([(STANDARD, 6)], rounding="half_up")[0].tax == 1
    assert tax_by_rate([(STANDARD, 6)], rounding="down")[0].tax == 0
    assert tax_by_rate([], rounding="down") == []
    # Half up per line would make 1 + 1 of each: 1.26 twice at 8 %, 1.45 twice at 10 %.
    halves = [(REDUCED, 17), (STANDARD, 16), (REDUCED, 17), (STANDARD, 16)]
    assert tax_by_rate(halves, rounding="half_up") == [
        TaxLine(rate=REDUCED, taxable_amount=34, tax=3),  # 2.52
        TaxLine(rate=STANDARD, taxable_amount=32, tax=3),  # 2.91
    ]


@pytest.mark.parametrize(
    "number", ["T7000012050002", "T1180301018771", "T4000012090001", "T5010401067252"]
)
def test_registration_numbers_of_real_corporations_pass(number):
    validate_registration_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("T8000012050002", "check_digit"),  # one digit off: the check digit no longer matches
        ("T7000012050003", "check_digit"),
        ("T0000012050002", "check_digit"),
        ("7000012050002", "invalid"),  # no T
        ("T700001205000", "invalid"),  # 12 digits
        ("T70000120500021", "invalid"),
        ("t7000012050002", "invalid"),
        ("T\uff17\uff10\uff10\uff10012050002", "invalid"),  # full-width digits
        ("T7000-01205-0002", "invalid"),
    ],
)
def test_bad_registration_numbers_are_refused(number, code):
    with pytest.raises(ValidationError) as refused:
        validate_registration_number(number)
    assert refused.value.code == code


@pytest.fixture
def groceries(tenant):
    return [
        make_product(tenant, name="抹茶", price=398, stock=9, tax_class="reduced"),
        make_product(tenant, name="ペン", price=1099, stock=9),
        make_product(tenant, name="羊羹", price=198, stock=9, tax_class="reduced"),
        make_product(tenant, name="ノート", price=549, stock=9),
        make_product(tenant, name="煎餅", price=98, stock=9, tax_class="reduced"),
    ]


@pytest.mark.django_db
def test_an_order_stores_the_rate_of_each_line_and_the_tax_of_each_rate(
    tenant, member, client_of, groceries
):
    body = {
        "lines": [{"product_id": p.pk, "quantity": 1} for p in groceries],
        "idempotency_key": "tax",
    }
    placed = client_of(member).post("/api/orders", body, format="json")
    assert placed.status_code == 201, placed.json()
    order = client_of(member).get(f"/api/orders/{placed.json()['id']}").json()
    assert (order["total"], order["subtotal_excluding_tax"]) == (2342, 2142)
    assert order["tax_lines"] == [
        {"rate": "0.08", "taxable_amount": 694, "tax": 51},
        {"rate": "0.10", "taxable_amount": 1648, "tax": 149},
    ]
    assert [(li["product_name"], li["tax_rate"]) for li in order["lines"]] == [
        ("抹茶", "0.08"),
        ("ペン", "0.10"),
        ("羊羹", "0.08"),
        ("ノート", "0.10"),
        ("煎餅", "0.08"),
    ]
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        assert list(OrderTax.objects.values_list("rate", "taxable_amount", "tax")) == [
            (REDUCED, 694, 51),
            (STANDARD, 1648, 149),
        ]
        assert OrderLine.objects.filter(tax_rate=REDUCED).count() == 3


@pytest.mark.django_db
def test_the_companys_rounding_applies_to_orders_placed_after(tenant, member, client_of, groceries):
    admin = client_of(MembershipFactory(tenant=tenant, role="admin"))
    settings = {"seller_name": "株式会社クラ", "registration_number": "", "rounding": "up"}
    assert admin.put("/api/invoice-settings", settings, format="json").status_code == 200
    body = {"lines": [{"product_id": p.pk, "quantity": 2} for p in groceries[:2]]}
    placed = (
        client_of(member)
        .post("/api/orders", body | {"idempotency_key": "up"}, format="json")
        .json()
    )
    # 796 x 8/108 = 58.96 -> 59; 2198 / 11 = 199.82 -> 200.
    assert placed["tax_lines"] == [
        {"rate": "0.08", "taxable_amount": 796, "tax": 59},
        {"rate": "0.10", "taxable_amount": 2198, "tax": 200},
    ]
    assert placed["subtotal_excluding_tax"] == 2994 - 259


@pytest.mark.django_db
def test_owners_and_admins_set_the_seller_and_a_valid_registration_number(
    tenant, member, client_of
):
    admin = client_of(MembershipFactory(tenant=tenant, role="admin"))
    assert admin.get("/api/invoice-settings").json() == {
        "seller_name": "",
        "registration_number": "",
        "rounding": "down",
    }
    good = {"seller_name": "株式会社クラ", "registration_number": "T7000012050002"}
    response = admin.put("/api/invoice-settings", good | {"rounding": "half_up"}, format="json")
    assert (response.status_code, response.json()) == (
        200,
        good | {"rounding": "half_up"},
    )
    bad = admin.put(
        "/api/invoice-settings",
        good | {"registration_number": "T8000012050002", "rounding": "down"},
        format="json",
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {
        "registration_number": [
            "T8000012050002 is not a registration number: its check digit does not match."
        ]
    }
    for number in ("T123", "7000012050002", "T7000012050002X"):
        malformed = admin.put(
            "/api/invoice-settings",
            good | {"registration_number": number, "rounding": "down"},
            format="json",
        )
        assert (malformed.status_code, list(malformed.json()["errors"])) == (
            400,
            ["registration_number"],
        )
    nameless = admin.put(
        "/api/invoice-settings",
        {"seller_name": " ", "registration_number": "T7000012050002", "rounding": "down"},
        format="json",
    )
    assert (nameless.status_code, list(nameless.json()["errors"])) == (422, ["seller_name"])
    assert client_of(member).get("/api/invoice-settings").status_code == 403
    refused = client_of(member).put(
        "/api/invoice-settings", good | {"rounding": "up"}, format="json"
    )
    assert refused.status_code == 403
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        row = InvoiceSettings.objects.get()
        assert (row.seller_name, row.registration_number, row.rounding) == (
            "株式会社クラ",
            "T7000012050002",
            "half_up",
        )


@pytest.mark.django_db
def test_orders_placed_before_tax_classes_get_their_standard_rate_tax_line(
    tenant, member, client_of, groceries
):
    """The migration's data step: an order without tax lines (placed before) gets one at
    10 % for its whole total, the tax rounded down."""
    migration = importlib.import_module("apps.orders.migrations.0002_order_tax")
    body = {"lines": [{"product_id": groceries[1].pk, "quantity": 1}], "idempotency_key": "old"}
    placed = client_of(member).post("/api/orders", body, format="json").json()
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        OrderTax.objects.all().delete()  # as it was before the migration
        migration.tax_of_earlier_orders(django_apps, None)
        assert list(OrderTax.objects.values_list("order_id", "rate", "taxable_amount", "tax")) == [
            (placed["id"], STANDARD, 1099, 99)
        ]
