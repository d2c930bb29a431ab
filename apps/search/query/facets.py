"""The filters that are also facets, and the facets' counts: each facet is counted under
the other filters, so choosing a brand still shows every brand's count."""

from dataclasses import dataclass
from typing import Any

FACET_SIZE = 100
# (key, from, to): from inclusive, to exclusive, yen.
PRICE_RANGES: tuple[tuple[str, int | None, int | None], ...] = (
    ("0-1000", None, 1_000),
    ("1000-5000", 1_000, 5_000),
    ("5000-10000", 5_000, 10_000),
    ("10000-50000", 10_000, 50_000),
    ("50000-", 50_000, None),
)


@dataclass(frozen=True)
class Filters:
    category: int | None = None
    brand: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool | None = None


@dataclass(frozen=True)
class TermCount:
    id: int
    count: int


@dataclass(frozen=True)
class PriceCount:
    key: str
    start: int | None
    end: int | None
    count: int


def facet_filters(filters: Filters) -> dict[str, dict[str, Any]]:
    """The filters that are also facets, by facet: each facet is counted with the others."""
    chosen: dict[str, dict[str, Any]] = {}
    if filters.category is not None:
        chosen["categories"] = {"term": {"category_ids": str(filters.category)}}
    if filters.brand is not None:
        chosen["brands"] = {"term": {"brand_id": str(filters.brand)}}
    if filters.price_min is not None or filters.price_max is not None:
        bounds = {"gte": filters.price_min, "lte": filters.price_max}
        chosen["prices"] = {"range": {"price": {k: v for k, v in bounds.items() if v is not None}}}
    return chosen


def aggregations(chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def others(name: str) -> dict[str, Any]:
        return {"bool": {"filter": [f for key, f in chosen.items() if key != name]}}

    ranges = [
        {
            "key": key,
            **({"from": start} if start is not None else {}),
            **({"to": end} if end else {}),
        }
        for key, start, end in PRICE_RANGES
    ]
    return {
        "categories": {
            "filter": others("categories"),
            "aggs": {"ids": {"terms": {"field": "category_id", "size": FACET_SIZE}}},
        },
        "brands": {
            "filter": others("brands"),
            "aggs": {"ids": {"terms": {"field": "brand_id", "size": FACET_SIZE}}},
        },
        "prices": {
            "filter": others("prices"),
            "aggs": {"ranges": {"range": {"field": "price", "ranges": ranges}}},
        },
    }


def term_counts(answer: dict[str, Any], name: str) -> list[TermCount]:
    buckets = answer.get(name, {}).get("ids", {}).get("buckets", [])
    return [TermCount(id=int(b["key"]), count=b["doc_count"]) for b in buckets]


def price_counts(answer: dict[str, Any]) -> list[PriceCount]:
    buckets = {
        b["key"]: b["doc_count"]
        for b in answer.get("prices", {}).get("ranges", {}).get("buckets", [])
    }
    return [
        PriceCount(key=key, start=start, end=end, count=buckets.get(key, 0))
        for key, start, end in PRICE_RANGES
    ]
