"""What a search found, as the company has it now: the hits' products read from PostgreSQL
(in hit order, with their highlights) and the facets' names. Used by the search API and the
catalog's search page alike."""

from typing import Any

from django.utils.html import escape

from apps.accounts.principal import Actor
from apps.catalog import selectors as catalog
from apps.catalog.models import Product
from apps.search import query


def shown_products(actor: Actor, hits: list[query.Hit]) -> list[Product]:
    """The hits' products as PostgreSQL has them now, in the hits' order, in one query (and
    one for their images); a product deleted or deactivated since it was indexed is left
    out."""
    ids = [hit.product_id for hit in hits]
    products = {p.pk: p for p in catalog.product_list(actor=actor, active=True).filter(pk__in=ids)}
    shown = []
    for hit in hits:
        product = products.get(hit.product_id)
        if product is None:
            continue
        product.search_highlight = {  # type: ignore[attr-defined]
            "name": hit.name or escape(product.name),
            "description": hit.description,
        }
        shown.append(product)
    return shown


def named_facets(actor: Actor, result: query.SearchResult) -> dict[str, Any]:
    """Counts with names from PostgreSQL; an id no longer there is left out."""
    category_ids = [c.id for c in result.categories]
    brand_ids = [b.id for b in result.brands]
    categories = (
        {c.pk: c for c in catalog.category_list(actor=actor).filter(pk__in=category_ids)}
        if category_ids
        else {}
    )
    brands = (
        {b.pk: b for b in catalog.brand_list(actor=actor).filter(pk__in=brand_ids)}
        if brand_ids
        else {}
    )
    return {
        "categories": [
            {
                "id": c.id,
                "name": categories[c.id].name,
                "path": categories[c.id].path,
                "count": c.count,
            }
            for c in result.categories
            if c.id in categories
        ],
        "brands": [
            {"id": b.id, "name": brands[b.id].name, "count": b.count}
            for b in result.brands
            if b.id in brands
        ],
        "prices": result.prices,
    }
