from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from apps.core.metrics import scrape_collector_register


class JobsConfig(AppConfig):
    """The durable delayed queue: job rows in the public schema, run through Celery."""

    name = "apps.jobs"
    verbose_name = _("Delayed jobs")

    def ready(self) -> None:
        # Each app registers its handlers in its `jobs` module.
        autodiscover_modules("jobs")
        # Models load only once the app registry is ready: after this module.
        from apps.jobs.metrics import JobsCollector  # noqa: PLC0415

        scrape_collector_register("jobs", JobsCollector())
