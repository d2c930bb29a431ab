"""Who may search and who keeps the company's synonyms: the catalog's own rules (search
shows the catalog; synonyms change what it finds)."""

from apps.accounts.principal import Principal
from apps.catalog.policies import can_manage_catalog, can_see_catalog


def can_search(principal: Principal | None) -> bool:
    return can_see_catalog(principal)


def can_manage_synonyms(principal: Principal | None) -> bool:
    return can_manage_catalog(principal)
