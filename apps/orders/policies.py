"""Who may do what with orders: people who may write (members, admins, owners) order; an
order is its buyer's, and owners and admins see and cancel any. API keys have no orders
(an order has a person as its buyer, who pays and is notified) and do not read them
either. Owners and admins make and rotate the payment webhook's secret. The webhook itself
has no user: its signature with the company's secret is its credential."""

from apps.accounts.policies import acts_for, can_manage_members, can_write, is_person
from apps.accounts.principal import Actor
from apps.orders.models import Order


def can_order(actor: Actor | None) -> bool:
    return is_person(actor) and can_write(actor)


def can_see_orders(actor: Actor | None) -> bool:
    """Listing one's own orders (every person) or, for managers, everyone's."""
    return is_person(actor) or can_see_all_orders(actor)


def can_see_all_orders(actor: Actor | None) -> bool:
    """Owners and admins (never an API key: keys do not manage members)."""
    return can_manage_members(actor)


def can_see_order(actor: Actor | None, order: Order) -> bool:
    return can_see_all_orders(actor) or acts_for(actor, order.buyer_id)


def can_cancel_order(actor: Actor | None, order: Order) -> bool:
    """The buyer while it waits for payment; owners and admins too, any time before it is
    paid (the service refuses a paid one with 409)."""
    if can_see_all_orders(actor):
        return True
    return acts_for(actor, order.buyer_id) and can_write(actor)


def can_pay_demo(actor: Actor | None, order: Order) -> bool:
    """The demo's "Pay" button (a payment signed with the company's secret, where no
    provider is set up): whoever may cancel the order, while it waits for payment."""
    return order.state == Order.State.PENDING_PAYMENT and can_cancel_order(actor, order)


def can_manage_payments(actor: Actor | None) -> bool:
    return can_manage_members(actor)
