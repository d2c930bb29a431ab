from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """Uploads straight to object storage."""

    name = "apps.files"
    verbose_name = _("Files")
