"""Search tests run on indices named by this run's own prefix (config/settings/test.py draws
it at random; worker processes inherit it), deleted when the session ends: a products
index of the query tests' own, with a shop that puts products in a company and in that
index, and a clean slate for the sync tests' committed catalog."""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk

from apps.accounts.principal import SystemActor
from apps.catalog import selectors
from apps.catalog.models import Brand, Category, Product
from apps.catalog.services import brand_create, category_create, product_create
from apps.core.search import es_client
from apps.search import query
from apps.search.documents import ProductDocument, document_id, product_document, products_alias
from apps.search.index import index_for_forget
from apps.search.models import DedicatedIndex, IndexMirror, OutboxEntry
from apps.tenants.models import Tenant

# The session's index is `<prefix>-products`, so the API (which searches the products
# alias of the configured prefix) finds it under `settings.ELASTICSEARCH_INDEX_PREFIX`.
PREFIX = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-q-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def es() -> Elasticsearch:
    return es_client()


@pytest.fixture(scope="session")
def session_index(es: Elasticsearch) -> Iterator[str]:
    name = f"{PREFIX}-products"
    # Other apps' tests import these fixtures (tests/usage): each conftest gets its own
    # session fixture, so the index may be there already; whoever made it drops it.
    made = not es.indices.exists(index=name)
    if made:
        ProductDocument._index.clone(name=name).create()
    try:
        yield name
    finally:
        if made:
            es.indices.delete(index=name, ignore_unavailable=True)


@pytest.fixture
def index(session_index: str, settings: Any) -> str:
    """The session's index; the API searches it too."""
    settings.ELASTICSEARCH_INDEX_PREFIX = PREFIX
    return session_index


class Shop:
    """Catalog rows made through the catalog's services, indexed as the drain would."""

    def __init__(self, es: Elasticsearch, index: str) -> None:
        self.es = es
        self.index = index
        self.names: dict[tuple[int, int], str] = {}
        # (id, routing) of each document indexed, deleted after the test (this node has
        # no delete-by-query: the reindex module is not in the zip).
        self.documents: list[tuple[str, str]] = []

    def category(self, tenant: Tenant, name: str, parent: Category | None = None) -> Category:
        with schema_context(tenant.schema_name):
            return category_create(
                actor=SystemActor(tenant, "tests"),
                name=name,
                parent_id=parent.pk if parent else None,
            )

    def brand(self, tenant: Tenant, name: str) -> Brand:
        with schema_context(tenant.schema_name):
            return brand_create(actor=SystemActor(tenant, "tests"), name=name)

    def product(
        self,
        tenant: Tenant,
        name: str,
        *,
        description: str = "",
        price: int = 1000,
        stock: int = 1,
        category: Category | None = None,
        brand: Brand | None = None,
    ) -> Product:
        fields = {
            "name": name,
            "description": description,
            "price": price,
            "stock": stock,
            "sku": f"S{uuid.uuid4().hex[:12]}",
            "category_id": category.pk if category else None,
            "brand_id": brand.pk if brand else None,
        }
        with schema_context(tenant.schema_name):
            made = product_create(tenant=tenant, actor=SystemActor(tenant, "tests"), fields=fields)
            product = selectors.product_get(actor=SystemActor(tenant, "tests"), product_id=made.pk)
            assert product is not None
            self.es.index(
                index=self.index,
                id=document_id(tenant_id=tenant.pk, product_id=product.pk),
                document=product_document(product, tenant_id=tenant.pk),
                routing=str(tenant.pk),
            )
        self.names[(tenant.pk, product.pk)] = name
        self.documents.append(
            (document_id(tenant_id=tenant.pk, product_id=product.pk), str(tenant.pk))
        )
        return product

    def forget(self) -> None:
        actions = (
            {"_op_type": "delete", "_index": self.index, "_id": doc_id, "_routing": routing}
            for doc_id, routing in self.documents
        )
        bulk(self.es, actions, raise_on_error=False, refresh=True)

    def refresh(self) -> None:
        self.es.indices.refresh(index=self.index)

    def search(self, tenant: Tenant, q: str = "", **kwargs: Any) -> query.SearchResult:
        self.refresh()
        return query.product_search(
            actor=SystemActor(tenant, "tests"), q=q, index=self.index, **kwargs
        )

    def found(self, tenant: Tenant, q: str = "", **kwargs: Any) -> list[str]:
        """Names of the hits, sorted (relevance order is asserted where it matters)."""
        result = self.search(tenant, q, **kwargs)
        return sorted(self.names[(tenant.pk, hit.product_id)] for hit in result.hits)


@pytest.fixture
def shop(es: Elasticsearch, index: str) -> Iterator[Shop]:
    made = Shop(es, index)
    yield made
    made.forget()


def delete_indices() -> None:
    """This run's products indices (shared, being built, dedicated); only those."""
    assert settings.ELASTICSEARCH_INDEX_PREFIX.startswith("kura-test-")  # never anyone else's
    es_client().indices.delete(
        index=f"{products_alias()}-*", ignore_unavailable=True, allow_no_indices=True
    )
    index_for_forget()


@pytest.fixture(scope="session", autouse=True)
def _search_indices_of_this_run() -> Iterator[None]:
    yield
    delete_indices()


@pytest.fixture
def fresh_indices() -> Iterator[None]:
    """No index of this run before the test, none after it."""
    delete_indices()
    yield
    delete_indices()


@pytest.fixture
def committed_catalog(committed, tenants: tuple[Tenant, Tenant], fresh_indices) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Committed writes (seen by workers, threads and subprocesses), removed afterwards with
    the outbox and the search bookkeeping."""
    yield
    connection.set_schema_to_public()
    OutboxEntry.objects.all().delete()
    IndexMirror.objects.all().delete()
    DedicatedIndex.objects.all().delete()
    for tenant in tenants:
        with schema_context(tenant.schema_name):
            Product.objects.all().delete()
            Category.objects.filter(parent__isnull=False).delete()
            Category.objects.all().delete()
            Brand.objects.all().delete()
