"""Refusals of the catalog, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


class InUseError(ServiceError):
    """A category or brand that products (or subcategories) still use."""

    status_code = 409
    code = "in_use"
    default_message = _("This is still in use.")


class ImportInvalidError(ServiceError):
    """A CSV import refused as a whole: its columns, its encoding or some of its rows
    (`errors` names them); nothing of it was written. A well-formed upload whose content is
    refused: 422."""

    status_code = 422
    code = "import_invalid"
    default_message = _("The file was not imported.")


class ImportTooLargeError(ServiceError):
    status_code = 413
    code = "import_too_large"
    default_message = _("A file to import holds at most 10 MiB.")  # imports.MAX_BYTES


class OutOfStockError(ServiceError):
    """Not enough stock of a product for an order (or the product stopped being sold)."""

    status_code = 409
    code = "out_of_stock"
    default_message = _("Not enough stock.")

    def __init__(self, message: str | None = None, *, product_id: int | None = None) -> None:
        super().__init__(message)
        self.product_id = product_id
