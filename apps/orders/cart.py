"""The cart: what a person means to order, kept in their session (product id → quantity)
until they check out. Nothing is reserved until the order is placed; names, prices and
whether a product is still on sale are read from the catalog each time the cart is shown."""

from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase

from apps.accounts.principal import Actor
from apps.catalog.models import Product
from apps.catalog.selectors import products_by_id
from apps.orders.models import MAX_LINES, MAX_QUANTITY

SESSION_KEY = "cart"


@dataclass(frozen=True)
class CartLine:
    product_id: int
    quantity: int
    product: Product | None  # None: gone from the catalog

    @property
    def available(self) -> bool:
        return self.product is not None and self.product.active

    @property
    def subtotal(self) -> int:
        return self.product.price * self.quantity if self.available and self.product else 0


def cart_quantities(session: SessionBase) -> dict[int, int]:
    """The cart as kept: anything that is not a product id and a quantity in range is left
    out (a session is ours, but may hold what an older version put there)."""
    raw = session.get(SESSION_KEY)
    if not isinstance(raw, dict):
        return {}
    quantities: dict[int, int] = {}
    for key, quantity in raw.items():
        if str(key).isdigit() and isinstance(quantity, int) and 1 <= quantity <= MAX_QUANTITY:
            quantities[int(key)] = quantity
    return dict(list(quantities.items())[:MAX_LINES])


def cart_save(session: SessionBase, quantities: dict[int, int]) -> None:
    session[SESSION_KEY] = {str(product_id): q for product_id, q in quantities.items()}


def cart_lines(session: SessionBase, *, actor: Actor) -> list[CartLine]:
    """The cart's lines in the order they were added, each with its product as the actor
    reads the catalog (one query)."""
    quantities = cart_quantities(session)
    products = products_by_id(actor=actor, product_ids=list(quantities)) if quantities else {}
    return [
        CartLine(product_id=product_id, quantity=quantity, product=products.get(product_id))
        for product_id, quantity in quantities.items()
    ]
