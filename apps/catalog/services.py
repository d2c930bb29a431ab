"""Writes on the catalog. Every write that changes what search shows adds outbox entries in
its own transaction (apps.search), so the index learns of each committed change, whether or
not Elasticsearch is up at that moment."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from apps.accounts.principal import Actor
from apps.audit.services import audit_record
from apps.catalog.errors import InUseError, OutOfStockError
from apps.catalog.models import MAX_DESCRIPTION, Brand, Category, Product, ProductImage
from apps.catalog.policies import can_manage_catalog
from apps.catalog.selectors import product_ids_in
from apps.core.errors import NotAllowedError, RefusedInputError, TakenError
from apps.files.selectors import file_ready_list
from apps.search.services import outbox_add
from apps.tenants.models import Tenant

PRODUCT = "product"
MAX_IMAGES = 10
PRODUCT_FIELDS = frozenset(
    {
        "name",
        "description",
        "category_id",
        "brand_id",
        "price",
        "tax_class",
        "stock",
        "sku",
        "active",
    }
)


def _check(actor: Actor) -> None:
    if not can_manage_catalog(actor):
        raise NotAllowedError(_("Only owners and admins change the catalog."))


def _indexed(tenant: Tenant, product_ids: Iterable[int]) -> None:
    outbox_add(tenant=tenant, kind=PRODUCT, object_ids=product_ids)


def _save(instance: Any, *, unique_field: str, message: str) -> None:
    """Validate and save; a unique value taken, before or at the same moment elsewhere, is
    a TakenError (409) on `unique_field` (a constraint over several fields would name none):
    the database tells, so the check cannot race."""
    instance.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise TakenError({unique_field: [message]}) from None


# Categories ---------------------------------------------------------------------------------


def _parent(parent_id: int | None, *, of: Category | None = None) -> Category | None:
    """The parent `parent_id` names for the category `of` (None: a new one); what the
    request cannot know (no such category, not a top-level one) is a RefusedInputError, as
    Category.clean would say it."""
    if parent_id is None:
        return None
    parent = Category.objects.filter(pk=parent_id).first()
    if parent is None:
        raise RefusedInputError({"parent_id": [_("No such category.")]})
    if of is not None and parent.pk == of.pk:
        raise RefusedInputError({"parent_id": [_("A category cannot be its own parent.")]})
    if parent.parent_id is not None:
        message = _("Categories have two levels: choose a top-level parent.")
        raise RefusedInputError({"parent_id": [message]})
    return parent


@transaction.atomic
def category_create(*, actor: Actor, name: str, parent_id: int | None = None) -> Category:
    _check(actor)
    category = Category(name=name.strip(), parent=_parent(parent_id))
    _save(category, unique_field="name", message=_("A category of this name is there."))
    return category


@transaction.atomic
def category_update(
    *,
    tenant: Tenant,
    actor: Actor,
    category: Category,
    name: str | None = None,
    parent_id: int | None = None,
    move: bool = False,
) -> Category:
    """Rename a category, or with `move` put it under `parent_id` (None: top level). Its
    products (and its subcategories') are reindexed: their category path changed."""
    _check(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    if name is not None:
        category.name = name.strip()
    if move:
        category.parent = _parent(parent_id, of=category)
        if category.parent is not None and category.children.exists():
            raise RefusedInputError(
                {"parent_id": [_("A category with subcategories stays at the top level.")]}
            )
    _save(category, unique_field="name", message=_("A category of this name is there."))
    _indexed(tenant, product_ids_in(category_id=category.pk))
    return category


@transaction.atomic
def category_delete(*, actor: Actor, category: Category) -> None:
    """Delete a category that no product or subcategory uses (409 otherwise)."""
    _check(actor)
    try:
        with transaction.atomic():
            category.delete()
    except ProtectedError:
        raise InUseError(
            _("Products or subcategories are in this category; move them first.")
        ) from None


# Brands -------------------------------------------------------------------------------------


@transaction.atomic
def brand_create(*, actor: Actor, name: str) -> Brand:
    _check(actor)
    brand = Brand(name=name.strip())
    _save(brand, unique_field="name", message=_("A brand of this name is there."))
    return brand


@transaction.atomic
def brand_update(*, tenant: Tenant, actor: Actor, brand: Brand, name: str) -> Brand:
    """Rename a brand; its products are reindexed."""
    _check(actor)
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    brand.name = name.strip()
    _save(brand, unique_field="name", message=_("A brand of this name is there."))
    _indexed(tenant, product_ids_in(brand_id=brand.pk))
    return brand


@transaction.atomic
def brand_delete(*, actor: Actor, brand: Brand) -> None:
    _check(actor)
    try:
        with transaction.atomic():
            brand.delete()
    except ProtectedError:
        raise InUseError(_("Products are of this brand; change them first.")) from None


# Products -----------------------------------------------------------------------------------


def _apply(product: Product, changes: Mapping[str, Any]) -> None:
    unknown = set(changes) - PRODUCT_FIELDS
    if unknown:
        raise ValueError(f"not product fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(product, field, value.strip() if isinstance(value, str) else value)
    for field, model, message in (
        ("category_id", Category, _("No such category.")),
        ("brand_id", Brand, _("No such brand.")),
    ):
        chosen = changes.get(field)
        if chosen is not None and not model.objects.filter(pk=chosen).exists():
            raise RefusedInputError({field: [message]})
    if len(product.description) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "description": [
                    _("At most %(max)d characters.") % {"max": MAX_DESCRIPTION},
                ]
            }
        )


def _images(product: Product, *, actor: Actor, image_ids: Sequence[UUID]) -> None:
    """Show the images `image_ids` names, in that order (the first is the main image): ready
    images of the company only, else a RefusedInputError (422) naming `image_ids`."""
    unique = list(dict.fromkeys(image_ids))
    if len(unique) > MAX_IMAGES:
        raise ValidationError({"image_ids": [_("At most %(max)d images.") % {"max": MAX_IMAGES}]})
    files = file_ready_list(actor=actor, file_ids=unique) if unique else []
    if len(files) != len(unique) or any(f.width is None for f in files):
        raise RefusedInputError({"image_ids": [_("Choose ready images of this company.")]})
    ProductImage.objects.filter(product=product).delete()
    ProductImage.objects.bulk_create(
        ProductImage(product=product, file_id=file_id, position=position)
        for position, file_id in enumerate(unique)
    )


SKU_TAKEN = gettext_noop("A product with this SKU is there.")


@transaction.atomic
def product_create(
    *,
    tenant: Tenant,
    actor: Actor,
    fields: Mapping[str, Any],
    image_ids: Sequence[UUID] = (),
) -> Product:
    """A product from `fields` (name, price and sku required; see PRODUCT_FIELDS)."""
    _check(actor)
    product = Product()
    _apply(product, fields)
    _save(product, unique_field="sku", message=_(SKU_TAKEN))
    _images(product, actor=actor, image_ids=image_ids)
    _indexed(tenant, [product.pk])
    return product


@transaction.atomic
def product_update(
    *,
    tenant: Tenant,
    actor: Actor,
    product: Product,
    changes: Mapping[str, Any],
    image_ids: Sequence[UUID] | None = None,
) -> Product:
    _check(actor)
    product = Product.objects.select_for_update().get(pk=product.pk)
    _apply(product, changes)
    _save(product, unique_field="sku", message=_(SKU_TAKEN))
    if image_ids is not None:
        _images(product, actor=actor, image_ids=image_ids)
    _indexed(tenant, [product.pk])
    return product


@transaction.atomic
def product_delete(*, tenant: Tenant, actor: Actor, product: Product) -> None:
    _check(actor)
    pk = product.pk
    product.delete()
    audit_record(
        action="product.deleted",
        tenant=tenant,
        principal=actor,
        target=f"{product.sku} {product.name}",
    )
    _indexed(tenant, [pk])


# Stock ----------------------------------------------------------------------------------------


@transaction.atomic
def stock_reserve(*, tenant: Tenant, quantities: Mapping[int, int]) -> list[Product]:
    """Take `quantities` (product id -> units) off the stock of active products, all or
    none: one conditional UPDATE a product, in id order (so two orders never wait for each
    other in a circle), each only where enough is left. The first product short raises
    OutOfStockError naming it, and every line taken before is put back with the
    transaction. Returns the products, locked until the caller's transaction ends, with
    the names and prices the order copies."""
    for product_id in sorted(quantities):
        taken = Product.objects.filter(
            pk=product_id, active=True, stock__gte=quantities[product_id]
        ).update(stock=F("stock") - quantities[product_id])
        if not taken:
            name = Product.objects.filter(pk=product_id).values_list("name", flat=True).first()
            raise OutOfStockError(
                _("Not enough stock of %(name)s.") % {"name": name or product_id},
                product_id=product_id,
            )
    _indexed(tenant, sorted(quantities))
    return list(Product.objects.filter(pk__in=quantities).order_by("pk"))


@transaction.atomic
def stock_return(*, tenant: Tenant, quantities: Mapping[int, int]) -> None:
    """Put back the stock an order had reserved (products deleted since are skipped)."""
    for product_id in sorted(quantities):
        Product.objects.filter(pk=product_id).update(stock=F("stock") + quantities[product_id])
    _indexed(tenant, sorted(quantities))
