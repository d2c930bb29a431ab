"""Where the products' documents live.

Every index Kura writes is reached through an alias: the shared one, `products_alias()`,
and one per company moved off it (`<prefix>-products-t-<schema>`, DedicatedIndex). Behind
an alias is a physical index `<alias>-<timestamp>` made from ProductDocument's settings and
mapping, so a reindex can build the next one beside it and swap the alias in one step.
Writes name the alias and require it to be one (apps.search.sync): a write can never
create an index with a guessed mapping.
"""

import time

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.core.search import es_client
from apps.search.documents import ProductDocument, products_alias
from apps.search.models import DedicatedIndex
from apps.tenants.models import Tenant

# pg_advisory_xact_lock(ENSURE_LOCK, hashtext(alias)): one process creates a missing alias.
ENSURE_LOCK = 1_802_859_107


def dedicated_alias(tenant: Tenant) -> str:
    return f"{products_alias()}-t-{tenant.schema_name}"


def physical_name(alias: str) -> str:
    return f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"


def index_create(*, alias: str, aliases: list[str]) -> str:
    """A new, empty physical index for `alias` with the products' settings and mapping,
    reached through `aliases` (possibly not `alias` itself yet); its name."""
    name = physical_name(alias)
    body = ProductDocument._index.to_dict()  # noqa: SLF001 - the document's own index
    es_client().indices.create(
        index=name,
        settings=body["settings"],
        mappings=body["mappings"],
        aliases={a: {} for a in aliases},
    )
    return name


def indices_of(alias: str) -> list[str]:
    """The physical indices behind `alias` (none if it does not exist)."""
    es = es_client()
    if not es.indices.exists_alias(name=alias):
        return []
    return sorted(es.indices.get_alias(name=alias))


def index_ensure(alias: str | None = None) -> str:
    """Create `alias` (default the shared one) and an index behind it if it is missing;
    idempotent, and safe from several processes at once. The alias."""
    alias = alias or products_alias()
    es = es_client()
    if es.indices.exists_alias(name=alias):
        return alias
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [ENSURE_LOCK, alias])
        if not es.indices.exists_alias(name=alias):
            index_create(alias=alias, aliases=[alias])
    return alias


# Which alias a company's documents are in, per process, for SEARCH_INDEX_CACHE_SECONDS.
_where: dict[tuple[str, int], tuple[float, str]] = {}


def index_for(tenant_id: int) -> str:
    """The alias holding `tenant_id`'s documents: its dedicated index's, or the shared one.
    Cached briefly in this process; a move waits out the cache before it deletes anything."""
    now = time.monotonic()
    key = (products_alias(), tenant_id)  # the prefix is a setting (tests change it)
    cached = _where.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    alias = index_for_uncached(tenant_id)
    _where[key] = (now + settings.SEARCH_INDEX_CACHE_SECONDS, alias)
    return alias


def index_for_uncached(tenant_id: int) -> str:
    dedicated = DedicatedIndex.objects.filter(tenant_id=tenant_id).values_list("alias", flat=True)
    return dedicated.first() or products_alias()


def index_for_forget(tenant_id: int | None = None) -> None:
    """Drop this process's cached answer for `tenant_id` (all, with None)."""
    if tenant_id is None:
        _where.clear()
    else:
        for key in [key for key in _where if key[1] == tenant_id]:
            del _where[key]
