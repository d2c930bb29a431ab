"""The qualified invoice (適格請求書) of a paid order: what the page and the PDF both show,
read once. Its issuer is the company as its invoice settings say now; its lines, rates and
taxes are the order's, as they were stored when it was placed."""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.principal import Actor
from apps.orders.errors import InvoiceUnavailableError
from apps.orders.models import Order, OrderLine, OrderTax
from apps.orders.selectors import invoice_settings, order_get


@dataclass(frozen=True)
class Invoice:
    order: Order
    seller_name: str
    registration_number: str
    issued_on: date  # the day it was paid, in the active time zone
    buyer: str
    lines: list[OrderLine]
    tax_lines: list[OrderTax]

    @property
    def has_reduced(self) -> bool:
        return self.order.has_reduced_rate


def invoice_get(*, actor: Actor, order_id: int) -> Invoice:
    """The invoice of an order the actor sees (NotFoundError otherwise); 409
    `invoice_unavailable` while it is unpaid or the company has no registration number."""
    order = order_get(actor=actor, order_id=order_id)
    if order.state != Order.State.PAID or order.paid_at is None:
        raise InvoiceUnavailableError(_("The invoice is issued once the order is paid."))
    issuer = invoice_settings()
    if not issuer.registration_number:
        raise InvoiceUnavailableError(
            _("The company has not set its invoice registration number yet.")
        )
    return Invoice(
        order=order,
        seller_name=issuer.seller_name,
        registration_number=issuer.registration_number,
        issued_on=timezone.localdate(order.paid_at),
        buyer=order.buyer.full_name or order.buyer.email,
        lines=list(order.lines.all()),
        tax_lines=list(order.tax_lines.all()),
    )
