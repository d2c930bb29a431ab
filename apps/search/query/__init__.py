"""The one query builder: the only code that searches the products index.

Every request it sends goes through one function (`engine._search`), which filters on the
company (`term tenant`) and routes by it, so a company's search never sees another's
products, whatever the query text, filters or cursor say.

- `text`: what people type, as clauses (never `query_string`), with synonyms;
- `facets`: the filters that are also facets, and their counts;
- `positions`: sorts, page numbers and signed positions (`after`);
- `products`: the products search (`product_search`);
- `suggest`: completions as people type (`product_suggest`), and "did you mean";
- `engine`: the one door to the index, and the company's document count.
"""

from apps.search.query.engine import document_count
from apps.search.query.facets import FACET_SIZE, PRICE_RANGES, Filters, PriceCount, TermCount
from apps.search.query.positions import (
    AFTER_SALT,
    MAX_AFTER_LENGTH,
    MAX_WINDOW,
    SORTS,
    Sort,
    page_too_deep,
)
from apps.search.query.products import TRACK_TOTAL_UP_TO, Hit, SearchResult, product_search
from apps.search.query.suggest import MAX_SUGGESTIONS, Suggestion, product_suggest
from apps.search.query.text import MAX_QUERY_LENGTH

__all__ = [
    "AFTER_SALT",
    "FACET_SIZE",
    "MAX_AFTER_LENGTH",
    "MAX_QUERY_LENGTH",
    "MAX_SUGGESTIONS",
    "MAX_WINDOW",
    "PRICE_RANGES",
    "SORTS",
    "TRACK_TOTAL_UP_TO",
    "Filters",
    "Hit",
    "PriceCount",
    "SearchResult",
    "Sort",
    "Suggestion",
    "TermCount",
    "document_count",
    "page_too_deep",
    "product_search",
    "product_suggest",
]
