"""Reads on the companies' synonyms (public rows under row-level security, filtered by
company here too)."""

from django.db.models import QuerySet

from apps.search.models import TenantSynonym
from apps.search.synonyms import BUILT_IN, SynonymTable, parse_terms


def synonym_list(*, tenant_id: int) -> QuerySet[TenantSynonym]:
    return TenantSynonym.objects.filter(tenant_id=tenant_id).order_by("id")


def synonym_get(*, tenant_id: int, synonym_id: int) -> TenantSynonym | None:
    return synonym_list(tenant_id=tenant_id).filter(pk=synonym_id).first()


def synonym_table(*, tenant_id: int) -> SynonymTable:
    """The built-in groups and the company's own, in one query."""
    own = [
        parse_terms(terms)
        for terms in synonym_list(tenant_id=tenant_id).values_list("terms", flat=True)
    ]
    return SynonymTable([*BUILT_IN, *own])
