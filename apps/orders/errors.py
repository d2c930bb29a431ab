"""Refusals of the orders app, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ConflictError, NotFoundError, ServiceError


class OrderStateError(ConflictError):
    """The order is not in a state that allows this (cancelling a paid or expired order)."""

    default_message = _("This order can no longer be changed this way.")


class SignatureError(ServiceError):
    """A webhook without a valid signature of this company's secret, or with a timestamp
    too old or in the future."""

    status_code = 401
    code = "invalid_signature"
    default_message = _("The signature is not valid.")


class ReplayError(ServiceError):
    """A payment event whose id was received before."""

    status_code = 409
    code = "replayed_event"
    default_message = _("This payment event was received before.")


class AmountMismatchError(ServiceError):
    """A payment of another amount than the order's total: what the request cannot know."""

    status_code = 422
    code = "amount_mismatch"
    default_message = _("The amount paid is not the order's total.")


class UnknownOrderError(NotFoundError):
    """A payment for an order number this company does not have."""

    default_message = _("This company has no order with this number.")


class InvoiceUnavailableError(ConflictError):
    """No qualified invoice for this order yet: it is not paid, or the company has not set
    its registration number (an invoice without one is not a qualified invoice)."""

    code = "invoice_unavailable"
    default_message = _("This order has no invoice yet.")
