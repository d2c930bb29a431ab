"""Writes on orders. Placing an order reserves its stock (apps.catalog.services.stock_reserve)
and schedules its expiry on the delayed queue in one transaction. Every way out of
`pending_payment` (paid, cancelled, expired) is one state-conditional UPDATE, so when a
payment races the expiry job (or a cancel) exactly one wins, and the stock of a cancelled
or expired order is returned by the one that won, once. The expiry handler runs inside
the job's transaction: a retry after a crash finds the order expired and does nothing."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.accounts.policies import is_own
from apps.accounts.principal import Actor
from apps.audit.services import audit_record, company_here
from apps.catalog.selectors import product_ids_on_sale
from apps.catalog.services import stock_reserve, stock_return
from apps.core.errors import NotAllowedError, RefusedInputError
from apps.jobs.services import job_cancel_by_key, job_schedule
from apps.notifications.services import notification_create
from apps.orders import signer
from apps.orders.errors import (
    AmountMismatchError,
    OrderStateError,
    ReplayError,
    SignatureError,
    UnknownOrderError,
)
from apps.orders.models import (
    MAX_KEY,
    MAX_LINES,
    MAX_QUANTITY,
    InvoiceSettings,
    Order,
    OrderLine,
    OrderTax,
    PaymentEvent,
    PaymentSecret,
)
from apps.orders.policies import can_cancel_order, can_manage_payments, can_order
from apps.orders.selectors import invoice_settings
from apps.orders.tax import tax_by_rate
from apps.tenants.models import Tenant

ORDER_EXPIRE = "order.expire"
# Crockford's base32: no I, L, O or U to misread.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# A webhook's timestamp may be this old, or this far ahead of our clock.
SIGNATURE_MAX_AGE = timedelta(minutes=5)
SIGNATURE_MAX_AHEAD = timedelta(minutes=1)

State = Order.State


@dataclass(frozen=True)
class LineInput:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    created: bool  # False: the order placed before with the same idempotency key


def payment_window(tenant: Tenant) -> timedelta:
    """How long an order waits for its payment. Plans have no field for it yet, so every
    company has KURA_ORDER_PAYMENT_MINUTES."""
    return timedelta(minutes=settings.KURA_ORDER_PAYMENT_MINUTES)


def _job_key(order_id: int) -> str:
    return f"order:{order_id}"


def _new_number() -> str:
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"K-{chars[:4]}-{chars[4:]}"


def _buyer(actor: Actor) -> User:
    if not can_order(actor) or actor.membership is None:
        raise NotAllowedError(_("Only people who may write in this company order."))
    return actor.membership.user


def _quantities(lines: Sequence[LineInput]) -> dict[int, int]:
    """Units per product (a product named on two lines counts once, summed); 400 naming
    what is wrong, 422 for what the request cannot know (a product not on sale)."""
    if not lines:
        raise ValidationError({"lines": [_("Order at least one product.")]})
    if len(lines) > MAX_LINES:
        raise ValidationError(
            {"lines": [_("An order has at most %(max)d lines.") % {"max": MAX_LINES}]}
        )
    quantities: dict[int, int] = {}
    for line in lines:
        total = quantities.get(line.product_id, 0) + line.quantity
        if line.quantity < 1 or total > MAX_QUANTITY:
            # Past the maximum only summed over lines of one product: the schema cannot say.
            raise RefusedInputError(
                {
                    "lines": [
                        _("Order from 1 to %(max)d units of product %(id)d.")
                        % {"max": MAX_QUANTITY, "id": line.product_id}
                    ]
                }
            )
        quantities[line.product_id] = total
    on_sale = product_ids_on_sale(product_ids=list(quantities))
    missing = [str(product_id) for product_id in quantities if product_id not in on_sale]
    if missing:
        raise RefusedInputError(
            {"lines": [_("Not on sale: product %(ids)s.") % {"ids": ", ".join(missing)}]}
        )
    return quantities


def _clean_key(idempotency_key: str) -> str:
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationError(
            {"idempotency_key": [_("Give a key of 1 to %(max)d characters.") % {"max": MAX_KEY}]}
        )
    return key


def order_place(
    *,
    tenant: Tenant,
    actor: Actor,
    lines: Sequence[LineInput],
    idempotency_key: str,
    expires_in: timedelta | None = None,
) -> PlacedOrder:
    """Place an order: reserve the stock of every line (all or none; 409 `out_of_stock`
    naming the product short), copy names and prices, and schedule its expiry at
    `expires_at` (the company's payment window, or `expires_in`). The same key from the
    same buyer again returns the first order and reserves nothing."""
    buyer = _buyer(actor)
    key = _clean_key(idempotency_key)
    existing = Order.objects.filter(buyer=buyer, idempotency_key=key).first()
    if existing is not None:
        return PlacedOrder(order=existing, created=False)
    quantities = _quantities(lines)
    for _attempt in range(3):
        try:
            order = _place(
                tenant=tenant,
                buyer=buyer,
                quantities=quantities,
                key=key,
                expires_at=timezone.now() + (expires_in or payment_window(tenant)),
            )
        except IntegrityError:
            # The same key placed at the same moment elsewhere (that order is the answer),
            # or a number drawn twice (draw again).
            existing = Order.objects.filter(buyer=buyer, idempotency_key=key).first()
            if existing is not None:
                return PlacedOrder(order=existing, created=False)
        else:
            return PlacedOrder(order=order, created=True)
    raise IntegrityError("no free order number after three draws")


@transaction.atomic
def _place(
    *, tenant: Tenant, buyer: User, quantities: dict[int, int], key: str, expires_at: datetime
) -> Order:
    products = stock_reserve(tenant=tenant, quantities=quantities)
    lines = [
        OrderLine(
            product=product,
            product_name=product.name,
            unit_price=product.price,
            quantity=quantities[product.pk],
            tax_rate=product.tax_rate,
        )
        for product in products
    ]
    order = Order(
        buyer=buyer,
        number=_new_number(),
        total=sum(line.subtotal for line in lines),
        expires_at=expires_at,
        idempotency_key=key,
    )
    # Uniqueness is the database's to enforce (order_place catches it).
    order.full_clean(exclude=["buyer"], validate_unique=False, validate_constraints=False)
    order.save()
    for line in lines:
        line.order = order
    OrderLine.objects.bulk_create(lines)
    taxes = tax_by_rate(
        ((line.tax_rate, line.subtotal) for line in lines), rounding=invoice_settings().rounding
    )
    OrderTax.objects.bulk_create(
        OrderTax(order=order, rate=tax.rate, taxable_amount=tax.taxable_amount, tax=tax.tax)
        for tax in taxes
    )
    job_schedule(
        tenant=tenant,
        kind=ORDER_EXPIRE,
        payload={"order_id": order.pk},
        run_at=expires_at,
        idempotency_key=_job_key(order.pk),
    )
    return order


def _close(order: Order, state: str) -> bool:
    """Move a pending order to `state`; False when something else moved it first."""
    closed = Order.objects.filter(pk=order.pk, state=State.PENDING_PAYMENT).update(
        state=state, closed_at=timezone.now()
    )
    return closed == 1


def _return_stock(tenant: Tenant, order: Order) -> None:
    quantities: dict[int, int] = {}
    for product_id, quantity in OrderLine.objects.filter(
        order=order, product__isnull=False
    ).values_list("product_id", "quantity"):
        quantities[product_id] = quantities.get(product_id, 0) + quantity
    if quantities:
        stock_return(tenant=tenant, quantities=quantities)


def _notify(order: Order, *, title: str, body: str = "") -> None:
    notification_create(
        user=order.buyer, kind="order", title=title, body=body, link=f"/orders/{order.pk}"
    )


def _state_refusal(order: Order) -> OrderStateError:
    order.refresh_from_db(fields=["state"])
    return OrderStateError(
        _("This order is already %(state)s.") % {"state": order.get_state_display()}
    )


@transaction.atomic
def order_cancel(*, tenant: Tenant, order: Order, actor: Actor) -> Order:
    """Cancel an order waiting for payment (409 once paid, cancelled or expired): its job
    is cancelled and its stock returned. The buyer is told when someone else cancelled it
    (a manager, an operator)."""
    if not can_cancel_order(actor, order):
        raise NotAllowedError(_("Only its buyer, or an owner or admin, cancels this order."))
    if not _close(order, State.CANCELLED):
        raise _state_refusal(order)
    # Running right now, the job finds the order cancelled and does nothing.
    job_cancel_by_key(tenant=tenant, idempotency_key=_job_key(order.pk))
    _return_stock(tenant, order)
    order.refresh_from_db()
    if not is_own(actor, order.buyer_id):
        with translation.override(order.buyer.language or None):
            title = _("Your order %(number)s was cancelled") % {"number": order.number}
            _notify(order, title=title)
    return order


@transaction.atomic
def order_expire(*, tenant: Tenant, order_id: int) -> bool:
    """The expiry job's work: a still-pending order expires, its stock returns and its
    buyer is told; False when it was paid or cancelled first (or is gone)."""
    order = Order.objects.select_related("buyer").filter(pk=order_id).first()
    if order is None or not _close(order, State.EXPIRED):
        return False
    _return_stock(tenant, order)
    with translation.override(order.buyer.language or None):
        _notify(
            order,
            title=_("Your order %(number)s expired") % {"number": order.number},
            body=_("No payment arrived in time; the products were put back on sale."),
        )
    return True


# Payment --------------------------------------------------------------------------------


def payment_signature_verify(*, timestamp: str, signature: str, body: bytes) -> None:
    """A webhook's credential: `Kura-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`
    with this company's secret, and `Kura-Timestamp` (Unix seconds) at most five minutes
    old and at most one minute ahead. SignatureError (401) otherwise."""
    row = PaymentSecret.objects.first()
    if row is None or not signer.verify(row.secret, timestamp, body, signature):
        raise SignatureError
    now = timezone.now().timestamp()
    sent = int(timestamp)  # verify() accepted only digits
    if sent < now - SIGNATURE_MAX_AGE.total_seconds():
        raise SignatureError(_("The timestamp is more than five minutes old."))
    if sent > now + SIGNATURE_MAX_AHEAD.total_seconds():
        raise SignatureError(_("The timestamp is in the future."))


@transaction.atomic
def payment_record(
    *, tenant: Tenant, event_id: str, order_number: str, amount: int, reference: str
) -> PaymentEvent:
    """Record a payment the provider confirmed. A pending order becomes paid (its expiry
    job is cancelled); one that expired or was cancelled first, or was paid already, is
    flagged for a refund, never silently kept. The order's state decides, not the clock: a
    payment that comes after `expires_at` but before the expiry job pays the order, and
    the job then finds it paid. The buyer is told either way. A replayed
    event id is refused (409), as is an amount that is not the total (422), with nothing
    changed."""
    if PaymentEvent.objects.filter(event_id=event_id).exists():
        raise ReplayError
    order = Order.objects.select_related("buyer").filter(number=order_number).first()
    if order is None:
        raise UnknownOrderError
    if amount != order.total:
        raise AmountMismatchError(
            _("The amount paid (%(amount)d) is not the order's total (%(total)d).")
            % {"amount": amount, "total": order.total}
        )
    paid = Order.objects.filter(pk=order.pk, state=State.PENDING_PAYMENT).update(
        state=State.PAID, paid_at=timezone.now(), payment_reference=reference
    )
    order.refresh_from_db()
    event = PaymentEvent(
        event_id=event_id,
        order=order,
        amount=amount,
        reference=reference,
        outcome=PaymentEvent.Outcome.PAID if paid else PaymentEvent.Outcome.REFUND,
    )
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:  # the same event, recorded at the same moment elsewhere
        raise ReplayError from None
    with translation.override(order.buyer.language or None):
        if paid:
            job_cancel_by_key(tenant=tenant, idempotency_key=_job_key(order.pk))
            _notify(order, title=_("Your order %(number)s is paid") % {"number": order.number})
        else:
            _flag_refund(order)
    return event


def _flag_refund(order: Order) -> None:
    if order.state == State.PAID:
        reason = _("Paid twice.")
    else:
        reason = _("Paid after the order was %(state)s.") % {"state": order.get_state_display()}
    order.refund_flagged, order.refund_reason = True, reason
    order.save(update_fields=["refund_flagged", "refund_reason"])
    _notify(
        order,
        title=_("A payment for your order %(number)s will be refunded") % {"number": order.number},
        body=reason,
    )


# Invoices -------------------------------------------------------------------------------


def invoice_settings_update(
    *, actor: Actor, seller_name: str, registration_number: str, rounding: str
) -> InvoiceSettings:
    """Set the company as the seller on its invoices (owners and admins). A registration
    number of the right form whose check digit does not match is refused (422), as is a
    seller without a name once there is a number. The rounding applies to orders placed
    from now on; those placed before keep the tax they were placed with."""
    if not can_manage_payments(actor):
        raise NotAllowedError(_("Only owners and admins change the invoice settings."))
    with transaction.atomic():
        row = InvoiceSettings.objects.select_for_update().first()
        if row is None:
            try:
                with transaction.atomic():
                    row = InvoiceSettings.objects.create()
            except IntegrityError:  # made at the same moment elsewhere
                row = InvoiceSettings.objects.select_for_update().get()
        row.seller_name = seller_name.strip()
        row.registration_number = registration_number.strip().upper()
        row.rounding = rounding
        try:
            row.full_clean()
        except ValidationError as exc:
            raise RefusedInputError(exc.message_dict) from None
        if row.registration_number and not row.seller_name:
            raise RefusedInputError(
                {"seller_name": [_("Give the seller's name that goes with the number.")]}
            )
        row.save(update_fields=["seller_name", "registration_number", "rounding", "updated_at"])
    return row


@dataclass(frozen=True)
class NewSecret:
    """The secret in clear, this once."""

    secret: str
    created_at: datetime
    rotated_at: datetime | None


@transaction.atomic
def payment_secret_rotate(*, actor: Actor) -> NewSecret:
    """Make the company's webhook secret, or replace it (the old one stops working at once).
    The answer is the only time it is shown."""
    if not can_manage_payments(actor):
        raise NotAllowedError(_("Only owners and admins manage the payment secret."))
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    audit_record(action="payment_secret.rotated", tenant=company_here(), principal=actor)
    row = PaymentSecret.objects.select_for_update().first()
    if row is None:
        try:
            with transaction.atomic():
                row = PaymentSecret.objects.create(secret=secret)
            return NewSecret(secret=secret, created_at=row.created_at, rotated_at=None)
        except IntegrityError:  # made at the same moment elsewhere: rotate that one
            row = PaymentSecret.objects.select_for_update().get()
    row.secret, row.rotated_at = secret, timezone.now()
    row.save(update_fields=["secret", "rotated_at"])
    return NewSecret(secret=secret, created_at=row.created_at, rotated_at=row.rotated_at)
