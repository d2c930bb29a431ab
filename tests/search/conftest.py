"""Search tests run on indices named by this run's own prefix (config/settings/test.py draws
it at random; worker processes inherit it), deleted when the session ends."""

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context
from elasticsearch import Elasticsearch

from apps.catalog.models import Brand, Category, Product
from apps.core.search import es_client
from apps.search.documents import products_alias
from apps.search.index import index_for_forget
from apps.search.models import DedicatedIndex, IndexMirror, OutboxEntry
from apps.tenants.models import Tenant


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
def es() -> Elasticsearch:
    return es_client()


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
