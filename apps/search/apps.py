from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import scrape_collector_register
from apps.core.readiness import backlog_register


class SearchConfig(AppConfig):
    """Search infrastructure shared by every company: the outbox that carries changes to
    Elasticsearch (public schema, keyed by tenant)."""

    name = "apps.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Models load only once the app registry is ready: after this module.
        from apps.search.metrics import OutboxCollector  # noqa: PLC0415
        from apps.search.selectors import outbox_lag  # noqa: PLC0415

        scrape_collector_register("search_outbox", OutboxCollector())
        backlog_register("search_outbox", outbox_lag)
