"""The one door to the products index: every search and count the query builder sends
goes through `_search` (or, for a count, `document_count`), which scope it to one company.

Whatever the caller's query, aggregations or suggesters say, the request sent keeps only
the company's documents: its query becomes a `must` under a `term tenant` filter, each
completion suggester takes the company as its context, and the request is routed by the
company to its index. So isolation is one function to read, not a rule each caller keeps.
"""

from typing import Any

from django.utils.translation import gettext as _
from elasticsearch import ApiError, Elasticsearch, TransportError

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError
from apps.core.search import es_client
from apps.search.errors import SearchUnavailableError
from apps.search.index import index_for
from apps.search.policies import can_search


def searcher_tenant_id(actor: Actor) -> int:
    """The company whose products `actor` searches (its own, always); NotAllowedError for
    an actor who may not search (apps.search.policies)."""
    if not can_search(actor):
        raise NotAllowedError(_("Only the company's people and keys read its catalog."))
    return actor.tenant_id


def tenant_filter(tenant_id: int) -> dict[str, Any]:
    return {"term": {"tenant": str(tenant_id)}}


def in_company(tenant_id: int, request: dict[str, Any]) -> dict[str, Any]:
    """`request` as it is sent for company `tenant_id`: its query (all documents when it
    has none) under the company's filter, its completion suggesters in the company's
    context, routed by the company."""
    company: dict[str, Any] = {"filter": [tenant_filter(tenant_id)]}
    if request.get("query") is not None:
        company["must"] = [request["query"]]
    scoped = {**request, "query": {"bool": company}, "routing": str(tenant_id)}
    if "suggest" in request:
        scoped["suggest"] = {
            name: (
                {
                    **entry,
                    "completion": {
                        **entry["completion"],
                        "contexts": {"tenant": [str(tenant_id)]},
                    },
                }
                if "completion" in entry
                else entry
            )
            for name, entry in request["suggest"].items()
        }
    return scoped


def _search(
    es: Elasticsearch, *, tenant_id: int, index: str | None = None, **request: Any
) -> dict[str, Any]:
    """One search within company `tenant_id` (`in_company`), on `index` or the company's.
    A missing index is an empty one (nothing indexed yet); anything else Elasticsearch
    cannot do is a 503 (SearchUnavailableError)."""
    scoped = in_company(tenant_id, {**request, "index": index or index_for(tenant_id)})
    return _send(es, scoped)


def _send(es: Elasticsearch, request: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(es.search(ignore_unavailable=True, **request))
    except (TransportError, ApiError) as exc:
        raise SearchUnavailableError from exc


def document_count(*, tenant_id: int) -> int:
    """How many documents the company has in its index (usage figures); raises
    SearchUnavailableError when Elasticsearch does not answer."""
    scoped = in_company(tenant_id, {"index": index_for(tenant_id)})
    try:
        answer = es_client().count(ignore_unavailable=True, **scoped)
    except (TransportError, ApiError) as exc:
        raise SearchUnavailableError from exc
    return int(answer["count"])
