"""The one pagination of every list: offset (page numbers), cursor (feeds, infinite
scroll) and keyset (deep traversal, exports).

A view parses the query string with `OffsetParams`/`CursorParams`/`KeysetParams.from_query`
(input the OpenAPI parameters refuse is a Django ValidationError naming the field, a 400 in
the one error shape; a cursor or position of the right form not made for this list, or two
styles at once, a 422: `InvalidCursorError` or a RefusedInputError), pages a queryset with
`offset_page`/`cursor_page`/`keyset_page`, and serializes the page with the envelope from
`offset_envelope`/`cursor_envelope`/`keyset_envelope`, which is also what it declares to the
OpenAPI schema, beside `offset_parameters()`/`cursor_parameters()`/`keyset_parameters()`:

    @extend_schema(parameters=offset_parameters(), responses=offset_envelope(ItemSerializer))
    def get(self, request):
        params = OffsetParams.from_query(request.query_params)
        page = offset_page(selectors.item_list(user=request.user), params=params)
        return Response(offset_envelope(ItemSerializer)(page).data)

A server-rendered page does the same with `request.GET` and hands the page to its template.
Cursor and keyset positions are the ordering key values of a row, compared as a row value,
so a page costs the same at any depth (given an index on the ordering) and rows inserted or
deleted elsewhere neither repeat nor skip a row. The ordering's last field must be unique
and no ordering field may be null.
"""

import hashlib
import json
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from typing import Any, Generic, Literal, TypeVar

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Lookup, Q
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer
from rest_framework import serializers

from apps.core.errors import RefusedInputError, ServiceError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Beyond this a page number is a typing accident or a scraper; offset pages that deep cost a
# scan of every row before them (keyset is the way there).
MAX_PAGE = 1_000_000
# Up to this many rows the offset total is exact (a count bounded by a LIMIT); above it the
# planner's estimate, so no request ever counts a large table.
EXACT_COUNT_UP_TO = 10_000
MAX_TOKEN_LENGTH = 100  # a keyset token: a time, "_", an id
# A keyset token as `keyset_token` writes it (an offset instead of the Z too), or empty: the
# first page. Read like JSON Schema's `pattern` (re.search), so the schema and the server
# agree on every string.
KEYSET_POSITION_PATTERN = (
    r"^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})"
    r"_[0-9a-f-]{1,36})?$"
)
CURSOR_SALT = "kura.pagination.cursor"
# A signed cursor of a few key values is well under this; longer is not ours.
MAX_CURSOR_LENGTH = 1000
# What django.core.signing writes (URL-safe base64 and colons; a dot first when compressed).
SIGNED_CHARACTER = r"[A-Za-z0-9_.:-]"
CURSOR_PATTERN = rf"^{SIGNED_CHARACTER}*$"

M = TypeVar("M", bound=models.Model)
Direction = Literal["next", "previous"]


class InvalidCursorError(ServiceError):
    """A cursor that was tampered with, truncated, made up, or made for another company,
    list, ordering or filters: of the form the schema describes, but not one of ours (422)."""

    status_code = 422
    code = "invalid_cursor"
    default_message = _("The cursor is not valid for this list; start again from the first page.")


def _field_error(field: str, message: Any) -> ValidationError:
    return ValidationError({field: [ValidationError(message, code="invalid")]})


def _positive_int(query: Mapping[str, Any], field: str, *, default: int, maximum: int) -> int:
    raw = query.get(field)
    if raw is None or raw == "":
        return default
    text = str(raw)
    # Digits only (no sign, space or underscore int() would take), and no longer than the
    # maximum before int() reads them.
    if text.isascii() and text.isdigit() and len(text) <= len(str(maximum)):
        number = int(text)
        if 1 <= number <= maximum:
            return number
    raise _field_error(field, _("Enter a whole number from 1 to %(max)d.") % {"max": maximum})


def _limit(query: Mapping[str, Any]) -> int:
    return _positive_int(query, "limit", default=DEFAULT_LIMIT, maximum=MAX_LIMIT)


# Style --------------------------------------------------------------------------------------

Style = Literal["offset", "cursor", "keyset"]
STYLE_PARAMETERS: dict[str, Style] = {"page": "offset", "cursor": "cursor", "after": "keyset"}


def style_of(query: Mapping[str, Any], *, default: Style = "cursor") -> Style:
    """Which pagination a list offering all three was asked for: `page` (offset), `cursor`
    or `after` (keyset), present even if empty (`?after=` is the first page of a keyset
    traversal); `default` when none. Two at once is a 422 naming the second."""
    given = [name for name in STYLE_PARAMETERS if name in query]
    if len(given) > 1:
        # The schema's parameters cannot say "one of": a 422 (documented with them).
        message = _(
            "Page with one of page, cursor or after, not %(first)s and %(second)s together."
        ) % {"first": given[0], "second": given[1]}
        raise RefusedInputError({given[1]: [message]})
    return STYLE_PARAMETERS[given[0]] if given else default


# Offset -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OffsetParams:
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "OffsetParams":
        """`?page=&limit=`; ValidationError naming the field for anything but 1..max."""
        return cls(
            page=_positive_int(query, "page", default=1, maximum=MAX_PAGE), limit=_limit(query)
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


# Pages of a server-rendered list ---------------------------------------------------------

# Deeper page numbers in a page's query string are not paged to (nor overflow a bigint).
MAX_PAGE_NUMBER = 10_000


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


def _planner_estimate(queryset: "models.QuerySet[Any]") -> int:
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
            total = max(_planner_estimate(queryset), exact_up_to + 1, shown)
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


# Positions: the ordering key values of a row --------------------------------------------


def _parse_ordering(ordering: Sequence[str]) -> list[tuple[str, bool]]:
    """`("-created_at", "-id")` as `[("created_at", True), ("id", True)]` (name, descending)."""
    if not ordering:
        raise ValueError("An ordering needs at least one field, the last one unique.")
    return [(name.removeprefix("-"), name.startswith("-")) for name in ordering]


def _after(keys: list[tuple[str, bool]], values: Sequence[Any]) -> "Q | Lookup[Any]":
    """Rows strictly after `values` in the ordering `keys`.

    One direction throughout is a row-value comparison, `(created_at, id) < (x, y)`
    (Django's tuple lookups, as composite primary keys use them): PostgreSQL reads it as
    one index condition, so the scan starts at the position instead of reading every row
    before it, and it is the cheapest WHERE to build. Mixed directions are spelt out as
    `a <= x AND (a < x OR (a = x AND b > y))`, whose leading bound is still an index
    condition.
    """
    descending = {desc for _name, desc in keys}
    if len(descending) == 1:
        lookup = TupleLessThan if descending.pop() else TupleGreaterThan
        return lookup(Tuple(*[F(name) for name, _desc in keys]), list(values))
    first_name, first_desc = keys[0]
    q = Q()
    for i, (name, desc) in enumerate(keys):
        step = Q(**{f"{name}__{'lt' if desc else 'gt'}": values[i]})
        for j in range(i):
            step &= Q(**{keys[j][0]: values[j]})
        q |= step
    return Q(**{f"{first_name}__{'lte' if first_desc else 'gte'}": values[0]}) & q


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def _field(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)  # noqa: SLF001
    if not isinstance(field, models.Field):
        raise TypeError(f"Pagination orders on a model's own fields, not {name!r}.")
    return field


def _key_values(row: models.Model, keys: list[tuple[str, bool]]) -> list[Any]:
    return [getattr(row, _field(type(row), name).attname) for name, _desc in keys]


def _page_after(
    queryset: "models.QuerySet[M]",
    keys: list[tuple[str, bool]],
    position: Sequence[Any] | None,
    limit: int,
) -> tuple[list[M], bool]:
    """Up to `limit` rows after `position` (from the start when None), and whether more
    follow: one query, for `limit + 1` rows."""
    ordered = queryset.order_by(*[f"-{n}" if d else n for n, d in keys])
    if position is not None:
        ordered = ordered.filter(_after(keys, position))
    rows = list(ordered[: limit + 1])
    return rows[:limit], len(rows) > limit


# Cursor -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CursorParams:
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "CursorParams":
        """`?cursor=&limit=`; a cursor of another form than ours is a ValidationError, one of
        our form is checked against its list by `cursor_page`."""
        cursor = str(query.get("cursor") or "")
        if len(cursor) > MAX_CURSOR_LENGTH or not re.search(CURSOR_PATTERN, cursor):
            raise _field_error(
                "cursor", _("Enter a cursor as `next_cursor` or `previous_cursor` gives it.")
            )
        return cls(cursor=cursor or None, limit=_limit(query))


@dataclass(frozen=True)
class CursorPage(Generic[M]):
    """`has_more` says whether `next_cursor` leads anywhere; `previous_cursor` is None on the
    first page (a page reached by a cursor may find an empty page before it, if the rows
    there were deleted)."""

    results: list[M]
    limit: int
    next_cursor: str | None
    previous_cursor: str | None
    has_more: bool


class _CursorCodec:
    """Signs positions for one list. The company (the connection's schema), the endpoint,
    the ordering and a hash of the filters are the signature's salt: a cursor made for any
    other list fails its signature like a tampered one."""

    def __init__(
        self, *, endpoint: str, ordering: Sequence[str], filters: Mapping[str, Any]
    ) -> None:
        filters_hash = hashlib.sha256(
            json.dumps(filters, sort_keys=True, default=str).encode()
        ).hexdigest()
        tenant = connection.schema_name  # type: ignore[attr-defined]
        scope = [tenant, endpoint, ",".join(ordering), filters_hash]
        self.salt = "|".join([CURSOR_SALT, *scope])

    def encode(self, direction: Direction, values: Sequence[Any]) -> str:
        payload = {"d": direction[0], "k": [_jsonable(v) for v in values]}
        return signing.dumps(payload, salt=self.salt, compress=True)

    def decode(
        self, cursor: str, model: type[models.Model], keys: list[tuple[str, bool]]
    ) -> tuple[Direction, list[Any]]:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise InvalidCursorError
        try:
            payload = signing.loads(cursor, salt=self.salt)
        except (signing.BadSignature, ValueError, UnicodeError) as exc:
            raise InvalidCursorError from exc
        raw = payload.get("k") if isinstance(payload, dict) else None
        direction = payload.get("d") if isinstance(payload, dict) else None
        if direction not in ("n", "p") or not isinstance(raw, list) or len(raw) != len(keys):
            raise InvalidCursorError
        try:
            values = [
                _field(model, name).to_python(value)
                for (name, _desc), value in zip(keys, raw, strict=True)
            ]
        except ValidationError as exc:
            raise InvalidCursorError from exc
        if any(v is None for v in values):
            raise InvalidCursorError
        return ("next" if direction == "n" else "previous"), values


def cursor_page(
    queryset: "models.QuerySet[M]",
    *,
    params: CursorParams,
    endpoint: str,
    ordering: Sequence[str] = ("-created_at", "-id"),
    filters: Mapping[str, Any] | None = None,
) -> CursorPage[M]:
    """One page of a feed, after (or, from a previous cursor, before) a signed position.

    `endpoint` names the list (`"posts_list"`) and `filters` are what the view filtered on:
    a cursor is refused (`InvalidCursorError`) anywhere else. One query per page.
    """
    keys = _parse_ordering(ordering)
    codec = _CursorCodec(endpoint=endpoint, ordering=ordering, filters=filters or {})
    if params.cursor is None:
        direction: Direction = "next"
        position = None
    else:
        direction, position = codec.decode(params.cursor, queryset.model, keys)

    if direction == "next":
        results, more = _page_after(queryset, keys, position, params.limit)
        last = _key_values(results[-1], keys) if results else position
        first = _key_values(results[0], keys) if results else position
        next_cursor = codec.encode("next", last) if more and last is not None else None
        previous_cursor = None
        if position is not None and first is not None:
            # Back from any page reached by a cursor (the first page has nothing before it).
            previous_cursor = codec.encode("previous", first)
    else:
        reverse = [(name, not descending) for name, descending in keys]
        rows, more = _page_after(queryset, reverse, position, params.limit)
        results = rows[::-1]
        first = _key_values(results[0], keys) if results else position
        last = _key_values(results[-1], keys) if results else position
        previous_cursor = codec.encode("previous", first) if more and first is not None else None
        next_cursor = codec.encode("next", last) if last is not None else None
    return CursorPage(
        results=results,
        limit=params.limit,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        has_more=next_cursor is not None,
    )


# Keyset -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetParams:
    after: tuple[datetime, Any] | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "KeysetParams":
        """`?after=<ISO 8601 time>_<id>&limit=`; ValidationError naming the field."""
        raw = query.get("after")
        return cls(after=keyset_token_parse(str(raw)) if raw else None, limit=_limit(query))


def keyset_token(created_at: datetime, pk: Any) -> str:
    """A row's readable position: `2026-11-27T09:51:11.123456Z_42`. UTC with a `Z`, so the
    token needs no escaping in a query string (a `+` would arrive as a space)."""
    return f"{created_at.astimezone(UTC).replace(tzinfo=None).isoformat()}Z_{pk}"


def _invalid_position() -> RefusedInputError:
    """A token of the right form naming no position (a 31 February, an id out of range)."""
    return RefusedInputError({"after": [_("This position is not valid for this list.")]})


def keyset_token_parse(token: str) -> tuple[datetime, str]:
    """The `(time, id)` of a token; the id stays text until the model's key field reads it."""
    if len(token) > MAX_TOKEN_LENGTH or not re.search(KEYSET_POSITION_PATTERN, token):
        raise _field_error(
            "after", _("Enter a position as <ISO 8601 time>_<id>, as `next_after` gives it.")
        )
    stamp, _sep, pk = token.partition("_")
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        raise _invalid_position() from None
    return moment, pk


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    results: list[M]
    limit: int
    next_after: str | None
    has_next: bool


def keyset_page(
    queryset: "models.QuerySet[M]",
    *,
    params: KeysetParams,
    time_field: str = "created_at",
    descending: bool = True,
) -> KeysetPage[M]:
    """Up to `limit` rows after the position `after`, in `(time_field, pk)` order: one
    query whose cost does not grow with depth, given an index on `(time_field, id)`."""
    pk_field = queryset.model._meta.pk  # noqa: SLF001
    assert pk_field is not None  # noqa: S101 # every model has one
    keys = [(time_field, descending), (pk_field.name, descending)]
    position: list[Any] | None = None
    if params.after is not None:
        moment, raw_pk = params.after
        try:
            pk = pk_field.to_python(raw_pk)
            pk_field.run_validators(pk)  # in the column's range
            position = [moment, pk]
        except ValidationError:
            raise _invalid_position() from None
    results, more = _page_after(queryset, keys, position, params.limit)
    next_after = None
    if more:
        last = results[-1]
        next_after = keyset_token(getattr(last, time_field), last.pk)
    return KeysetPage(results=results, limit=params.limit, next_after=next_after, has_next=more)


# OpenAPI ------------------------------------------------------------------------------------


def _limit_parameter() -> OpenApiParameter:
    return OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        description=f"Rows per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
    )


def offset_parameters() -> list[OpenApiParameter]:
    """The query parameters of an offset-paged operation, for `extend_schema(parameters=)`."""
    return [
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            description=f"Page number, 1 to {MAX_PAGE:,} (default 1).",
        ),
        _limit_parameter(),
    ]


def cursor_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "cursor",
            {"type": "string", "maxLength": MAX_CURSOR_LENGTH, "pattern": CURSOR_PATTERN},
            description=(
                "`next_cursor` or `previous_cursor` of the previous answer, as given; valid "
                "only for the same list with the same filters (else 422 `invalid_cursor`); "
                "empty for the first page."
            ),
        ),
        _limit_parameter(),
    ]


def keyset_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter(
            "after",
            {"type": "string", "maxLength": MAX_TOKEN_LENGTH, "pattern": KEYSET_POSITION_PATTERN},
            description=(
                "`next_after` of the previous answer: `<ISO 8601 time>_<id>`; empty for the "
                "first page."
            ),
        ),
        _limit_parameter(),
    ]


def any_style_parameters() -> list[OpenApiParameter]:
    """The query parameters of a list paged any of the three ways (`style_of`); one at a
    time, which parameters cannot say: a 422, as apps.core.openapi documents it."""
    page, limit = offset_parameters()
    return [page, cursor_parameters()[0], keyset_parameters()[0], limit]


def _envelope(
    base: type[serializers.Serializer], item: type[serializers.Serializer], style: str
) -> type[serializers.Serializer]:
    name = item.__name__.removesuffix("Serializer")
    return type(
        f"{name}{style}PageSerializer",
        (base,),
        {"results": item(many=True), "__module__": item.__module__},
    )


class _OffsetEnvelope(serializers.Serializer):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField()
    total_is_estimate = serializers.BooleanField(
        help_text="True when `total` is the planner's estimate (beyond 10,000 rows)."
    )
    total_pages = serializers.IntegerField()
    has_next = serializers.BooleanField()
    has_previous = serializers.BooleanField()


class _CursorEnvelope(serializers.Serializer):
    limit = serializers.IntegerField()
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)
    has_more = serializers.BooleanField()


class _KeysetEnvelope(serializers.Serializer):
    limit = serializers.IntegerField()
    next_after = serializers.CharField(allow_null=True)
    has_next = serializers.BooleanField()


@cache
def offset_envelope(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The serializer of an `OffsetPage` of `item`s: the response and its schema component
    (`<Item>OffsetPage`). Built once per item serializer, so the schema sees one class."""
    return _envelope(_OffsetEnvelope, item, "Offset")


@cache
def cursor_envelope(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    return _envelope(_CursorEnvelope, item, "Cursor")


@cache
def keyset_envelope(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    return _envelope(_KeysetEnvelope, item, "Keyset")


# Any style ----------------------------------------------------------------------------------

AnyPage = OffsetPage[M] | CursorPage[M] | KeysetPage[M]


def paginate(
    queryset: "models.QuerySet[M]",
    query: Mapping[str, Any],
    *,
    endpoint: str,
    ordering: Sequence[str] = ("-created_at", "-id"),
    filters: Mapping[str, Any] | None = None,
    default: Style = "cursor",
) -> "AnyPage[M]":
    """One page of a list that offers the three styles, as `style_of(query)` chose; the
    keyset style reads `ordering` as `(time field, id)`. Serialize it with `page_data`."""
    style = style_of(query, default=default)
    if style == "offset":
        return offset_page(queryset.order_by(*ordering), params=OffsetParams.from_query(query))
    if style == "keyset":
        (time_field, descending), _pk = _parse_ordering(ordering)
        return keyset_page(
            queryset,
            params=KeysetParams.from_query(query),
            time_field=time_field,
            descending=descending,
        )
    return cursor_page(
        queryset,
        params=CursorParams.from_query(query),
        endpoint=endpoint,
        ordering=ordering,
        filters=filters,
    )


def page_data(page: "AnyPage[Any]", item: type[serializers.Serializer]) -> Any:
    """A page of any style serialized with its envelope."""
    if isinstance(page, OffsetPage):
        return offset_envelope(item)(page).data
    if isinstance(page, KeysetPage):
        return keyset_envelope(item)(page).data
    return cursor_envelope(item)(page).data


@cache
def any_style_envelope(item: type[serializers.Serializer]) -> PolymorphicProxySerializer:
    """The response schema of a list paged any of the three ways: one of the envelopes
    (`<Item>Page`)."""
    name = item.__name__.removesuffix("Serializer")
    return PolymorphicProxySerializer(
        component_name=f"{name}Page",
        serializers=[offset_envelope(item), cursor_envelope(item), keyset_envelope(item)],
        resource_type_field_name=None,
    )
