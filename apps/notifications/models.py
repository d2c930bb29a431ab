from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.fields import person_field


class Notification(models.Model):
    """Something a person should see, in one company (tenant schema)."""

    user = person_field()
    kind = models.CharField(_("kind"), max_length=32)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            # The feed's pages (apps.core.pagination.cursor_page on `-created_at, -id`).
            models.Index(fields=["user", "-created_at", "-id"]),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title
