from django.apps import AppConfig
from django.core.signals import setting_changed
from django.utils.translation import gettext_lazy as _

from apps.core.objectstore import s3_client


def _forget_clients(**_kwargs: object) -> None:
    s3_client.cache_clear()


class CoreConfig(AppConfig):
    """Pieces every app shares: error shape, health checks, the web shell."""

    name = "apps.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Clients are built once from settings; a settings override must rebuild them.
        setting_changed.connect(_forget_clients, dispatch_uid="core_forget_clients")
