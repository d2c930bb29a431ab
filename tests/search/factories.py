import factory

from apps.search.models import IndexMirror, OutboxEntry, TenantSynonym


class OutboxEntryFactory(factory.django.DjangoModelFactory):
    """A product's change waiting for the drain (outbox_add writes these on commit)."""

    class Meta:
        model = OutboxEntry

    kind = "product"


class TenantSynonymFactory(factory.django.DjangoModelFactory):
    """A company's synonyms row alone: synonym_create also updates Elasticsearch."""

    class Meta:
        model = TenantSynonym


class IndexMirrorFactory(factory.django.DjangoModelFactory):
    """What a reindex leaves while it runs: writes to `source` go to `target` too."""

    class Meta:
        model = IndexMirror
