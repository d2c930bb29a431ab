"""Reads on the catalog: the company's categories, brands and products, for anyone in it
(apps.catalog.policies); the reads search and orders make for their own use, once their
actor is authorized, take what they read by."""

from collections.abc import Collection

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.accounts.principal import Actor
from apps.catalog.models import Brand, Category, Product, ProductImage
from apps.catalog.policies import can_see_catalog
from apps.core.errors import NotAllowedError, NotFoundError
from apps.files.models import File
from apps.files.selectors import file_images_ready

PRODUCT_ORDERING = ("-created_at", "-id")


def _with_images() -> Prefetch:
    """A product's images in their order, with their files, in one query for all products
    read (Product.image_files)."""
    return Prefetch("image_links", queryset=ProductImage.objects.select_related("file"))


def _reader(actor: Actor) -> None:
    if not can_see_catalog(actor):
        raise NotAllowedError(_("Only the company's people and keys read its catalog."))


def category_list(*, actor: Actor) -> QuerySet[Category]:
    """Each top-level category followed by its subcategories, in name order."""
    _reader(actor)
    return Category.objects.select_related("parent").order_by(
        Coalesce("parent__name", "name"), F("parent_id").asc(nulls_first=True), "name", "id"
    )


def category_get(*, actor: Actor, category_id: int) -> Category:
    """NotFoundError for an id the company has no category of."""
    _reader(actor)
    category = Category.objects.select_related("parent").filter(pk=category_id).first()
    if category is None:
        raise NotFoundError
    return category


def brand_list(*, actor: Actor) -> QuerySet[Brand]:
    _reader(actor)
    return Brand.objects.order_by("name", "id")


def brand_get(*, actor: Actor, brand_id: int) -> Brand:
    """NotFoundError for an id the company has no brand of."""
    _reader(actor)
    brand = Brand.objects.filter(pk=brand_id).first()
    if brand is None:
        raise NotFoundError
    return brand


def product_list(
    *,
    actor: Actor,
    category_id: int | None = None,
    brand_id: int | None = None,
    active: bool | None = None,
) -> QuerySet[Product]:
    """Newest first. A top-level category lists the products of its subcategories too."""
    _reader(actor)
    products = Product.objects.select_related("category__parent", "brand").prefetch_related(
        _with_images()
    )
    if category_id is not None:
        products = products.filter(category_id__in=_category_and_children(category_id))
    if brand_id is not None:
        products = products.filter(brand_id=brand_id)
    if active is not None:
        products = products.filter(active=active)
    return products.order_by(*PRODUCT_ORDERING)


def _category_and_children(category_id: int) -> QuerySet[Category, int]:
    return Category.objects.filter(Q(pk=category_id) | Q(parent_id=category_id)).values_list(
        "pk", flat=True
    )


def product_get(*, actor: Actor, product_id: int) -> Product:
    """NotFoundError for an id the company has no product of."""
    _reader(actor)
    product = (
        Product.objects.select_related("category__parent", "brand")
        .prefetch_related(_with_images())
        .filter(pk=product_id)
        .first()
    )
    if product is None:
        raise NotFoundError
    return product


IMAGE_CHOICES = 48


def product_image_choices(
    *, actor: Actor, product: Product | None, limit: int = IMAGE_CHOICES
) -> list[File]:
    """The images a product's form offers: the product's own in their order, then the
    company's newest other ready images (up to `limit`), each with its thumbnail made."""
    _reader(actor)
    own = product.image_files if product is not None else []
    others = file_images_ready(actor=actor, excluding=[f.pk for f in own], limit=limit)
    return [*own, *others]


def product_ids_in(*, category_id: int | None = None, brand_id: int | None = None) -> list[int]:
    """The products a change of a category (with its subcategories) or brand touches."""
    products = Product.objects.all()
    if category_id is not None:
        products = products.filter(category_id__in=_category_and_children(category_id))
    if brand_id is not None:
        products = products.filter(brand_id=brand_id)
    return list(products.values_list("pk", flat=True))


def product_ids_on_sale(*, product_ids: list[int]) -> set[int]:
    """Those of `product_ids` that exist and are active (what an order may name)."""
    return set(Product.objects.filter(pk__in=product_ids, active=True).values_list("pk", flat=True))


def products_by_id(*, actor: Actor, product_ids: list[int]) -> dict[int, Product]:
    """Those of `product_ids` that exist, active or not, by id, with their images (a cart's
    lines, in two queries)."""
    _reader(actor)
    products = Product.objects.filter(pk__in=product_ids).prefetch_related(_with_images())
    return {product.pk: product for product in products}


def _indexable() -> QuerySet[Product]:
    """Active products with what their search documents show (category path, brand)."""
    return Product.objects.filter(active=True).select_related("category__parent", "brand")


def products_to_index(*, product_ids: Collection[int]) -> list[Product]:
    """The active products among `product_ids`, ready for their search documents (one
    query); the others are gone from search."""
    return list(_indexable().filter(pk__in=list(product_ids)))


def products_to_index_after(*, after: int, limit: int) -> list[Product]:
    """Up to `limit` active products with ids above `after`, by id: a rebuild's next chunk."""
    return list(_indexable().filter(pk__gt=after).order_by("pk")[:limit])


def product_ids_active() -> set[int]:
    """Every active product's id: what search should have documents for."""
    return set(Product.objects.filter(active=True).values_list("pk", flat=True))
