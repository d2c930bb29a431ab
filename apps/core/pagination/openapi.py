"""What a paged operation declares and answers: its query parameters for
`extend_schema(parameters=)` and the envelope serializer of its page, which is both the
response's serializer and its schema component."""

from functools import cache

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from apps.core.pagination.keyset import KEYSET_POSITION_PATTERN, MAX_TOKEN_LENGTH
from apps.core.pagination.offset import MAX_PAGE
from apps.core.pagination.params import DEFAULT_LIMIT, MAX_LIMIT
from apps.core.pagination.signing import CURSOR_PATTERN, MAX_CURSOR_LENGTH


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
