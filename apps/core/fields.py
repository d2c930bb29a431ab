"""Serializer fields for API input that hold whatever a client sends, and the serializer
of a JSON body that takes each value only in its field's JSON type."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty


class InRangeDateTimeField(serializers.DateTimeField):
    """DRF's DateTimeField, with a time without offset too near year 1 or 9999 to be placed
    in the current time zone refused as out of range: DRF itself raises OverflowError
    there (a 500), where it answers the same for a time with an offset as invalid input."""

    def enforce_timezone(self, value: datetime) -> datetime:
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


def _item(index: int) -> str:
    return f"item {index + 1}: "


def _messages(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _messages(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item, prefix)]
    return [f"{prefix}{detail}"]


class UniqueItemsValidator:
    """A list whose items are all different (the schema's `uniqueItems`, which
    apps.core.openapi writes for a list field with this validator)."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, items: list[Any]) -> None:
        if len(set(items)) != len(items):
            raise serializers.ValidationError(self.message)


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
            detail: dict[Any, Any] = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError(
                [
                    message
                    for index, errors in detail.items()
                    for message in _messages(errors, _item(int(index)))
                ]
            ) from exc


# The JSON type each kind of field reads, and what a value of another type is told; DRF's
# fields would take 0 for false, "1" for 1 and 0 for "0".
_STRING = (
    serializers.CharField,
    serializers.ChoiceField,
    serializers.UUIDField,
    serializers.DateTimeField,
    serializers.DateField,
    serializers.TimeField,
)
_NOT_A_BOOLEAN = _("Must be true or false.")
_NOT_AN_INTEGER = _("Must be a whole number.")
_NOT_A_STRING = _("Must be a string.")


def _json_type_error(field: serializers.Field, value: Any) -> Any:
    """Why `value` is not of the JSON type `field` reads (None when it is, or when the field
    reads something else)."""
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _NOT_A_BOOLEAN
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else _NOT_AN_INTEGER
    if isinstance(field, _STRING):
        return None if isinstance(value, str) else _NOT_A_STRING
    return None


# The serializer of a JSON body: a value of another JSON type than its field's is refused
# (true and false only for a boolean, a whole number for an integer, a string for text,
# times, choices and ids), as the OpenAPI schema says, where DRF's fields would convert it.
# So are the items of a list of such values; nested serializers are StrictSerializers
# themselves (apps.core.openapi warns of any that is not). No docstring: drf-spectacular
# would describe every body with it.
class StrictSerializer(serializers.Serializer):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # DRF refuses it
        wrong = {
            name: messages
            for name, field in self.fields.items()
            if not field.read_only and (messages := _json_type_errors(field, field.get_value(data)))
        }
        if not wrong:
            return super().to_internal_value(data)
        # The other fields' errors too, in one answer.
        rest = {key: value for key, value in data.items() if key not in wrong}
        try:
            super().to_internal_value(rest)
        except serializers.ValidationError as exc:
            detail: dict[Any, Any] = exc.detail if isinstance(exc.detail, dict) else {}
            raise serializers.ValidationError({**detail, **wrong}) from exc
        raise serializers.ValidationError(wrong)


def _json_type_errors(field: serializers.Field, value: Any) -> list[Any]:
    if value is empty or value is None:
        return []  # missing or null: the field's own rules say whether it may be
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        if field.max_length is not None and len(value) > field.max_length:
            return []  # refused for its length by the field, before any item is looked at
        return [
            f"{_item(index)}{error}"
            for index, item in enumerate(value)
            if item is not None and (error := _json_type_error(field.child, item))
        ]
    error = _json_type_error(field, value)
    return [error] if error else []
