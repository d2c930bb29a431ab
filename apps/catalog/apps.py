from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, orders and search."""

    name = "apps.catalog"
    verbose_name = _("Catalog")
