"""The one error shape of the API, and the handler that produces it.

    {"status": 400, "code": "invalid", "message": "…", "errors": {"field": ["…"]}}

`errors` holds per-field messages (empty when the error is not about fields).
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


def error_body(
    *, status_code: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"status": status_code, "code": code, "message": message, "errors": errors or {}}


def error_response(
    *, status_code: int, code: str, message: str, errors: dict[str, Any] | None = None
) -> JsonResponse:
    """For the few places outside DRF views (URL resolver, middleware) that answer /api/."""
    body = error_body(status_code=status_code, code=code, message=message, errors=errors)
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error leaves in the one shape.

    Services raise Django's ValidationError; it becomes a 400 here, so no view needs
    to translate it. Anything unexpected is left to Django (a logged 500).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)  # noqa: S101 - DRF only answers these

    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if not isinstance(detail, dict):
            detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
        general = detail.get(api_settings.NON_FIELD_ERRORS_KEY)
        errors = {k: v for k, v in detail.items() if k != api_settings.NON_FIELD_ERRORS_KEY}
        if general:
            items = general if isinstance(general, list) else [general]
            message = " ".join(str(item) for item in items)
        else:
            message = _("Some fields are not valid.")
        response.data = error_body(
            status_code=response.status_code, code="invalid", message=message, errors=errors
        )
        return response

    codes = exc.get_codes()
    response.data = error_body(
        status_code=response.status_code,
        code=codes if isinstance(codes, str) else exc.default_code,
        message=str(exc.detail),
    )
    return response


def is_api_path(path: str) -> bool:
    return path.startswith(("/api/", "/auth/"))
