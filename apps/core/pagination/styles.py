"""A list that offers the three styles: the page a request asked for (`style_of`), its
data in that style's envelope, and the response schema of any of them."""

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import models
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from apps.core.pagination.cursor import CursorPage, CursorParams, cursor_page
from apps.core.pagination.keyset import KeysetPage, KeysetParams, keyset_page
from apps.core.pagination.offset import OffsetPage, OffsetParams, offset_page
from apps.core.pagination.openapi import cursor_envelope, keyset_envelope, offset_envelope
from apps.core.pagination.params import Style, style_of
from apps.core.pagination.positions import parse_ordering

M = TypeVar("M", bound=models.Model)
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
        (time_field, descending), _pk = parse_ordering(ordering)
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
