from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.principal import SystemActor
from apps.accounts.services import auth_token_issue
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.orders.models import InvoiceSettings, Order, PaymentEvent, PaymentSecret
from apps.search.models import OutboxEntry
from apps.tenants.models import Tenant
from tests.api import bearer


@pytest.fixture
def shop(committed, tenant) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Orders data committed for threads, worker and beat to see, deleted afterwards (the
    shared `committed` fixture knows nothing of orders)."""
    yield
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        PaymentEvent.objects.all().delete()
        Order.objects.all().delete()  # and their lines
        Product.objects.all().delete()
        PaymentSecret.objects.all().delete()
        InvoiceSettings.objects.all().delete()
    OutboxEntry.objects.filter(tenant=tenant).delete()


@pytest.fixture
def client_of(tenant: Tenant) -> Callable[..., APIClient]:
    """An API client signed in as `membership` (on `on`, default `tenant`)."""

    def make(membership: Membership, on: Tenant | None = None) -> APIClient:
        token = auth_token_issue(membership=membership).access_token
        return bearer(on or tenant, token)

    return make


def make_product(
    tenant: Tenant,
    *,
    name: str,
    price: int,
    stock: int,
    active: bool = True,
    tax_class: str = "standard",
):
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        return product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={
                "name": name,
                "sku": name,
                "price": price,
                "stock": stock,
                "active": active,
                "tax_class": tax_class,
            },
        )


def stock_of(tenant: Tenant, product_id: int) -> int:
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        return Product.objects.values_list("stock", flat=True).get(pk=product_id)
