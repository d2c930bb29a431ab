from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Search infrastructure shared by every company: the outbox that carries changes to
    Elasticsearch (public schema, keyed by tenant)."""

    name = "apps.search"
    verbose_name = _("Search")
