"""The one error shape of the API, and the handler that produces it.

    {"status": 400, "code": "invalid", "message": "…", "errors": {"field": ["…"]}}

`errors` holds per-field messages (empty when the error is not about fields).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from apps.core.errors import RefusedInputError, RequestTooLargeError, ServiceError


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


def _service_error_response(exc: ServiceError) -> Response:
    response = Response(
        error_body(
            status_code=exc.status_code, code=exc.code, message=exc.message, errors=exc.errors
        ),
        status=exc.status_code,
    )
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _as_api_exception(exc: Exception) -> Exception:
    """Django's own refusals, as the DRF exceptions they mean."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _validation_body(status_code: int, detail: Any) -> dict[str, Any]:
    if not isinstance(detail, dict):
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    general = detail.get(api_settings.NON_FIELD_ERRORS_KEY)
    errors = {k: v for k, v in detail.items() if k != api_settings.NON_FIELD_ERRORS_KEY}
    if general:
        items = general if isinstance(general, list) else [general]
        message = " ".join(str(item) for item in items)
    else:
        message = _("Some fields are not valid.")
    return error_body(status_code=status_code, code="invalid", message=message, errors=errors)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error leaves in the one shape.

    Services raise ServiceError or Django's ValidationError (400, or the status of a
    RefusedInputError); they become responses here, so no view translates them. Anything
    unexpected is left to Django (a logged 500).
    """
    if isinstance(exc, RequestDataTooBig):  # Django's limit on form fields (multipart)
        exc = RequestTooLargeError.over(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exc, ServiceError):
        return _service_error_response(exc)
    if isinstance(exc, RefusedInputError):
        body = _validation_body(exc.status_code, as_serializer_error(exc))
        return Response({**body, "code": exc.error_code}, status=exc.status_code)
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return None

    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.status_code, exc.detail)
        return response
    detail, codes = exc.detail, exc.get_codes()
    if isinstance(detail, dict):  # simplejwt's InvalidToken: {"detail", "code", "messages"}
        fields: dict[Any, Any] = detail
        message, code = str(fields.get("detail", "")), str(fields.get("code", exc.default_code))
    else:
        message, code = str(detail), codes if isinstance(codes, str) else exc.default_code
    response.data = error_body(status_code=response.status_code, code=code, message=message)
    return response


def is_api_path(path: str) -> bool:
    return path.startswith(("/api/", "/auth/"))
