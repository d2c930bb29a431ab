"""Refusals of the catalog, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


class InUseError(ServiceError):
    """A category or brand that products (or subcategories) still use."""

    status_code = 409
    code = "in_use"
    default_message = _("This is still in use.")
