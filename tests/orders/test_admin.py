"""Operators' admin: each company's orders by state and its flagged refunds, a company's
newest orders, and cancelling one waiting for payment (its job and stock too)."""

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from apps.accounts.models import User
from apps.accounts.principal import Principal
from apps.jobs.models import Job
from apps.orders import selectors
from apps.orders.models import Order
from apps.orders.services import (
    LineInput,
    order_cancel,
    order_expire,
    order_place,
    payment_record,
)
from tests.accounts.factories import MembershipFactory
from tests.conftest import operator_login
from tests.orders.conftest import make_product, stock_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client() -> Client:
    connection.set_schema_to_public()
    operator = User.objects.create_superuser("ops@kura.example", "ops-password-123")
    client = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en")
    operator_login(client, operator)
    return client


@pytest.fixture
def orders(tenant, other_tenant, member) -> dict[str, Order]:
    """In `tenant`: a pending order, a paid one, a cancelled one and an expired one paid
    late (flagged); in `other_tenant`: one pending."""
    tea = make_product(tenant, name="緑茶", price=500, stock=100)
    actor = Principal.of_membership(member)
    with schema_context(tenant.schema_name):

        def place(key: str) -> Order:
            lines = [LineInput(product_id=tea.pk, quantity=2)]
            return order_place(tenant=tenant, actor=actor, lines=lines, idempotency_key=key).order

        made = {key: place(key) for key in ("pending", "paid", "cancelled", "late")}
        for key, event in (("paid", "e1"), ("late", "e2")):
            if key == "late":
                order_expire(tenant=tenant, order_id=made[key].pk)
            payment_record(
                tenant=tenant,
                event_id=event,
                order_number=made[key].number,
                amount=1000,
                reference="",
            )
        order_cancel(tenant=tenant, order=made["cancelled"], actor=actor)
    coffee = make_product(other_tenant, name="珈琲", price=300, stock=5)
    other = Principal.of_membership(MembershipFactory(tenant=other_tenant))
    with schema_context(other_tenant.schema_name):
        made["other"] = order_place(
            tenant=other_tenant,
            actor=other,
            lines=[LineInput(product_id=coffee.pk, quantity=1)],
            idempotency_key="o",
        ).order
    made["tea"] = tea
    connection.set_schema_to_public()
    return made


def _row(html: str, name: str) -> list[str]:
    row = html[html.index(f">{name}<") :].split("</tr>", maxsplit=1)[0]
    return [cell.split(">", 1)[1].split("<")[0] for cell in row.split("<td")[1:]]


def test_companies_with_their_orders_by_state_and_refunds(
    operator_client, tenant, other_tenant, orders
):
    page = operator_client.get("/admin/orders/tenantorders/")
    assert page.status_code == 200
    html = page.content.decode()
    assert _row(html, tenant.name)[:5] == ["test-alpha", "1", "1", "2", "1"]
    assert _row(html, other_tenant.name)[:5] == ["test-beta", "1", "0", "0", "0"]
    assert f'href="/admin/orders/tenantorders/{tenant.pk}/orders/"' in html


def test_the_counts_of_every_company_are_one_query(
    tenant, other_tenant, orders, django_assert_num_queries
):
    with connection.cursor():
        pass  # the connection's schema is set before counting
    with django_assert_num_queries(1):
        counts = selectors.order_counts_by_tenant([tenant, other_tenant])
    assert counts == {
        tenant.pk: selectors.OrderCounts(pending=1, paid=1, closed=2, refunds=1),
        other_tenant.pk: selectors.OrderCounts(pending=1, paid=0, closed=0, refunds=0),
    }
    assert selectors.order_counts_by_tenant([]) == {}


def test_a_companys_orders_by_state_and_only_refunds(operator_client, tenant, orders):
    url = f"/admin/orders/tenantorders/{tenant.pk}/orders/"
    html = operator_client.get(url).content.decode()
    for key in ("pending", "paid", "cancelled", "late"):
        assert f"<td>{orders[key].number}</td>" in html
    assert orders["other"].number not in html
    assert "<td>Paid after the order was Expired.</td>" in html
    assert html.count('name="order"') == 1  # only the pending one can be cancelled
    refunds = operator_client.get(url, {"refunds": "1"}).content.decode()
    assert [n for n in ("pending", "paid", "cancelled", "late") if orders[n].number in refunds] == [
        "late"
    ]
    paid = operator_client.get(url, {"state": "paid"}).content.decode()
    assert orders["paid"].number in paid
    assert orders["pending"].number not in paid
    # An unknown state lists them all.
    assert operator_client.get(url, {"state": "nope"}).content.decode().count("<td>K-") == 4


def test_operators_cancel_a_pending_order_its_job_and_stock_too(operator_client, tenant, orders):
    url = f"/admin/orders/tenantorders/{tenant.pk}/orders/"
    pending = orders["pending"]
    response = operator_client.post(url, {"order": str(pending.pk)}, follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "The order was cancelled." in response.content.decode()
    job = Job.objects.get(tenant=tenant, idempotency_key=f"order:{pending.pk}")
    assert job.state == Job.State.CANCELLED
    with schema_context(tenant.schema_name):
        assert Order.objects.get(pk=pending.pk).state == "cancelled"
    # 100, less the paid order's two and the late one's (returned at expiry): 98.
    assert stock_of(tenant, orders["tea"].pk) == 98
    again = operator_client.post(url, {"order": str(pending.pk)}, follow=True)
    assert "This order is already Cancelled." in again.content.decode()
    assert operator_client.post(url, {"order": "x"}).status_code == 404
    assert operator_client.post(url, {"order": str(orders["other"].pk + 10_000)}).status_code == 404
