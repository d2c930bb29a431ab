from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    """What each company uses, day by day (API requests, jobs run, storage, search
    documents): public rows keyed by tenant, for fair allocation and the plan's limits."""

    name = "apps.usage"
    verbose_name = _("Usage")
