"""Who may do what with orders: people who may write (members, admins, owners) order; an
order is its buyer's, and owners and admins see and cancel any. API keys have no orders
(an order has a person as its buyer, who pays and is notified) and do not read them
either. Owners and admins make and rotate the payment webhook's secret. The webhook itself
has no user: its signature with the company's secret is its credential."""

from apps.accounts.policies import can_manage_members, can_write, is_own, is_person
from apps.accounts.principal import Principal
from apps.orders.models import Order


def can_order(principal: Principal | None) -> bool:
    return is_person(principal) and can_write(principal)


def can_see_orders(principal: Principal | None) -> bool:
    """Listing one's own orders (every person) or, for managers, everyone's."""
    return is_person(principal)


def can_see_all_orders(principal: Principal | None) -> bool:
    return is_person(principal) and can_manage_members(principal)


def can_see_order(principal: Principal | None, order: Order) -> bool:
    return can_see_all_orders(principal) or is_own(principal, order.buyer_id)


def can_cancel_order(principal: Principal | None, order: Order) -> bool:
    """The buyer while it waits for payment; owners and admins too, any time before it is
    paid (the service refuses a paid one with 409)."""
    if can_see_all_orders(principal):
        return True
    return is_own(principal, order.buyer_id) and can_write(principal)


def can_pay_demo(principal: Principal | None, order: Order) -> bool:
    """The demo's "Pay" button (a payment signed with the company's secret, where no
    provider is set up): whoever may cancel the order, while it waits for payment."""
    return order.state == Order.State.PENDING_PAYMENT and can_cancel_order(principal, order)


def can_manage_payments(principal: Principal | None) -> bool:
    return is_person(principal) and can_manage_members(principal)
