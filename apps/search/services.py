"""Writes on the search outbox. Callers add entries inside the transaction of their change,
so the index learns of every committed change and of nothing rolled back."""

import logging
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

from apps.search.models import OutboxEntry
from apps.tenants.models import Tenant

logger = logging.getLogger(__name__)
# Set while a drain task waits in the queue: changes committed meanwhile ride on it.
DRAIN_QUEUED_KEY = "search:outbox:drain-queued"
DRAIN_QUEUED_SECONDS = 30


def outbox_add(*, tenant: Tenant, kind: str, object_ids: Iterable[int]) -> int:
    """Record that these objects of `kind` changed (or went) in `tenant`; one INSERT. Once
    the transaction commits, a drain is asked for (once per transaction)."""
    entries = [
        OutboxEntry(tenant=tenant, kind=kind, object_id=object_id)
        for object_id in dict.fromkeys(object_ids)
    ]
    OutboxEntry.objects.bulk_create(entries)
    if entries:
        _drain_after_commit()
    return len(entries)


def _drain_after_commit() -> None:
    db = transaction.get_connection()
    if db.in_atomic_block and any(func is outbox_drain_soon for _, func, _ in db.run_on_commit):
        return
    transaction.on_commit(outbox_drain_soon, robust=True)


def outbox_drain_soon() -> None:
    """Queue a drain unless one is already waiting. Never raises: the change is committed
    and its entries are safe; if Redis or the broker is down, beat's sweep drains them."""
    from apps.search.tasks import outbox_drain_task

    try:
        if cache.add(DRAIN_QUEUED_KEY, 1, timeout=DRAIN_QUEUED_SECONDS):
            # The outbox is public; the drain enters each company itself.
            outbox_drain_task.apply_async(headers={"_schema_name": "public"}, retry=False)
    except Exception:
        logger.warning("could not queue a search outbox drain; the sweep will", exc_info=True)
