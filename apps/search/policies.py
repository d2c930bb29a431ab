"""Who may search and who keeps the company's synonyms: the catalog's own rules (search
shows the catalog; synonyms change what it finds)."""

from apps.accounts.principal import Actor
from apps.catalog.policies import can_manage_catalog, can_see_catalog


def can_search(actor: Actor | None) -> bool:
    return can_see_catalog(actor)


def can_manage_synonyms(actor: Actor | None) -> bool:
    return can_manage_catalog(actor)
