"""Positions: the ordering key values of a row, and the rows after one.

Cursor and keyset positions are the ordering key values of a row, compared as a row value,
so a page costs the same at any depth (given an index on the ordering) and rows inserted or
deleted elsewhere neither repeat nor skip a row. The ordering's last field must be unique
and no ordering field may be null.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal, TypeVar

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Q, Value
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=models.Model)
Keys = list[tuple[str, bool]]  # (field name, descending), the last one unique


class RowComparison(models.Expression):
    """`(a, b) < (x, y)`: SQL's row-value comparison of columns with values, as a filter.

    PostgreSQL reads it as one index condition on an index of `(a, b)`, so a scan starts at
    the position. Written on Django's documented API for custom expressions (Django's own
    tuple lookups are private); each value is prepared by its column's field, as a filter
    on that column would be.
    """

    output_field = models.BooleanField()

    def __init__(
        self, columns: Sequence[str], operator: Literal["<", ">"], values: Sequence[Any]
    ) -> None:
        if len(columns) != len(values) or not columns:
            raise ValueError("A row comparison needs one value per column, and a column.")
        super().__init__()
        self.operator = operator
        self.columns: list[Any] = [F(name) for name in columns]
        self.values = list(values)

    def get_source_expressions(self) -> list[Any]:
        return self.columns

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.columns = list(exprs)

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        sides: list[list[str]] = [[], []]
        params: list[list[Any]] = [[], []]
        for column, value in zip(self.columns, self.values, strict=True):
            for side, part in enumerate((column, Value(value, output_field=column.output_field))):
                sql, part_params = compiler.compile(part)
                sides[side].append(sql)
                params[side].extend(part_params)
        left, right = (", ".join(side) for side in sides)
        return f"({left}) {self.operator} ({right})", (*params[0], *params[1])


def parse_ordering(ordering: Sequence[str]) -> Keys:
    """`("-created_at", "-id")` as `[("created_at", True), ("id", True)]` (name, descending)."""
    if not ordering:
        raise ValueError("An ordering needs at least one field, the last one unique.")
    return [(name.removeprefix("-"), name.startswith("-")) for name in ordering]


def rows_after(keys: Keys, values: Sequence[Any]) -> "Q | RowComparison":
    """Rows strictly after `values` in the ordering `keys`.

    One direction throughout is a row-value comparison, `(created_at, id) < (x, y)`:
    PostgreSQL reads it as one index condition, so the scan starts at the position instead
    of reading every row before it, and it is the cheapest WHERE to build. Mixed directions
    are spelt out as `a <= x AND (a < x OR (a = x AND b > y))`, whose leading bound is still
    an index condition.
    """
    descending = {desc for _name, desc in keys}
    if len(descending) == 1:
        operator: Literal["<", ">"] = "<" if descending.pop() else ">"
        return RowComparison([name for name, _desc in keys], operator, values)
    first_name, first_desc = keys[0]
    q = Q()
    for i, (name, desc) in enumerate(keys):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j][0]: values[j]})
        q |= step
    return Q(**{f"{first_name}__{'lte' if first_desc else 'gte'}": values[0]}) & q


def position_after(ordering: Sequence[str], values: Sequence[Any]) -> "Q | RowComparison":
    """A filter: the rows after `values` in `ordering` (`("published_at", "id")`: the rows
    whose `(published_at, id)` is greater)."""
    return rows_after(parse_ordering(ordering), values)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def model_field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)  # noqa: SLF001
    if not isinstance(field, models.Field):
        raise TypeError(f"Pagination orders on a model's own fields, not {name!r}.")
    return field


def key_values(row: models.Model, keys: Keys) -> list[Any]:
    return [getattr(row, model_field(type(row), name).attname) for name, _desc in keys]


def page_after(
    queryset: "models.QuerySet[M]",
    keys: Keys,
    position: Sequence[Any] | None,
    limit: int,
) -> tuple[list[M], bool]:
    """Up to `limit` rows after `position` (from the start when None), and whether more
    follow: one query, for `limit + 1` rows."""
    ordered = queryset.order_by(*[f"-{n}" if d else n for n, d in keys])
    if position is not None:
        ordered = ordered.filter(rows_after(keys, position))
    rows = list(ordered[: limit + 1])
    return rows[:limit], len(rows) > limit
