"""Refusals raised by services. Kept free of DRF imports: services must not depend on
the API layer (and DRF's settings import the authentication classes, which use services)."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ServiceError(Exception):
    """A refusal by a service, with the status and code the API answers it with.

    Services raise these (or Django's ValidationError); they never build responses.
    """

    status_code = 400
    code = "error"
    default_message: Any = ""  # str or lazy translation; used when no message is given

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: int | None = None,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = str(message or self.default_message)
        super().__init__(self.message)
        self.retry_after = retry_after
        self.errors = errors or {}  # the error shape's per-field messages


def error_text(exc: ServiceError | ValidationError) -> str:
    """What a web page shows for a refusal."""
    return exc.message if isinstance(exc, ServiceError) else " ".join(exc.messages)


def form_errors_from(form: Any, exc: ServiceError | ValidationError, **fields: str) -> None:
    """A service's refusal shown beside the fields it is about (`fields` renames a service's
    field to the form's); the rest above the form."""
    if isinstance(exc, ServiceError) and exc.errors:
        per_field: dict[str, list[str]] = exc.errors
    elif isinstance(exc, ServiceError) or not hasattr(exc, "error_dict"):
        form.add_error(None, error_text(exc))
        return
    else:
        per_field = exc.message_dict
    for field, errors in per_field.items():
        name = fields.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


class NotAllowedError(ServiceError, PermissionDenied):
    """The acting person or key may not do this (its policy says no). Also Django's
    PermissionDenied, so a page that lets it through answers the 403 page."""

    status_code = 403
    code = "permission_denied"


class NotFoundError(ServiceError, Http404):
    """Nothing of this kind that the actor may reach has this id or number. Also Django's
    Http404, so a page that lets it through answers the 404 page."""

    status_code = 404
    code = "not_found"
    default_message = gettext_lazy("Not found.")  # DRF's, for an API's Http404


class ConflictError(ServiceError):
    """What is stored does not allow this now: a post already published, an order already
    paid, an upload already complete. Apps subclass it with their own message."""

    status_code = 409
    code = "conflict"


class RequestTooLargeError(ServiceError):
    """A request body over the limit of the view it is sent to (apps.core.bodies)."""

    status_code = 413
    code = "request_too_large"

    @classmethod
    def over(cls, limit: int) -> "RequestTooLargeError":
        return cls(
            _("The request body is too large: this accepts at most %(limit)d bytes.")
            % {"limit": limit}
        )


class RefusedInputError(ValidationError):
    """A ValidationError about input of the form the API's schema describes, refused for what
    it means: a time already past, an id of nothing there, fields that contradict each other,
    a name taken. The API answers it with `status_code` (422, or 409 for a conflict with what
    is stored) instead of 400, so that a 400 always means the schema itself says no; pages
    show it beside its fields like any ValidationError."""

    status_code = 422
    # The error shape's `code` (ValidationError keeps a `code` of its own per message).
    error_code = "invalid"


class TakenError(RefusedInputError):
    """A unique value (a name, a SKU) that something stored already has."""

    status_code = 409
    error_code = "taken"
