"""Input fields of the files API."""

from typing import Any

from rest_framework import serializers


def _messages(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        return [m for key, value in detail.items() for m in _messages(value, f"{prefix}{key}: ")]
    if isinstance(detail, list):
        return [m for item in detail for m in _messages(item, prefix)]
    return [f"{prefix}{detail}"]


class ItemsField(serializers.ListField):
    """A list whose items' errors come as one flat list of messages ("item 2: …"): the one
    error shape holds a list of strings per field, where DRF would nest them by index."""

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
