"""Serializer fields for API input that hold whatever a client sends."""

from datetime import datetime

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
