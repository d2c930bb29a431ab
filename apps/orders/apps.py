from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Orders with stock reservation, the signed payment webhook, and expiry of unpaid
    orders on the delayed queue."""

    name = "apps.orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from apps.accounts.perms import perm_register  # noqa: PLC0415 - after the registry
        from apps.orders.policies import can_order, can_see_all_orders  # noqa: PLC0415 - after the registry

        perm_register("order", can_order)
        perm_register("see_all_orders", can_see_all_orders)
