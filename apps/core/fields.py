"""Serializer fields for API input that hold whatever a client sends."""

from datetime import datetime
from typing import Any

from rest_framework import serializers


class InRangeDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with a time without offset too near year 1 or 9999 to be placed
    in the current time zone refused as out of range: DRF itself raises OverflowError
    there (a 500), where it answers the same for a time with an offset as invalid input."""

    def enforce_timezone(self, value: datetime) -> datetime:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def _messages(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _messages(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item, prefix)]
    return [f"{prefix}{detail}"]


class ItemsField(serializers.ListField):
    """A list of at most `max_length` items, every list the API takes.

    A longer one is refused before any item is looked at: DRF's ListField validates every
    item first and counts them after (seconds of CPU for a list of 100,000). Items' errors
    come as one flat list of messages ("item 2: …"): the one error shape holds a list of
    strings per field, where DRF would nest them by index."""

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, **kwargs)
        self.max_items = max_length

    def to_internal_value(self, data: Any) -> list[Any]:
        if isinstance(data, list) and len(data) > self.max_items:
            self.fail("max_length", max_length=self.max_items)
        return super().to_internal_value(data)

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError(
                [
                    message
                    for index, errors in detail.items()
                    for message in _messages(errors, f"item {int(index) + 1}: ")
                ]
            ) from exc
