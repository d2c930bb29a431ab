"""The outbox drain: from "product N of company T changed" to the index, in bulk, nothing lost.

A drain claims entries as the operator (FOR UPDATE SKIP LOCKED, so workers running side by
side never take the same ones), takes each company's lock, reads the company's products as
they are now, and writes them (or removes them) with one bulk request; the entries are
deleted in the same transaction, so a failure (Elasticsearch down) leaves them for the next
drain, counted in `attempts`.

Ordering. Two drains may hold entries about the same product. Each company is drained by
one process at a time (a PostgreSQL advisory lock per company, tried, never waited for: a
busy company's entries wait for the next drain), and a drain reads products only once it
holds the lock, so whoever writes last read last: the index ends with the product's latest
state. Reindexes and moves (apps.search.rebuild) load products under the same lock.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django_tenants.utils import tenant_context
from elasticsearch import Elasticsearch
from elasticsearch.helpers import bulk, expand_action

from apps.catalog.models import Product
from apps.catalog.selectors import products_to_index
from apps.core.search import es_client
from apps.search.documents import document_id, product_document, products_alias
from apps.search.index import index_ensure
from apps.search.models import DedicatedIndex, IndexMirror, OutboxEntry
from apps.tenants.models import Tenant
from apps.tenants.rowsecurity import operator_context
from apps.tenants.selectors import tenants_by_id

logger = logging.getLogger(__name__)

PRODUCT = "product"
# Advisory lock keys (two-int form, a key space apart from the one-bigint locks elsewhere).
TENANT_LOCK = 1_802_859_105  # (TENANT_LOCK, tenant id): one writer per company
BARRIER_LOCK = (1_802_859_106, 0)  # held shared by every drain; see drains_barrier
MAINTENANCE_LOCK = (1_802_859_106, 1)  # one reindex or move at a time


class SyncError(Exception):
    """Elasticsearch refused some of the documents."""


def tenant_lock(tenant_id: int, *, wait: bool) -> bool:
    """Take company `tenant_id`'s write lock until the transaction ends; with `wait` False,
    only if no one holds it."""
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TENANT_LOCK, tenant_id])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [TENANT_LOCK, tenant_id])
        return bool(cursor.fetchone()[0])


def drains_barrier() -> None:
    """Wait until every drain running now has finished (drains started later read what the
    caller changed before calling this). Outside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", BARRIER_LOCK)
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", BARRIER_LOCK)


# --- writing documents ---------------------------------------------------------------------


def _bulk_line(action: dict[str, Any]) -> Any:
    """helpers.bulk's own expansion, plus require_alias on writes: an index that is gone
    must fail the write, not be created again with a guessed mapping."""
    header, body = expand_action(action)
    if "index" in header:
        header["index"]["require_alias"] = True
    return header, body


def _gone_already(error: dict[str, Any]) -> bool:
    item = error.get("delete")
    return item is not None and item.get("result") == "not_found"


def documents_write(
    es: Elasticsearch,
    *,
    tenant_id: int,
    products: Iterable[Product],
    removed: Iterable[int] = (),
    targets: list[str],
) -> int:
    """Index `products` (loaded with category__parent and brand) and remove the documents of
    `removed` product ids, in every alias of `targets`; the number of actions."""
    routing = str(tenant_id)

    def actions() -> Iterator[dict[str, Any]]:
        for product in products:
            source = product_document(product, tenant_id=tenant_id)
            doc_id = document_id(tenant_id=tenant_id, product_id=product.pk)
            for alias in targets:
                yield {"_index": alias, "_id": doc_id, "_routing": routing, "_source": source}
        for product_id in removed:
            doc_id = document_id(tenant_id=tenant_id, product_id=product_id)
            for alias in targets:
                yield {"_op_type": "delete", "_index": alias, "_id": doc_id, "_routing": routing}

    done, errors = bulk(
        es, actions(), raise_on_error=False, expand_action_callback=_bulk_line, chunk_size=1000
    )
    failed = [error for error in errors if not _gone_already(error)]  # type: ignore[union-attr]
    if failed:
        raise SyncError(f"{len(failed)} document(s) refused, the first: {failed[0]}")
    return done + len(errors)  # type: ignore[arg-type]


def products_of(tenant: Tenant, product_ids: Iterable[int]) -> list[Product]:
    """The active products among `product_ids`, ready for their documents (one query)."""
    with tenant_context(tenant):
        return products_to_index(product_ids=list(product_ids))


def write_targets(tenant_ids: Iterable[int]) -> dict[int, list[str]]:
    """Where each company's documents are written: its alias, and the copies being made of
    it (IndexMirror). Read as the operator, while holding the companies' locks."""
    ids = list(tenant_ids)
    dedicated = dict(
        DedicatedIndex.objects.filter(tenant_id__in=ids).values_list("tenant_id", "alias")
    )
    mirrors = list(IndexMirror.objects.values_list("source", "target", "tenant_id"))
    shared = products_alias()
    targets = {}
    for tenant_id in ids:
        primary = dedicated.get(tenant_id, shared)
        copies = [
            target
            for source, target, only in mirrors
            if source == primary and only in (None, tenant_id)
        ]
        targets[tenant_id] = [primary, *copies]
    return targets


# --- the drain -----------------------------------------------------------------------------

Claimed = tuple[int, int, str, int]  # entry id, tenant id, kind, object id


def outbox_drain(*, batch: int = 500) -> int:
    """Carry up to `batch` outbox entries into the index; the number drained. Entries whose
    company is being drained elsewhere are left for the next drain; entries that fail
    (Elasticsearch down or refusing) stay, their `attempts` counted. Never raises for a
    failure of Elasticsearch."""
    with operator_context(), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, %s)", BARRIER_LOCK)
        claimed: list[Claimed] = list(
            OutboxEntry.objects.select_for_update(skip_locked=True)
            .order_by("attempts", "id")
            .values_list("pk", "tenant_id", "kind", "object_id")[:batch]
        )
        if not claimed:
            return 0
        by_tenant: dict[int, list[Claimed]] = defaultdict(list)
        for entry in claimed:
            by_tenant[entry[1]].append(entry)
        # In company order, so drains waiting on each other's locks cannot deadlock.
        locked = [t for t in sorted(by_tenant) if tenant_lock(t, wait=False)]
        drained, failed = _drain_locked(locked, by_tenant)
        OutboxEntry.objects.filter(pk__in=drained).delete()
        OutboxEntry.objects.filter(pk__in=failed).update(attempts=F("attempts") + 1)
    return len(drained)


def _drain_locked(
    tenant_ids: list[int], by_tenant: dict[int, list[Claimed]]
) -> tuple[list[int], list[int]]:
    drained: list[int] = []
    failed: list[int] = []
    if not tenant_ids:
        return drained, failed
    es = es_client()
    try:
        index_ensure()
    except Exception:
        logger.warning("search outbox: Elasticsearch unavailable; entries wait", exc_info=True)
        return drained, [entry[0] for t in tenant_ids for entry in by_tenant[t]]
    targets = write_targets(tenant_ids)
    tenants = tenants_by_id(tenant_ids=tenant_ids)
    for tenant_id in tenant_ids:
        entries = by_tenant[tenant_id]
        products = {entry[3] for entry in entries if entry[2] == PRODUCT}
        unknown = [entry[0] for entry in entries if entry[2] != PRODUCT]
        if unknown:
            logger.error("search outbox: entries %s of an unknown kind wait", unknown)
            failed += unknown
        done = [entry[0] for entry in entries if entry[2] == PRODUCT]
        try:
            with transaction.atomic():  # a failing company's reads roll back alone
                present = products_of(tenants[tenant_id], products)
                documents_write(
                    es,
                    tenant_id=tenant_id,
                    products=present,
                    removed=products - {product.pk for product in present},
                    targets=targets[tenant_id],
                )
        except Exception:
            logger.warning(
                "search outbox: company %s not indexed; %d entries wait",
                tenant_id,
                len(done),
                exc_info=True,
            )
            failed += done
        else:
            drained += done
    return drained, failed
