"""The Celery app. Tasks carry the schema they were sent from (tenant-schemas-celery)
and run inside that tenant's schema on the worker."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = CeleryApp("kura")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
