"""Reads of the search app: the companies' synonyms (public rows under row-level security,
filtered by company here too) and how far the index is behind the outbox."""

from typing import TypedDict

from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.principal import Actor
from apps.core.errors import NotAllowedError, NotFoundError
from apps.search.models import OutboxEntry, TenantSynonym
from apps.search.policies import can_search
from apps.search.synonyms import BUILT_IN, SynonymTable, parse_terms
from apps.tenants.rowsecurity import operator_context


def _synonyms(tenant_id: int) -> QuerySet[TenantSynonym]:
    return TenantSynonym.objects.filter(tenant_id=tenant_id).order_by("id")


def synonym_list(*, actor: Actor) -> QuerySet[TenantSynonym]:
    """The actor's company's own groups of synonyms (everyone who searches reads them)."""
    if not can_search(actor):
        raise NotAllowedError(_("Only the company's people and keys read its catalog."))
    return _synonyms(actor.tenant_id)


def synonym_get(*, actor: Actor, synonym_id: int) -> TenantSynonym:
    """NotFoundError for an id the actor's company has no synonyms of."""
    synonym = synonym_list(actor=actor).filter(pk=synonym_id).first()
    if synonym is None:
        raise NotFoundError
    return synonym


def synonym_table(*, tenant_id: int) -> SynonymTable:
    """The built-in groups and the company's own, in one query: what a search the company's
    actor was allowed applies (apps.search.query)."""
    own = [parse_terms(terms) for terms in _synonyms(tenant_id).values_list("terms", flat=True)]
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
