"""Cursor pages (`?cursor=&limit=`, feeds and infinite scroll): a signed position, forth
and back, good only for the list, ordering and filters it was made for."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.connection import current_schema
from apps.core.errors import ServiceError
from apps.core.pagination.params import DEFAULT_LIMIT, field_error, limit_of
from apps.core.pagination.positions import (
    Keys,
    jsonable,
    key_values,
    model_field,
    page_after,
    parse_ordering,
)
from apps.core.pagination.signing import (
    CURSOR_PATTERN,
    MAX_CURSOR_LENGTH,
    BadCursorError,
    CursorSigner,
)

CURSOR_SALT = "kura.pagination.cursor"

M = TypeVar("M", bound=models.Model)
Direction = Literal["next", "previous"]


class InvalidCursorError(ServiceError):
    """A cursor that was tampered with, truncated, made up, or made for another company,
    list, ordering or filters: of the form the schema describes, but not one of ours (422)."""

    status_code = 422
    code = "invalid_cursor"
    default_message = _("The cursor is not valid for this list; start again from the first page.")


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
            raise field_error(
                "cursor", _("Enter a cursor as `next_cursor` or `previous_cursor` gives it.")
            )
        return cls(cursor=cursor or None, limit=limit_of(query))


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


class CursorCodec:
    """Positions of one list as cursors. The company (the connection's schema), the
    endpoint, the ordering and the filters are the signer's scope: a cursor made for any
    other list fails its signature like a tampered one."""

    def __init__(
        self, *, endpoint: str, ordering: Sequence[str], filters: Mapping[str, Any]
    ) -> None:
        tenant = current_schema()
        scope = [tenant, endpoint, list(ordering), dict(filters)]
        self.signer = CursorSigner(CURSOR_SALT, scope)

    def encode(self, direction: Direction, values: Sequence[Any]) -> str:
        return self.signer.sign({"d": direction[0], "k": [jsonable(v) for v in values]})

    def decode(
        self, cursor: str, model: type[models.Model], keys: Keys
    ) -> tuple[Direction, list[Any]]:
        try:
            payload = self.signer.unsign(cursor)
        except BadCursorError as exc:
            raise InvalidCursorError from exc
        raw = payload.get("k") if isinstance(payload, dict) else None
        direction = payload.get("d") if isinstance(payload, dict) else None
        if direction not in ("n", "p") or not isinstance(raw, list) or len(raw) != len(keys):
            raise InvalidCursorError
        try:
            values = [
                model_field(model, name).to_python(value)
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
    keys = parse_ordering(ordering)
    codec = CursorCodec(endpoint=endpoint, ordering=ordering, filters=filters or {})
    if params.cursor is None:
        direction: Direction = "next"
        position = None
    else:
        direction, position = codec.decode(params.cursor, queryset.model, keys)

    if direction == "next":
        results, more = page_after(queryset, keys, position, params.limit)
        last = key_values(results[-1], keys) if results else position
        first = key_values(results[0], keys) if results else position
        next_cursor = codec.encode("next", last) if more and last is not None else None
        previous_cursor = None
        if position is not None and first is not None:
            # Back from any page reached by a cursor (the first page has nothing before it).
            previous_cursor = codec.encode("previous", first)
    else:
        reverse = [(name, not descending) for name, descending in keys]
        rows, more = page_after(queryset, reverse, position, params.limit)
        results = rows[::-1]
        first = key_values(results[0], keys) if results else position
        last = key_values(results[-1], keys) if results else position
        previous_cursor = codec.encode("previous", first) if more and first is not None else None
        next_cursor = codec.encode("next", last) if last is not None else None
    return CursorPage(
        results=results,
        limit=params.limit,
        next_cursor=next_cursor,
        previous_cursor=previous_cursor,
        has_more=next_cursor is not None,
    )
