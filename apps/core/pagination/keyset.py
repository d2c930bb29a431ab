"""Keyset pages (`?after=&limit=`, deep traversal and exports): a readable position
`<ISO 8601 time>_<id>` on `(time field, id)`, one query at any depth."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.errors import RefusedInputError
from apps.core.pagination.params import DEFAULT_LIMIT, field_error, limit_of
from apps.core.pagination.positions import page_after

MAX_TOKEN_LENGTH = 100  # a keyset token: a time, "_", an id
# A keyset token as `keyset_token` writes it (an offset instead of the Z too), or empty: the
# first page. Read like JSON Schema's `pattern` (re.search), so the schema and the server
# agree on every string.
KEYSET_POSITION_PATTERN = (
    r"^(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:Z|[+-]\d{2}:\d{2})"
    r"_[0-9a-f-]{1,36})?$"
)

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class KeysetParams:
    after: tuple[datetime, Any] | None = None
    limit: int = DEFAULT_LIMIT

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "KeysetParams":
        """`?after=<ISO 8601 time>_<id>&limit=`; ValidationError naming the field."""
        raw = query.get("after")
        return cls(after=keyset_token_parse(str(raw)) if raw else None, limit=limit_of(query))


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
        raise field_error(
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
    results, more = page_after(queryset, keys, position, params.limit)
    next_after = None
    if more:
        last = results[-1]
        next_after = keyset_token(getattr(last, time_field), last.pk)
    return KeysetPage(results=results, limit=params.limit, next_after=next_after, has_next=more)
