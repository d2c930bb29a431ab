"""Reads of the search app: the companies' synonyms (public rows under row-level security,
filtered by company here too) and how far the index is behind the outbox."""

from typing import TypedDict

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from apps.search.models import OutboxEntry, TenantSynonym
from apps.search.synonyms import BUILT_IN, SynonymTable, parse_terms
from apps.tenants.rowsecurity import operator_context


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


class OutboxLag(TypedDict):
    waiting: int
    oldest_seconds: float | None


def outbox_lag() -> OutboxLag:
    """How far the index is behind: entries waiting (every company's) and the oldest one's
    age in seconds (None when the outbox is empty)."""
    with operator_context():
        found = OutboxEntry.objects.aggregate(waiting=Count("id"), oldest=Min("created_at"))
    oldest = found["oldest"]
    return {
        "waiting": found["waiting"],
        "oldest_seconds": None
        if oldest is None
        else round((timezone.now() - oldest).total_seconds(), 3),
    }
