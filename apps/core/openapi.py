"""The OpenAPI schema: component names for nested serializers, and the one error shape on
every operation, under each status the operation can answer with."""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework.permissions import AllowAny

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
ERROR_REF = {"$ref": "#/components/schemas/Error"}

INVALID = "The request is not valid (malformed JSON, or fields: see `errors`)."
UNSUPPORTED_MEDIA_TYPE = "The body is not `application/json`."
UNAUTHENTICATED = "No credential, or one that is not valid, has expired or was revoked."
FORBIDDEN = (
    "The credential may not do this: a role or API key that may only read, an API key where "
    "only people may act, a suspended membership, or a credential of another company."
)
NOT_FOUND = "No such thing, or not one the caller may see."
TOO_LARGE = "The body is larger than this operation accepts (`request_too_large`)."
NOT_ACCEPTABLE = "The `Accept` header does not allow `application/json`."
THROTTLED = "Too many requests; `Retry-After` says when to try again."
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 1},
    }
}


# A short-lived pre-signed URL, or null (a field declared with `extend_schema_field`).
NULLABLE_URL = {"type": "string", "format": "uri", "nullable": True}


def error_response(description: str) -> OpenApiResponse:
    """An error a view declares itself, in the one error shape: `responses={409:
    error_response("…")}`. Statuses every API view shares are added by KuraAutoSchema."""
    return OpenApiResponse(response=ERROR_REF, description=description)


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_REF}},
    }
    if headers:
        response["headers"] = headers
    return response


class KuraAutoSchema(AutoSchema):
    """Views keep their serializers nested (`LoginApi.InputSerializer`); name the schema
    components after the view (`LoginInput`) so that no two collide.

    Every operation lists the client errors it can answer with, read from what the view
    is made of (body, parameters, authentication, permissions, throttles; every view
    negotiates the response type), so a new view is documented, and fuzzed against that
    documentation, without anyone listing them.
    """

    def get_serializer_name(
        self, serializer: Any, direction: Literal["request", "response"]
    ) -> str:
        name = super().get_serializer_name(serializer, direction)
        outer, *inner = type(serializer).__qualname__.split(".")
        return outer.removesuffix("Api") + name if inner else name

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # One of several forms, each with fields it requires: there is no empty body.
        return schema, required or isinstance(serializer, PolymorphicProxySerializer)

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        for status, response in self._shared_errors(operation).items():
            declared = responses.setdefault(str(status), response)
            if "headers" in response:  # a view's own words for a 429 keep its Retry-After
                declared.setdefault("headers", response["headers"])
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _shared_errors(self, operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        has_body = "requestBody" in operation
        errors: dict[int, dict[str, Any]] = {}
        if has_body or "query" in places:
            errors[400] = _error(INVALID)
        if self.view.get_authenticators():
            # A credential that does not hold is refused even where none is needed, and
            # one of another company is refused before any of its data is read.
            errors[401] = _error(UNAUTHENTICATED)
            errors[403] = _error(FORBIDDEN)
        if any(not isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors[403] = _error(FORBIDDEN)
        if "path" in places:
            errors[404] = _error(NOT_FOUND)
        errors[406] = _error(NOT_ACCEPTABLE)
        if has_body:
            errors[413] = _error(TOO_LARGE)
            errors[415] = _error(UNSUPPORTED_MEDIA_TYPE)
        if self.view.get_throttles():
            errors[429] = _error(THROTTLED, RETRY_AFTER)
        return errors


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """The `Error` component every error response refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result
