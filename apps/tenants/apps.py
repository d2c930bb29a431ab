from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    """Companies (tenants), their domains and schemas."""

    name = "apps.tenants"
    verbose_name = _("Tenants")
