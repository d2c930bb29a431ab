"""Rebuilding indices from PostgreSQL while the outbox keeps flowing, and moving a company to
an index of its own and back (`manage.py search_reindex`, `manage.py search_move_tenant`).

Both copy products into a target the drain does not write yet, so first they record an
IndexMirror: from then on the drain writes what it sends to the source to the target as
well. Products are then read from PostgreSQL in chunks, each chunk under the company's lock
(apps.search.sync), the lock every drain holds. A change drained before a chunk's lock is
read by that chunk; one drained after it reaches the target through the mirror, later than
the chunk. So when the copy ends the target holds every product's latest state, including
the writes made during the copy, and the alias can be swapped (or the company's
DedicatedIndex recorded) with nothing to replay. The outbox position at the start is kept
on the mirror to say how much flowed during the copy.
"""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django_tenants.utils import schema_exists, tenant_context
from elasticsearch.helpers import scan

from apps.catalog.selectors import product_ids_active, products_to_index_after
from apps.core.search import es_client
from apps.search.documents import products_alias
from apps.search.index import (
    dedicated_alias,
    index_create,
    index_ensure,
    index_for_forget,
    index_for_uncached,
    indices_of,
)
from apps.search.models import DedicatedIndex, IndexMirror, OutboxEntry
from apps.search.sync import (
    MAINTENANCE_LOCK,
    documents_write,
    drains_barrier,
    tenant_lock,
)
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_list, tenants_by_id

logger = logging.getLogger(__name__)
Say = Callable[[str], None]


class BusyError(Exception):
    """Another reindex or move is running."""


@contextmanager
def _maintenance() -> Iterator[None]:
    """One reindex or move at a time, in the whole deployment."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", MAINTENANCE_LOCK)
        if not cursor.fetchone()[0]:
            raise BusyError("another reindex or move of the search index is running")
    try:
        # Copies exist only while a reindex or move runs, and none runs but this one: any
        # left is a command that died. Drains stop writing to it before it is cleared away.
        if IndexMirror.objects.all().delete()[0]:
            drains_barrier()
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", MAINTENANCE_LOCK)


def _indices_delete(names: list[str]) -> None:
    if names:
        es_client(request_timeout=60).indices.delete(index=",".join(names), ignore_unavailable=True)


def _outbox_position() -> int:
    return OutboxEntry.objects.aggregate(last=Max("id"))["last"] or 0


def _mirror(*, source: str, target: str, tenant: Tenant | None) -> IndexMirror:
    return IndexMirror.objects.create(
        source=source, target=target, tenant=tenant, outbox_position=_outbox_position()
    )


def products_load(*, tenant: Tenant, targets: list[str], chunk: int | None = None) -> int:
    """Write every active product of `tenant` to `targets` from PostgreSQL, in chunks by
    id, each under the company's lock; the number of products."""
    chunk = chunk or settings.SEARCH_REINDEX_CHUNK
    es = es_client(request_timeout=60)
    last, count = 0, 0
    while True:
        with transaction.atomic():
            tenant_lock(tenant.pk, wait=True)
            with tenant_context(tenant):
                products = products_to_index_after(after=last, limit=chunk)
            if not products:
                return count
            documents_write(es, tenant_id=tenant.pk, products=products, targets=targets)
        last, count = products[-1].pk, count + len(products)


def _indexed_products(alias: str, tenant: Tenant) -> set[int]:
    """The product ids `tenant` has documents for in `alias` (this Elasticsearch build has
    no delete-by-query: removals are a scan and a bulk delete)."""
    es = es_client(request_timeout=60)
    es.indices.refresh(index=alias)  # what the drains wrote must be visible to the scan
    return {
        int(hit["_source"]["product_id"])
        for hit in scan(
            es,
            index=alias,
            routing=str(tenant.pk),
            query={"query": {"term": {"tenant": str(tenant.pk)}}},
            _source=["product_id"],
        )
    }


def tenants_on(alias: str) -> list[Tenant]:
    """The companies whose documents live in `alias`."""
    dedicated = DedicatedIndex.objects.filter(alias=alias).values_list("tenant_id", flat=True)
    if alias != products_alias():
        tenants = sorted(tenants_by_id(tenant_ids=list(dedicated)).values(), key=lambda t: t.pk)
    else:
        elsewhere = set(DedicatedIndex.objects.values_list("tenant_id", flat=True))
        tenants = [t for t in tenant_list() if t.pk not in elsewhere]
    return [t for t in tenants if schema_exists(t.schema_name)]


def index_rebuild(*, alias: str | None = None, chunk: int | None = None, say: Say = print) -> str:
    """Build a new physical index for `alias` (default the shared one) from PostgreSQL,
    while the drain keeps writing (to both), then point the alias at it in one step and
    delete the old one; the new index's name."""
    alias = alias or products_alias()
    with _maintenance():
        index_ensure(alias)
        old = indices_of(alias)
        building = f"{alias}-building"
        _indices_delete(indices_of(building))  # half-built by a reindex that died
        new = index_create(alias=alias, aliases=[building])
        mirror = _mirror(source=alias, target=building, tenant=None)
        es = es_client(request_timeout=60)
        try:
            for tenant in tenants_on(alias):
                count = products_load(tenant=tenant, targets=[building], chunk=chunk)
                say(f"{tenant.slug}: {count} products")
            es.indices.update_aliases(
                actions=[
                    *({"remove": {"index": index, "alias": alias}} for index in old),
                    {"add": {"index": new, "alias": alias}},
                ]
            )
        except BaseException:
            mirror.delete()
            drains_barrier()
            es.indices.delete(index=new, ignore_unavailable=True)
            raise
        # The mirror goes only now: until the swap, drains had to reach `new` through it.
        mirror.delete()
        drains_barrier()
        es.indices.update_aliases(actions=[{"remove": {"index": new, "alias": building}}])
        _indices_delete(old)
        flowed = _outbox_position() - mirror.outbox_position
        say(f"{alias} -> {new} (outbox entries written meanwhile: {max(flowed, 0)})")
    return new


def reindex_all(*, chunk: int | None = None, say: Say = print) -> list[str]:
    """Rebuild the shared index and every dedicated one."""
    aliases = [
        products_alias(),
        *DedicatedIndex.objects.order_by("pk").values_list("alias", flat=True),
    ]
    return [index_rebuild(alias=alias, chunk=chunk, say=say) for alias in aliases]


def tenant_reindex(*, tenant: Tenant, chunk: int | None = None) -> tuple[int, int]:
    """Rewrite one company's documents in place from PostgreSQL and remove those of products
    that are gone or inactive; (written, removed)."""
    with _maintenance():
        alias = index_ensure(index_for_uncached(tenant.pk))
        written = products_load(tenant=tenant, targets=[alias], chunk=chunk)
        es = es_client(request_timeout=60)
        with transaction.atomic():
            tenant_lock(tenant.pk, wait=True)
            with tenant_context(tenant):
                live = product_ids_active()
            stale = _indexed_products(alias, tenant) - live
            documents_write(es, tenant_id=tenant.pk, products=[], removed=stale, targets=[alias])
    return written, len(stale)


def tenant_move(
    *, tenant: Tenant, dedicated: bool, chunk: int | None = None, say: Say = print
) -> str:
    """Move a company's documents to an index of its own (`dedicated`) or back to the shared
    one: copy them, record where they are, wait for every process's cached answer to
    expire, remove them from where they were. The alias they are in."""
    with _maintenance():
        source = index_ensure(index_for_uncached(tenant.pk))
        target = dedicated_alias(tenant) if dedicated else products_alias()
        if source == target:
            say(f"{tenant.slug} is already in {target}")
            return target
        if dedicated:
            _indices_delete(indices_of(target))  # half-copied by a move that died
        index_ensure(target)
        mirror = _mirror(source=source, target=target, tenant=tenant)
        es = es_client(request_timeout=60)
        try:
            count = products_load(tenant=tenant, targets=[target], chunk=chunk)
        except BaseException:
            mirror.delete()
            drains_barrier()
            if dedicated:
                _indices_delete(indices_of(target))
            raise
        with transaction.atomic():
            tenant_lock(tenant.pk, wait=True)
            if dedicated:
                DedicatedIndex.objects.create(tenant=tenant, alias=target)
            else:
                DedicatedIndex.objects.filter(tenant=tenant).delete()
            mirror.delete()
        index_for_forget(tenant.pk)
        say(f"{tenant.slug}: {count} products now in {target}")
        # Searches elsewhere may read `source` until their cached answer expires.
        time.sleep(settings.SEARCH_INDEX_CACHE_SECONDS)
        if dedicated:
            documents_write(
                es,
                tenant_id=tenant.pk,
                products=[],
                removed=_indexed_products(source, tenant),
                targets=[source],
            )
        else:
            _indices_delete(indices_of(source))
        say(f"{tenant.slug}: removed from {source}")
    return target
