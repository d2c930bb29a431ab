"""The OpenAPI schema: component names for nested serializers, and the one error shape on
every operation."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema


class KuraAutoSchema(AutoSchema):
    """Views keep their serializers nested (`LoginApi.InputSerializer`); name the schema
    components after the view (`LoginInput`) so that no two collide."""

    def get_serializer_name(
        self, serializer: Any, direction: Literal["request", "response"]
    ) -> str:
        name = super().get_serializer_name(serializer, direction)
        outer, *inner = type(serializer).__qualname__.split(".")
        return outer.removesuffix("Api") + name if inner else name


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error has this shape.",
    "properties": {
        "status": {"type": "integer", "example": 400},
        "code": {"type": "string", "example": "invalid"},
        "message": {"type": "string", "example": "Some fields are not valid."},
        "errors": {
            "type": "object",
            "description": "Messages per field; empty when the error is not about fields.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["status", "code", "message", "errors"],
}

ERROR_RESPONSE = {
    "description": "Client error, in the one error shape.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            operation.setdefault("responses", {}).setdefault("4XX", ERROR_RESPONSE)
    return result
