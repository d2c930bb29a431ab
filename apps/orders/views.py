"""The orders' pages: the cart (kept in the session) and checking out, a person's orders
with a live countdown to the end of the payment window, an order's page (cancel; pay with
the demo signer where that is on), and for owners and admins every order of the company
by state, and the payment webhook's secret. Every change goes through the services, the
same the API and the webhook call."""

import json
import time
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.decorators import member_required, reauth_redirect
from apps.accounts.principal import Principal, SystemActor
from apps.accounts.request import MemberRequest
from apps.core.errors import ServiceError, error_text, form_errors_from
from apps.core.pagination import numbered_page
from apps.core.params import int_param
from apps.orders import invoices, selectors, services, signer
from apps.orders.cart import cart_lines, cart_quantities, cart_save
from apps.orders.errors import InvoiceUnavailableError
from apps.orders.forms import (
    PAGE_SIZE,
    CartAddForm,
    CartChangeForm,
    InvoiceSettingsForm,
    StateFilterForm,
)
from apps.orders.models import MAX_LINES, MAX_QUANTITY, Order
from apps.orders.policies import (
    can_cancel_order,
    can_manage_payments,
    can_order,
    can_pay_demo,
    can_see_all_orders,
)

# The secret just made or rotated, kept for the one page view after the redirect.
NEW_PAYMENT_SECRET = "new_payment_secret"  # noqa: S105 (a session key)


def demo_payments() -> bool:
    return bool(settings.DEBUG or settings.KURA_DEMO_PAYMENTS)


@member_required()
def cart_add_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Add a product to the cart (from its page or a search result), then to the cart."""
    if request.method != "POST":
        return redirect("cart")
    if not can_order(principal):
        raise PermissionDenied
    form = CartAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to %(max)d units.") % {"max": MAX_QUANTITY})
        return redirect("cart")
    product_id, quantity = form.cleaned_data["product"], form.cleaned_data["quantity"]
    quantities = cart_quantities(request.session)
    if product_id not in quantities and len(quantities) >= MAX_LINES:
        messages.error(request, _("A cart holds at most %(max)d products.") % {"max": MAX_LINES})
        return redirect("cart")
    quantities[product_id] = min(quantities.get(product_id, 0) + quantity, MAX_QUANTITY)
    cart_save(request.session, quantities)
    messages.success(request, _("Added to your cart."))
    return redirect("cart")


@member_required()
def cart_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The cart with current names and prices; change a quantity, remove a line, or place
    the order. The checkout form carries a key made when the page was shown, so the same
    form sent twice is one order."""
    if request.method == "POST":
        if not can_order(principal):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "checkout":
            return _checkout(request, principal)
        quantities = cart_quantities(request.session)
        product_id = int_param(request.POST.get("product"))
        if action == "remove":
            quantities.pop(product_id, None)
            messages.success(request, _("Removed from your cart."))
        elif action == "change":
            form = CartChangeForm(request.POST)
            if form.is_valid() and product_id in quantities:
                quantities[product_id] = form.cleaned_data["quantity"]
                messages.success(request, _("Quantity changed."))
            else:
                messages.error(
                    request, _("Choose from 1 to %(max)d units.") % {"max": MAX_QUANTITY}
                )
        cart_save(request.session, quantities)
        return redirect("cart")
    lines = cart_lines(request.session, actor=principal)
    return render(
        request,
        "orders/cart.html",
        {
            "lines": lines,
            "total": sum(line.subtotal for line in lines),
            "checkout_key": uuid.uuid4().hex,
            "max_quantity": MAX_QUANTITY,
        },
    )


def _checkout(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Place the order; products no longer on sale are dropped first, with a message."""
    lines = cart_lines(request.session, actor=principal)
    gone = [line for line in lines if not line.available]
    for line in gone:
        name = line.product.name if line.product else f"#{line.product_id}"
        messages.warning(
            request,
            _("“%(name)s” is no longer on sale and was removed from your cart.") % {"name": name},
        )
    lines = [line for line in lines if line.available]
    cart_save(request.session, {line.product_id: line.quantity for line in lines})
    try:
        placed = services.order_place(
            tenant=request.tenant,
            actor=principal,
            lines=[
                services.LineInput(product_id=line.product_id, quantity=line.quantity)
                for line in lines
            ],
            idempotency_key=request.POST.get("key", ""),
        )
    except (ServiceError, ValidationError) as exc:
        messages.error(request, error_text(exc))
        return redirect("cart")
    cart_save(request.session, {})
    if placed.created:
        messages.success(
            request,
            _("Order %(number)s placed. Pay before the time runs out.")
            % {"number": placed.order.number},
        )
    return redirect("order", order_id=placed.order.pk)


@member_required()
def orders_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The person's own orders, newest first, a page at a time."""
    page = numbered_page(
        selectors.order_list(actor=principal),
        number=int_param(request.GET.get("page")),
        size=PAGE_SIZE,
    )
    return render(request, "orders/orders.html", {"orders": page, "everyone": False})


@member_required()
def orders_all_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Owners and admins: every order of the company, by state, a page at a time; and the
    payment webhook's secret, made or replaced here and shown once."""
    if not can_see_all_orders(principal):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "rotate-secret":
        if stale := reauth_redirect(request):
            return stale
        new = services.payment_secret_rotate(actor=principal)
        request.session[NEW_PAYMENT_SECRET] = new.secret
        return redirect("orders-all")
    form = StateFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_bound and form.is_valid() else ""
    page = numbered_page(
        selectors.order_list(actor=principal, state=state or None, everyone=True),
        number=int_param(request.GET.get("page")),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "orders/orders.html",
        {
            "orders": page,
            "everyone": True,
            "form": form,
            "state": state,
            "new_secret": request.session.pop(NEW_PAYMENT_SECRET, None),
            "has_secret": selectors.payment_secret() is not None,
        },
    )


@member_required()
def order_view(request: MemberRequest, principal: Principal, order_id: int) -> HttpResponse:
    """One order: its lines, total and state, the time left to pay; cancel it, or pay it
    with the demo signer."""
    order = selectors.order_get(actor=principal, order_id=order_id)
    may_cancel = can_cancel_order(principal, order)
    may_pay = can_pay_demo(principal, order) and demo_payments()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel" and may_cancel:
            _cancel(request, principal, order)
        elif action == "pay" and may_pay:
            _pay_demo(request, order)
        else:
            raise PermissionDenied
        return redirect("order", order_id=order.pk)
    pending = order.state == Order.State.PENDING_PAYMENT
    return render(
        request,
        "orders/order.html",
        {
            "order": order,
            "may_cancel": may_cancel and pending,
            "may_pay": may_pay,
        },
    )


@member_required()
def invoice_view(request: MemberRequest, principal: Principal, order_id: int) -> HttpResponse:
    """The qualified invoice of a paid order, to read and print, with its PDF; an order
    without one yet says why (409)."""
    try:
        invoice = invoices.invoice_get(actor=principal, order_id=order_id)
    except InvoiceUnavailableError as exc:
        order = selectors.order_get(actor=principal, order_id=order_id)
        context = {"order": order, "unavailable": exc.message}
        return render(request, "orders/invoice.html", context, status=409)
    return render(request, "orders/invoice.html", {"order": invoice.order, "invoice": invoice})


@member_required()
def invoice_settings_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Owners and admins: the company as the seller on its invoices, and how it rounds the
    tax of an order (once per rate)."""
    if not can_manage_payments(principal):
        raise PermissionDenied
    current = selectors.invoice_settings()
    form = InvoiceSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "seller_name": current.seller_name,
            "registration_number": current.registration_number,
            "rounding": current.rounding,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_settings_update(actor=principal, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("Invoice settings saved."))
            return redirect("invoice-settings")
    return render(request, "orders/invoice_settings.html", {"form": form})


def _cancel(request: MemberRequest, principal: Principal, order: Order) -> None:
    try:
        services.order_cancel(tenant=request.tenant, order=order, actor=principal)
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Order %(number)s cancelled.") % {"number": order.number})


def _pay_demo(request: MemberRequest, order: Order) -> None:
    """What a payment provider would do: sign a webhook body with the company's secret
    (made first, by the system, if there is none), which is then checked and recorded by
    the same services the webhook calls (no HTTP to ourselves)."""
    secret = selectors.payment_secret()
    if secret is None:
        system = SystemActor(tenant=request.tenant, reason="demo payment")
        secret = services.payment_secret_rotate(actor=system).secret
    event_id = f"demo_{uuid.uuid4().hex}"
    body = json.dumps(
        {
            "event_id": event_id,
            "order_number": order.number,
            "amount": order.total,
            "reference": "demo",
        }
    ).encode()
    timestamp = str(int(time.time()))
    try:
        services.payment_signature_verify(
            timestamp=timestamp, signature=signer.sign(secret, timestamp, body), body=body
        )
        event = services.payment_record(
            tenant=request.tenant,
            event_id=event_id,
            order_number=order.number,
            amount=order.total,
            reference="demo",
        )
    except ServiceError as exc:
        messages.error(request, error_text(exc))
        return
    if event.outcome == event.Outcome.PAID:
        messages.success(request, _("Paid (demo): order %(number)s.") % {"number": order.number})
    else:
        messages.warning(request, event.order.refund_reason)
