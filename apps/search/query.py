"""The one query builder: the only code that searches the products index.

Every request it sends filters on the company (`term tenant`) and is routed by it, so a
company's search never sees another's products, whatever the query text, filters or
cursor say. What people type is always text, analysed per field (never `query_string`):
`name:*`, `"`, `\\`, `OR` are words like any other.

A query is made of units: its words, or a phrase of the synonym table (built-in brands and
the company's own groups, applied here at query time). Each unit must match; a unit matches
through the Japanese fields (name boosted as the seed's `title^3`), the kana reading when it
is typed in kana, the Latin fields with fuzziness when it is Latin ("iphnoe"), or any of its
synonyms the same ways.
"""

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from elasticsearch import ApiError, Elasticsearch, TransportError

from apps.core.errors import RefusedInputError
from apps.core.search import es_client
from apps.search.errors import SearchUnavailableError
from apps.search.index import index_for
from apps.search.selectors import synonym_table
from apps.search.synonyms import SynonymTable

Sort = Literal["relevance", "price", "-price", "newest"]
SORTS: tuple[Sort, ...] = ("relevance", "price", "-price", "newest")
MAX_QUERY_LENGTH = 200
# from + size never passes the index's max_result_window; deeper is `after`.
MAX_WINDOW = 10_000
TRACK_TOTAL_UP_TO = 10_000
MAX_SUGGESTIONS = 10
AFTER_SALT = "kura.search.after"
MAX_AFTER_LENGTH = 1000
FACET_SIZE = 100
# (key, from, to): from inclusive, to exclusive, yen.
PRICE_RANGES: tuple[tuple[str, int | None, int | None], ...] = (
    ("0-1000", None, 1_000),
    ("1000-5000", 1_000, 5_000),
    ("5000-10000", 5_000, 10_000),
    ("10000-50000", 10_000, 50_000),
    ("50000-", 50_000, None),
)
HIGHLIGHT_TAGS = {"pre_tags": ["<mark>"], "post_tags": ["</mark>"]}
DESCRIPTION_FRAGMENT = 160
MAX_FUZZY_LENGTH = 40

_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Filters:
    category: int | None = None
    brand: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    in_stock: bool | None = None


@dataclass(frozen=True)
class Hit:
    product_id: int
    # Highlighted fragments: HTML, the source escaped and matches in <mark>; None when the
    # field did not match.
    name: str | None
    description: str | None


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


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    name: str


# Text -----------------------------------------------------------------------------------


def _katakana(text: str) -> str:
    """Hiragana as katakana: kuromoji reads katakana as one word where it would split the
    same hiragana (とうきょう -> とう + きょう), and the reading field holds katakana."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def _words(q: str) -> list[str]:
    """The query's words, width-normalised; punctuation alone is no word."""
    return [w for w in unicodedata.normalize("NFKC", q).split() if _WORD.search(w)]


def _unit_clauses(text: str) -> list[dict[str, Any]]:
    """The ways one unit of the query may match a product."""
    clauses: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": text,
                "fields": ["name^3", "description", "brand^2"],
                "operator": "and",
                # A unit of particles or stop words alone asks nothing.
                "zero_terms_query": "all",
            }
        }
    ]
    if _LATIN.search(text):
        # Latin only: the standard tokenizer cuts kanji into single characters, which
        # would find 京都 inside 東京都. No typo is forgiven in a very long word: nobody
        # types one, and its automaton is too big for Lucene.
        latin: dict[str, Any] = {
            "query": text,
            "fields": ["name.latin^3", "description.latin", "brand^2"],
            "operator": "and",
        }
        if len(text) <= MAX_FUZZY_LENGTH:
            # The first letter as typed, and few expansions: a typo's candidates stay a
            # handful, which keeps the query and above all its highlighting fast.
            latin.update(fuzziness="AUTO", prefix_length=1, max_expansions=10)
        clauses.append({"multi_match": latin})
    if _KANA_ONLY.fullmatch(text):
        clauses.append(
            {"match": {"name.reading": {"query": _katakana(text), "operator": "and", "boost": 0.5}}}
        )
    return clauses


def _text_query(q: str, table: SynonymTable) -> dict[str, Any] | None:
    words = _words(q)
    if not words:
        return None
    must = []
    for unit, alternatives in table.units(words):
        should = _unit_clauses(unit)
        for alternative in alternatives:
            should += _unit_clauses(unicodedata.normalize("NFKC", alternative))
        must.append({"bool": {"should": should, "minimum_should_match": 1}})
    return {"bool": {"must": must}}


# Filters and facets ---------------------------------------------------------------------


def _tenant_filter(tenant_id: int) -> dict[str, Any]:
    return {"term": {"tenant": str(tenant_id)}}


def _facet_filters(filters: Filters) -> dict[str, dict[str, Any]]:
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


def _aggregations(chosen: dict[str, dict[str, Any]]) -> dict[str, Any]:
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


def _term_counts(aggregations: dict[str, Any], name: str) -> list[TermCount]:
    buckets = aggregations.get(name, {}).get("ids", {}).get("buckets", [])
    return [TermCount(id=int(b["key"]), count=b["doc_count"]) for b in buckets]


def _price_counts(aggregations: dict[str, Any]) -> list[PriceCount]:
    buckets = {
        b["key"]: b["doc_count"]
        for b in aggregations.get("prices", {}).get("ranges", {}).get("buckets", [])
    }
    return [
        PriceCount(key=key, start=start, end=end, count=buckets.get(key, 0))
        for key, start, end in PRICE_RANGES
    ]


# Sorting and positions ------------------------------------------------------------------


def _sort(sort: Sort, *, has_text: bool) -> list[Any]:
    """Each ends on the product id, unique within a company: positions are total."""
    newest = [{"created_at": "desc"}, {"product_id": "desc"}]
    if sort == "price":
        return [{"price": "asc"}, {"product_id": "asc"}]
    if sort == "-price":
        return [{"price": "desc"}, {"product_id": "desc"}]
    if sort == "relevance" and has_text:
        return [{"_score": "desc"}, *newest]
    return newest


class _AfterCodec:
    """Signs the sort values of a result for one search: the company, the query text, the
    filters and the sort are the signature's salt, so a token is refused anywhere else."""

    def __init__(self, *, tenant_id: int, q: str, filters: Filters, sort: Sort) -> None:
        scope = json.dumps([tenant_id, q, filters.__dict__, sort], sort_keys=True, default=str)
        self.salt = f"{AFTER_SALT}|{hashlib.sha256(scope.encode()).hexdigest()}"

    def encode(self, values: Sequence[Any]) -> str:
        return signing.dumps(list(values), salt=self.salt, compress=True)

    def decode(self, token: str, *, length: int) -> list[Any]:
        invalid = RefusedInputError(
            {"after": [_("This position is not valid for this search; start again.")]}
        )
        if len(token) > MAX_AFTER_LENGTH:
            raise invalid
        try:
            values = signing.loads(token, salt=self.salt)
        except (signing.BadSignature, ValueError, UnicodeError):
            raise invalid from None
        if not isinstance(values, list) or len(values) != length:
            raise invalid
        if not all(isinstance(v, int | float | str) for v in values):
            raise invalid
        return values


def page_too_deep(*, page: int, size: int) -> bool:
    return page * size > MAX_WINDOW


# Searching ------------------------------------------------------------------------------


def _search(es: Elasticsearch, **request: Any) -> dict[str, Any]:
    """One search, routed by the company (`routing` in `request`). A missing index is an
    empty one (nothing indexed yet); anything else Elasticsearch cannot do is a 503."""
    try:
        return dict(es.search(ignore_unavailable=True, **request))
    except (TransportError, ApiError) as exc:
        raise SearchUnavailableError from exc


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
    tenant_id: int,
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
    Elasticsearch does not answer.
    """
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
    text = _text_query(q, table)
    sort_spec = _sort(sort, has_text=text is not None)
    codec = _AfterCodec(tenant_id=tenant_id, q=q, filters=filters, sort=sort)
    position = codec.decode(after, length=len(sort_spec)) if after else None

    query_filter: list[dict[str, Any]] = [_tenant_filter(tenant_id)]
    if in_stock is not None:
        query_filter.append({"term": {"in_stock": in_stock}})
    query: dict[str, Any] = {"bool": {"filter": query_filter}}
    if text is not None:
        query["bool"]["must"] = [text]
    chosen = _facet_filters(filters)

    start = 0 if position is not None else (page - 1) * size
    # One more than asked tells whether a next page exists, within the window.
    fetch = min(size + 1, MAX_WINDOW - start) if position is None else size + 1
    request: dict[str, Any] = {
        "index": index or index_for(tenant_id),
        "routing": str(tenant_id),
        "query": query,
        "post_filter": {"bool": {"filter": list(chosen.values())}},
        "aggs": _aggregations(chosen),
        "sort": sort_spec,
        "from_": start,
        "size": fetch,
        "track_total_hits": TRACK_TOTAL_UP_TO,
        "highlight": _highlight(),
        "source": ["product_id"],
    }
    if position is not None:
        request["search_after"] = position
    es = es_client()
    answer = _search(es, **request)
    raw_hits = answer.get("hits", {}).get("hits", [])
    total_info = answer.get("hits", {}).get("total", {"value": 0, "relation": "eq"})
    total, estimate = int(total_info["value"]), total_info["relation"] != "eq"
    # Past the window's end (fetch == size) the total tells whether more follow.
    more = len(raw_hits) > size or (
        fetch == size == len(raw_hits) and (estimate or start + size < total)
    )
    raw_hits = raw_hits[:size]
    aggregations = answer.get("aggregations", {})
    did_you_mean = None
    if total == 0 and text is not None and not chosen and in_stock is None:
        did_you_mean = _did_you_mean(
            es, tenant_id=tenant_id, q=q, table=table, index=request["index"]
        )
    return SearchResult(
        hits=[_hit(h) for h in raw_hits],
        total=total,
        total_is_estimate=estimate,
        categories=_term_counts(aggregations, "categories"),
        brands=_term_counts(aggregations, "brands"),
        prices=_price_counts(aggregations),
        did_you_mean=did_you_mean,
        next_after=codec.encode(raw_hits[-1]["sort"]) if more and raw_hits else None,
        page=None if position is not None else page,
    )


def _did_you_mean(
    es: Elasticsearch, *, tenant_id: int, q: str, table: SynonymTable, index: str
) -> str | None:
    """A correction of the Latin words of a query that found nothing: the company's best
    product when each Latin word may be two typos off, and each word replaced by the
    nearest word of that product's name. Only the company's own products are asked (the
    index-wide term suggesters would propose words of other companies' products)."""
    words = _words(q)
    latin = [w for w in words if _LATIN.search(w) and len(w) <= MAX_FUZZY_LENGTH]
    if not latin:
        return None
    must: list[dict[str, Any]] = [
        {"match": {"name.latin": {"query": w, "fuzziness": 2, "operator": "and"}}} for w in latin
    ]
    others = " ".join(w for w in words if w not in latin)
    if others and (text := _text_query(others, table)) is not None:
        must.append(text)
    answer = _search(
        es,
        index=index,
        routing=str(tenant_id),
        size=1,
        query={"bool": {"filter": [_tenant_filter(tenant_id)], "must": must}},
        source=["name"],
    )
    hits = answer.get("hits", {}).get("hits", [])
    if not hits:
        return None
    name_words = re.findall(
        r"\w+", unicodedata.normalize("NFKC", hits[0]["_source"]["name"]).lower()
    )
    corrected = [
        min(name_words, key=lambda n: _distance(w.lower(), n)) if w in latin else w for w in words
    ]
    suggestion = " ".join(corrected)
    return suggestion if suggestion != " ".join(words).lower() else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, for the few short words of a correction."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def product_suggest(
    *, tenant_id: int, q: str, size: int = MAX_SUGGESTIONS, index: str | None = None
) -> list[Suggestion]:
    """Up to `size` product names completing `q` in the company, also from the kana reading
    or its romaji (とうきょう, toukyou -> 東京タワー), each name once."""
    text = unicodedata.normalize("NFKC", q).strip()
    if not text:
        return []
    size = max(1, min(size, MAX_SUGGESTIONS))
    es = es_client()
    index = index or index_for(tenant_id)
    completion = {
        "prefix": text,
        "completion": {
            "field": "suggest",
            "size": size,
            "skip_duplicates": True,
            "contexts": {"tenant": [str(tenant_id)]},
        },
    }
    answer = _search(
        es,
        index=index,
        routing=str(tenant_id),
        size=0,
        suggest={"names": completion},
        source=["product_id", "name"],
    )
    found: dict[str, Suggestion] = {}
    for entry in answer.get("suggest", {}).get("names", []):
        for option in entry.get("options", []):
            source = option.get("_source", {})
            found.setdefault(
                source["name"],
                Suggestion(product_id=int(source["product_id"]), name=source["name"]),
            )
    if len(found) < size and _KANA_ONLY.fullmatch(text):
        answer = _search(
            es,
            index=index,
            routing=str(tenant_id),
            size=size * 2,
            query={
                "bool": {
                    "filter": [_tenant_filter(tenant_id)],
                    "must": [
                        {"match": {"name.reading": {"query": _katakana(text), "operator": "and"}}}
                    ],
                }
            },
            source=["product_id", "name"],
        )
        for raw in answer.get("hits", {}).get("hits", []):
            source = raw["_source"]
            found.setdefault(
                source["name"],
                Suggestion(product_id=int(source["product_id"]), name=source["name"]),
            )
    return list(found.values())[:size]


def document_count(*, tenant_id: int) -> int:
    """How many documents the company has in its index (usage figures); raises
    SearchUnavailableError when Elasticsearch does not answer."""
    try:
        answer = es_client().count(
            index=index_for(tenant_id),
            routing=str(tenant_id),
            query={"bool": {"filter": [_tenant_filter(tenant_id)]}},
            ignore_unavailable=True,
        )
    except (TransportError, ApiError) as exc:
        raise SearchUnavailableError from exc
    return int(answer["count"])
