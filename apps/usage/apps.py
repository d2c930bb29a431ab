from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    """What each company uses, day by day (API requests, jobs run, storage, search
    documents): public rows keyed by tenant, for fair allocation and the plan's limits."""

    name = "apps.usage"
    verbose_name = _("Usage")

    def ready(self) -> None:
        # Policies import models, loaded only once the app registry is ready.
        from apps.accounts.perms import perm_register  # noqa: PLC0415 - after the registry
        from apps.usage.policies import can_see_usage  # noqa: PLC0415 - after the registry

        perm_register("see_usage", can_see_usage)
