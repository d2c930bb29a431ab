from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Each company's append-only, hash-chained log of security events and admin actions
    (public schema, keyed by tenant; the operators' own actions outside any company form a
    chain of their own)."""

    name = "apps.audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Connects the admin and sign-in hooks; it imports models, loaded after this module.
        from apps.audit import receivers  # noqa: F401, PLC0415
