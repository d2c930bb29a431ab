"""The OpenAPI schema: component names for nested serializers, the one error shape on
every operation, under each status the operation can answer with, and request fields that
say exactly what the server takes."""

from typing import Any, Literal

from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from apps.core.fields import StrictSerializer, UniqueItemsValidator

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
POSITION_REFUSED = (
    "A cursor or position of the right form not made for this list (`invalid_cursor`, or "
    "under `errors.after`), or two of `page`, `cursor` and `after` at once."
)
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
# Text as DRF's CharField takes it: never a NUL (nor can PostgreSQL store one), and, where
# it trims and may not be blank, with something besides whitespace. Read with re.search, as
# JSON Schema's `pattern` is.
TEXT_PATTERN = r"^[^\u0000]*$"
NOT_BLANK_TEXT_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


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
        if "application/json" in self.map_parsers():
            _warn_unless_strict(force_instance(serializer), self.view)
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # One of several forms, each with fields it requires: there is no empty body.
        return schema, required or isinstance(serializer, PolymorphicProxySerializer)

    def _map_serializer_field(
        self, field: Any, direction: Any, bypass_extensions: bool = False
    ) -> dict[str, Any]:
        # drf-spectacular inserts a field's validators next, without saying for which way.
        self._field_direction = direction
        schema: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        return schema

    def _insert_field_validators(self, field: Any, schema: dict[str, Any]) -> None:
        super()._insert_field_validators(field, schema)
        if getattr(self, "_field_direction", None) != "request":
            return
        if (
            isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum", "oneOf"} & schema.keys()
        ):
            blank = field.allow_blank or not field.trim_whitespace
            schema["pattern"] = TEXT_PATTERN if blank else NOT_BLANK_TEXT_PATTERN
        if isinstance(field, serializers.FileField) and not field.allow_empty_file:
            schema["minLength"] = 1  # an empty file part is no file to Django's parser
        if any(isinstance(v, UniqueItemsValidator) for v in field.validators):
            schema["uniqueItems"] = True

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                # `?state=` is no state: DRF's fields and apps.core.pagination read an empty
                # optional query parameter as one not given (as HTML forms send them).
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for status, response in self._shared_errors(operation).items():
            declared = responses.setdefault(str(status), response)
            if "headers" in response:  # a view's own words for a 429 keep its Retry-After
                declared.setdefault("headers", response["headers"])
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _shared_errors(self, operation: dict[str, Any]) -> dict[int, dict[str, Any]]:
        places = {parameter["in"] for parameter in operation.get("parameters", [])}
        queried = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
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
        if {"cursor", "after"} & queried:
            errors[422] = _error(POSITION_REFUSED)
        if self.view.get_throttles():
            errors[429] = _error(THROTTLED, RETRY_AFTER)
        return errors


def _warn_unless_strict(serializer: Any, view: Any) -> None:
    """A JSON body read by a serializer that would take 0 for false: each one, and each one
    nested in it, is a StrictSerializer (apps.core.fields)."""
    if isinstance(serializer, PolymorphicProxySerializer):
        for each in serializer.serializers:
            _warn_unless_strict(force_instance(each), view)
        return
    if not isinstance(serializer, serializers.Serializer):
        return
    if not isinstance(serializer, StrictSerializer):
        warn(f"{type(view).__name__}: {type(serializer).__name__} is not a StrictSerializer")
    for field in serializer.fields.values():
        nested: Any = field
        if isinstance(field, serializers.ListField | serializers.ListSerializer):
            nested = field.child
        if isinstance(nested, serializers.Serializer):
            _warn_unless_strict(nested, view)


def add_error_responses(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """The `Error` component every error response refers to."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    return result
