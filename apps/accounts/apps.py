from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People (one global account each) and their memberships in tenants."""

    name = "apps.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Schema extensions, and the signals that keep the access cache true.
        # They import models, loaded only once the app registry is ready: after this module.
        from apps.accounts import access_cache, openapi  # noqa: F401, PLC0415
