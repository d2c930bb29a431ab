from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEntry(models.Model):
    """ "Object N of this kind changed in this company": written in the same transaction as
    the change, drained into the index by a worker. The entry carries no document: the
    drain reads the object as it is then (gone or inactive means removed from the index),
    so entries can be merged and replayed in any number."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    kind = models.CharField(_("kind"), max_length=32)
    object_id = models.BigIntegerField(_("object id"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["id"]
        # The drain takes fresh entries first (attempts, id): entries that keep failing
        # never hold back the ones behind them.
        indexes = [models.Index(fields=["attempts", "id"], name="outbox_claim_order")]
        verbose_name = _("search outbox entry")
        verbose_name_plural = _("search outbox")

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class TenantSynonym(models.Model):
    """A company's own group of terms that mean the same in its searches ("アイフォン,
    iPhone, あいふぉん"), added to the built-in list at query time (apps.search.synonyms)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    terms = models.TextField(_("terms"), help_text=_("Separated by commas."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("search synonym")
        verbose_name_plural = _("search synonyms")

    def __str__(self) -> str:
        return self.terms


class DedicatedIndex(models.Model):
    """A company whose documents live in an index of their own (hybrid isolation: a big
    company moved off the shared index with `manage.py search_move_tenant`)."""

    tenant = models.OneToOneField(
        "tenants.Tenant", on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    alias = models.CharField(_("index alias"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dedicated search index")
        verbose_name_plural = _("dedicated search indices")

    def __str__(self) -> str:
        return self.alias


class IndexMirror(models.Model):
    """While a reindex or a move copies documents into `target`, the drain writes what it
    sends to `source` (for `tenant`, or for every company there) to `target` as well, so
    no change made during the copy is missing from the copy. Operators' rows."""

    source = models.CharField(_("source alias"), max_length=255)
    target = models.CharField(_("target alias"), max_length=255, unique=True)
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tenant"),
    )
    outbox_position = models.BigIntegerField(_("outbox position at the start"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("search index copy in progress")
        verbose_name_plural = _("search index copies in progress")

    def __str__(self) -> str:
        return f"{self.source} -> {self.target}"
