from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    """Products, orders and search."""

    name = "apps.catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from apps.accounts.perms import perm_register  # noqa: PLC0415 - after the registry
        from apps.catalog.policies import can_manage_catalog  # noqa: PLC0415 - after the registry

        perm_register("manage_catalog", can_manage_catalog)
