"""Reads on orders: a person's own, or for owners and admins everyone's; the operators'
counts per company."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django_tenants.utils import schema_context
from psycopg import sql

from apps.accounts.principal import Actor
from apps.core.errors import NotFoundError
from apps.orders.models import InvoiceSettings, Order, PaymentSecret
from apps.orders.policies import can_see_all_orders, can_see_order
from apps.tenants.models import Tenant

ORDERING = ("-created_at", "-id")


def order_list(
    *, actor: Actor, state: str | None = None, everyone: bool = False
) -> QuerySet[Order]:
    """Newest first: the acting person's orders, or with `everyone` (owners and admins
    only; ignored for others) the company's."""
    orders = Order.objects.select_related("buyer").prefetch_related("lines", "tax_lines")
    if not (everyone and can_see_all_orders(actor)):
        if actor.membership is None:
            return Order.objects.none()
        orders = orders.filter(buyer_id=actor.membership.user_id)
    if state:
        orders = orders.filter(state=state)
    return orders.order_by(*ORDERING)


def order_get(*, actor: Actor, order_id: int) -> Order:
    """An order the actor sees; NotFoundError for any other id (someone else's too)."""
    order = (
        Order.objects.select_related("buyer")
        .prefetch_related("lines", "tax_lines")
        .filter(pk=order_id)
        .first()
    )
    if order is None or not can_see_order(actor, order):
        raise NotFoundError
    return order


@dataclass(frozen=True)
class OrderCounts:
    pending: int
    paid: int
    closed: int  # cancelled or expired
    refunds: int


NO_ORDERS = OrderCounts(pending=0, paid=0, closed=0, refunds=0)


def order_counts_by_tenant(tenants: list[Tenant]) -> dict[int, OrderCounts]:
    """Operators: each company's orders by state and its flagged refunds, read from every
    company's schema in one query (the admin's page of companies)."""
    if not tenants:
        return {}
    parts = [
        sql.SQL(
            "SELECT {id}::bigint, count(*) FILTER (WHERE state = {pending}), "
            "count(*) FILTER (WHERE state = {paid}), "
            "count(*) FILTER (WHERE state IN ({cancelled}, {expired})), "
            "count(*) FILTER (WHERE refund_flagged) FROM {table}"
        ).format(
            id=sql.Literal(tenant.pk),
            pending=sql.Literal(str(Order.State.PENDING_PAYMENT)),
            paid=sql.Literal(str(Order.State.PAID)),
            cancelled=sql.Literal(str(Order.State.CANCELLED)),
            expired=sql.Literal(str(Order.State.EXPIRED)),
            table=sql.Identifier(tenant.schema_name, Order._meta.db_table),  # noqa: SLF001
        )
        for tenant in tenants
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.connection))
        rows = cursor.fetchall()
    return {
        tenant_id: OrderCounts(pending=pending, paid=paid, closed=closed, refunds=refunds)
        for tenant_id, pending, paid, closed, refunds in rows
    }


def tenant_orders(
    *, tenant: Tenant, state: str | None = None, refunds: bool = False, limit: int = 200
) -> list[Order]:
    """Operators: a company's newest orders with their buyers and lines (entering its
    schema to read them); `refunds`: only those flagged for a refund."""
    with schema_context(tenant.schema_name):
        orders = Order.objects.select_related("buyer").prefetch_related("lines").order_by(*ORDERING)
        if state:
            orders = orders.filter(state=state)
        if refunds:
            orders = orders.filter(refund_flagged=True)
        return list(orders[:limit])


def payment_secret() -> str | None:
    """The company's webhook secret, for the demo's own signer (the web UI's "Pay (demo)");
    None before one is made."""
    return PaymentSecret.objects.values_list("secret", flat=True).first()


def invoice_settings() -> InvoiceSettings:
    """The company as the seller on its invoices; blank, rounding down, until it sets them."""
    return InvoiceSettings.objects.first() or InvoiceSettings()
