from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """Orders with stock reservation, the signed payment webhook, and expiry of unpaid
    orders on the delayed queue."""

    name = "apps.orders"
    verbose_name = _("Orders")
