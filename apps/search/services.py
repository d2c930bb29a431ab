"""Writes on the search outbox. Callers add entries inside the transaction of their change,
so the index learns of every committed change and of nothing rolled back."""

from collections.abc import Iterable

from apps.search.models import OutboxEntry
from apps.tenants.models import Tenant


def outbox_add(*, tenant: Tenant, kind: str, object_ids: Iterable[int]) -> int:
    """Record that these objects of `kind` changed (or went) in `tenant`; one INSERT."""
    entries = [
        OutboxEntry(tenant=tenant, kind=kind, object_id=object_id)
        for object_id in dict.fromkeys(object_ids)
    ]
    OutboxEntry.objects.bulk_create(entries)
    return len(entries)
