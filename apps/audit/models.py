from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.audit.actions import action_label


class AuditEntry(models.Model):
    """One thing that happened, chained to the entry before it in the same company's log.

    `hash` covers every field below and the previous entry's hash (apps/audit/chain.py), so
    an entry changed, removed or inserted after the fact breaks the chain from there on.
    The application's database role may only insert and read these rows.
    """

    tenant = models.ForeignKey(
        "tenants.Tenant",
        # The log outlives the company and the person: ids stay, with no foreign key to break.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
        help_text=_("Empty: operators' actions outside any company, and the public site."),
    )
    seq = models.PositiveBigIntegerField(_("number"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The actor's email when it happened: the entry keeps saying who, whatever happens to them.
    actor_label = models.CharField(_("by (as recorded)"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64)
    target = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    ip = models.CharField(_("address"), max_length=45, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "seq"], name="audit_entry_unique_seq", nulls_distinct=False
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "action", "-seq"], name="audit_entry_action"),
            models.Index(fields=["tenant", "actor", "-seq"], name="audit_entry_actor"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    @property
    def label(self) -> str:
        """The action as people read it (apps/audit/actions.py)."""
        return action_label(self.action)
