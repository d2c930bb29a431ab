"""The products search: one page of the company's products matching what was typed, with
facets, highlights, a total and a position to page on from."""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.principal import Actor
from apps.core.errors import RefusedInputError
from apps.core.search import es_client
from apps.search.query.engine import _search, searcher_tenant_id
from apps.search.query.facets import (
    Filters,
    PriceCount,
    TermCount,
    aggregations,
    facet_filters,
    price_counts,
    term_counts,
)
from apps.search.query.positions import (
    MAX_WINDOW,
    SORTS,
    AfterCodec,
    Sort,
    page_too_deep,
    sort_spec,
)
from apps.search.query.suggest import did_you_mean
from apps.search.query.text import text_query
from apps.search.selectors import synonym_table

TRACK_TOTAL_UP_TO = 10_000
HIGHLIGHT_TAGS = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"]}
DESCRIPTION_FRAGMENT = 160


@dataclass(frozen=True)
class Hit:
    product_id: int
    # Highlighted fragments: HTML, the source escaped and matches in <mark>; None when the
    # field did not match.
    name: str | None
    description: str | None


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    total: int
    total_is_estimate: bool
    categories: list[TermCount] = field(default_factory=list)
    brands: list[TermCount] = field(default_factory=list)
    prices: list[PriceCount] = field(default_factory=list)
    did_you_mean: str | None = None
    next_after: str | None = None
    page: int | None = 1


def _highlight() -> dict[str, Any]:
    whole = {"number_of_fragments": 0}
    fragment = {"fragment_size": DESCRIPTION_FRAGMENT, "number_of_fragments": 1}
    return {
        **HIGHLIGHT_TAGS,
        "encoder": "html",
        "fields": {
            "name": whole,
            "name.latin": whole,
            "description": fragment,
            "description.latin": fragment,
        },
    }


def _hit(raw: dict[str, Any]) -> Hit:
    marked = raw.get("highlight", {})

    def first(*names: str) -> str | None:
        return next((marked[n][0] for n in names if marked.get(n)), None)

    return Hit(
        product_id=int(raw["_source"]["product_id"]),
        name=first("name", "name.latin"),
        description=first("description", "description.latin"),
    )


def product_search(
    *,
    actor: Actor,
    q: str = "",
    category: int | None = None,
    brand: int | None = None,
    price_min: int | None = None,
    price_max: int | None = None,
    in_stock: bool | None = None,
    sort: Sort = "relevance",
    page: int = 1,
    after: str | None = None,
    size: int = 20,
    index: str | None = None,
) -> SearchResult:
    """One page of the company's products matching `q` (all of them when blank), with
    facets counted under the other filters, highlights, and a position (`next_after`) to
    page on from. `page` pages up to MAX_WINDOW results; `after` goes on from there.

    Raises RefusedInputError (naming the field) for a page too deep, a page beside a
    position, a price range upside down or a position made for another search (what a
    request's parameters cannot say by themselves: 422), SearchUnavailableError when
    Elasticsearch does not answer; NotAllowedError for an actor who may not search.
    """
    tenant_id = searcher_tenant_id(actor)
    if sort not in SORTS:
        raise ValidationError({"sort": [_("Sort by relevance, price, -price or newest.")]})
    if price_min is not None and price_max is not None and price_min > price_max:
        raise RefusedInputError({"price_max": [_("Enter a price no lower than price_min.")]})
    if after and page != 1:
        raise RefusedInputError({"after": [_("Page with page or after, not both.")]})
    if page < 1 or page_too_deep(page=page, size=size):
        raise RefusedInputError(
            {
                "page": [
                    _("Pages go %(max)s results deep; go further with `after`.")
                    % {"max": f"{MAX_WINDOW:,}"}
                ]
            }
        )
    filters = Filters(category, brand, price_min, price_max, in_stock)
    table = synonym_table(tenant_id=tenant_id)
    text = text_query(q, table)
    sorting = sort_spec(sort, has_text=text is not None)
    codec = AfterCodec(tenant_id=tenant_id, q=q, filters=filters, sort=sort)
    position = codec.decode(after, length=len(sorting)) if after else None

    # Within the company (the engine adds it): in stock or not, and what was typed.
    clauses: dict[str, Any] = {}
    if in_stock is not None:
        clauses["filter"] = [{"term": {"in_stock": in_stock}}]
    if text is not None:
        clauses["must"] = [text]
    chosen = facet_filters(filters)

    start = 0 if position is not None else (page - 1) * size
    # One more than asked tells whether a next page exists, within the window.
    fetch = min(size + 1, MAX_WINDOW - start) if position is None else size + 1
    request: dict[str, Any] = {
        "query": {"bool": clauses} if clauses else None,
        "post_filter": {"bool": {"filter": list(chosen.values())}},
        "aggs": aggregations(chosen),
        "sort": sorting,
        "from_": start,
        "size": fetch,
        "track_total_hits": TRACK_TOTAL_UP_TO,
        "highlight": _highlight(),
        "source": ["product_id"],
    }
    if position is not None:
        request["search_after"] = position
    es = es_client()
    answer = _search(es, tenant_id=tenant_id, index=index, **request)
    raw_hits = answer.get("hits", {}).get("hits", [])
    total_info = answer.get("hits", {}).get("total", {"value": 0, "relation": "eq"})
    total, estimate = int(total_info["value"]), total_info["relation"] != "eq"
    # Past the window's end (fetch == size) the total tells whether more follow.
    more = len(raw_hits) > size or (
        fetch == size == len(raw_hits) and (estimate or start + size < total)
    )
    raw_hits = raw_hits[:size]
    counts = answer.get("aggregations", {})
    correction = None
    if total == 0 and text is not None and not chosen and in_stock is None:
        correction = did_you_mean(es, tenant_id=tenant_id, q=q, table=table, index=index)
    return SearchResult(
        hits=[_hit(h) for h in raw_hits],
        total=total,
        total_is_estimate=estimate,
        categories=term_counts(counts, "categories"),
        brands=term_counts(counts, "brands"),
        prices=price_counts(counts),
        did_you_mean=correction,
        next_after=codec.encode(raw_hits[-1]["sort"]) if more and raw_hits else None,
        page=None if position is not None else page,
    )
