"""Pages by number: the API's offset pages (`?page=&limit=`, with an honest total) and the
numbered pages of a server-rendered list (no total at all)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection, models

from apps.core.pagination.params import DEFAULT_LIMIT, limit_of, positive_int

# Beyond this a page number is a typing accident or a scraper; offset pages that deep cost a
# scan of every row before them (keyset is the way there).
MAX_PAGE = 1_000_000
# Up to this many rows the offset total is exact (a count bounded by a LIMIT); above it the
# planner's estimate, so no request ever counts a large table.
EXACT_COUNT_UP_TO = 10_000
# Deeper page numbers in a page's query string are not paged to (nor overflow a bigint).
MAX_PAGE_NUMBER = 10_000

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class OffsetParams:
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "OffsetParams":
        """`?page=&limit=`; ValidationError naming the field for anything but 1..max."""
        return cls(
            page=positive_int(query, "page", default=1, maximum=MAX_PAGE), limit=limit_of(query)
        )


@dataclass(frozen=True)
class OffsetPage(Generic[M]):
    results: list[M]
    page: int
    limit: int
    total: int
    total_is_estimate: bool
    total_pages: int
    has_next: bool
    has_previous: bool


def planner_estimate(queryset: "models.QuerySet[Any]") -> int:
    """The rows the planner expects the query to return: what `EXPLAIN` costs, not a scan."""
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # psycopg answers json as text when not told otherwise
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def offset_page(
    queryset: "models.QuerySet[M]",
    *,
    params: OffsetParams,
    exact_up_to: int = EXACT_COUNT_UP_TO,
) -> OffsetPage[M]:
    """One page by number. The queryset must be ordered on a unique key, or rows move
    between pages.

    The page is read with one row more, so `has_next` is exact even when the total is an
    estimate. One query when the page is the last (its length gives the total), two with a
    bounded count, three when the count passes `exact_up_to` and the planner estimates the
    total. A page past the end is empty, with `has_next` false.
    """
    if not queryset.ordered:
        raise ValueError("An offset page of an unordered queryset would move rows between pages.")
    offset = (params.page - 1) * params.limit
    rows = list(queryset[offset : offset + params.limit + 1])
    results, has_next = rows[: params.limit], len(rows) > params.limit
    estimate = False
    if not has_next and (results or offset == 0):
        total = offset + len(results)
    else:
        total = queryset.order_by().values("pk")[: exact_up_to + 1].count()
        if total > exact_up_to:
            estimate = True
            # The planner may be far off; never below what this very page shows.
            shown = offset + len(results) + int(has_next)
            total = max(planner_estimate(queryset), exact_up_to + 1, shown)
    total_pages = -(-total // params.limit)
    return OffsetPage(
        results=results,
        page=params.page,
        limit=params.limit,
        total=total,
        total_is_estimate=estimate,
        total_pages=total_pages,
        has_next=has_next,
        has_previous=params.page > 1,
    )


@dataclass(frozen=True)
class NumberedPage(Generic[M]):
    """One page of a web page's list, by number, without a count: "Previous", "Page n" and
    "Next" need no total, and one row more tells whether more follow."""

    items: list[M]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def numbered_page(queryset: "models.QuerySet[M]", *, number: int, size: int) -> NumberedPage[M]:
    """Page `number` (clamped to 1..MAX_PAGE_NUMBER: a page's query string is not refused,
    unlike the API's) of an ordered queryset, in one query."""
    if not queryset.ordered:
        raise ValueError("A page of an unordered queryset would move rows between pages.")
    number = min(max(number, 1), MAX_PAGE_NUMBER)
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return NumberedPage(items=rows[:size], number=number, has_next=len(rows) > size)
