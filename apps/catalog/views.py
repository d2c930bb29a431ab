"""The catalog's pages: searching it and a product's page, for everyone in the company; and
the management pages for those who manage it (owners and admins): products a page at a
time, a product's form, the categories and brands, the CSV import. Every change goes
through the catalog services, so search learns of it through the outbox."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.decorators import member_required
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.catalog import imports, selectors, services
from apps.catalog.errors import ImportInvalidError, ImportTooLargeError
from apps.catalog.forms import (
    SEARCH_PAGE_SIZE,
    BrandForm,
    CategoryForm,
    ImportForm,
    ProductForm,
    SearchForm,
    SynonymForm,
)
from apps.catalog.imports import products_import
from apps.catalog.models import Product
from apps.catalog.policies import can_manage_catalog
from apps.core.bodies import FORM_ENVELOPE_BYTES, accepts_body_up_to
from apps.core.errors import NotFoundError, ServiceError, error_text, form_errors_from
from apps.core.pagination import numbered_page
from apps.core.params import int_param
from apps.files.selectors import image_url
from apps.search import query, results
from apps.search import selectors as search
from apps.search import services as search_services
from apps.search.errors import SearchUnavailableError
from apps.search.synonyms import parse_terms

PAGE_SIZE = 25


def _manager(principal: Principal) -> None:
    if not can_manage_catalog(principal):
        raise PermissionDenied


@accepts_body_up_to(imports.MAX_BYTES + FORM_ENVELOPE_BYTES, error=ImportTooLargeError)
@member_required()
def manage_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Products newest first, a page at a time; categories and brands with their forms."""
    _manager(principal)
    categories = list(selectors.category_list(actor=principal))
    tops = [c for c in categories if c.parent_id is None]
    category_form = CategoryForm(
        request.POST if request.POST.get("action") == "category" else None, tops=tops
    )
    brand_form = BrandForm(request.POST if request.POST.get("action") == "brand" else None)
    synonym_form = SynonymForm(request.POST if request.POST.get("action") == "synonym" else None)
    importing = request.POST.get("action") == "import"
    import_form = ImportForm(request.POST if importing else None, request.FILES or None)
    row_errors: list[str] = []
    if request.method == "POST" and importing:
        done = _import(request, principal, import_form, row_errors)
        if done is not None:
            return done
    elif request.method == "POST" and request.POST.get("action", "").endswith("synonym"):
        done = _synonyms_post(request, principal, synonym_form)
        if done is not None:
            return done
    elif request.method == "POST":
        done = _manage_post(request, principal, category_form, brand_form)
        if done is not None:
            return done
    return render(
        request,
        "catalog/manage.html",
        {
            "products": numbered_page(
                selectors.product_list(actor=principal),
                number=int_param(request.GET.get("page")),
                size=PAGE_SIZE,
            ),
            "categories": categories,
            "brands": list(selectors.brand_list(actor=principal)),
            "category_form": category_form,
            "brand_form": brand_form,
            "import_form": import_form,
            "row_errors": row_errors,
            "synonyms": list(search.synonym_list(actor=principal)),
            "synonym_form": synonym_form,
        },
    )


def _synonyms_post(
    request: MemberRequest, principal: Principal, form: SynonymForm
) -> HttpResponse | None:
    """Add or delete a group of synonyms (applied from the next search on)."""
    if request.POST.get("action") == "delete-synonym":
        synonym = search.synonym_get(actor=principal, synonym_id=int_param(request.POST.get("id")))
        search_services.synonym_delete(actor=principal, synonym=synonym)
        messages.success(request, _("Synonyms “%(terms)s” deleted.") % {"terms": synonym.terms})
        return redirect("catalog-manage")
    if not form.is_valid():
        return None
    try:
        synonym = search_services.synonym_create(
            tenant=request.tenant,
            actor=principal,
            terms=parse_terms(form.cleaned_data["terms"]),
        )
    except ValidationError as exc:
        form_errors_from(form, exc)
        return None
    messages.success(request, _("Synonyms “%(terms)s” added.") % {"terms": synonym.terms})
    return redirect("catalog-manage")


def _import(
    request: MemberRequest,
    principal: Principal,
    form: ImportForm,
    row_errors: list[str],
) -> HttpResponse | None:
    """Import a CSV file; None when the page is shown again with why it was refused (the
    bad rows listed below the form)."""
    if not form.is_valid():
        return None
    try:
        result = products_import(
            tenant=request.tenant, actor=principal, file=form.cleaned_data["file"]
        )
    except ImportInvalidError as exc:
        form.add_error("file", exc.message)
        row_errors.extend(exc.errors.get("rows", []))
        return None
    except ServiceError as exc:
        form.add_error("file", error_text(exc))
        return None
    messages.success(
        request,
        _("Imported: %(created)d added, %(updated)d changed, %(unchanged)d unchanged.")
        % vars(result),
    )
    return redirect("catalog-manage")


def _manage_post(
    request: MemberRequest,
    principal: Principal,
    category_form: CategoryForm,
    brand_form: BrandForm,
) -> HttpResponse | None:
    """Add or delete a category or brand; None when a form is shown again with its errors."""
    action = request.POST.get("action")
    try:
        if action == "category" and category_form.is_valid():
            category = services.category_create(actor=principal, **category_form.cleaned_data)
            messages.success(request, _("Category “%(name)s” added.") % {"name": category.path})
        elif action == "brand" and brand_form.is_valid():
            brand = services.brand_create(actor=principal, **brand_form.cleaned_data)
            messages.success(request, _("Brand “%(name)s” added.") % {"name": brand.name})
        elif action == "delete-category":
            gone = selectors.category_get(
                actor=principal, category_id=int_param(request.POST.get("id"))
            )
            services.category_delete(actor=principal, category=gone)
            messages.success(request, _("Category “%(name)s” deleted.") % {"name": gone.path})
        elif action == "delete-brand":
            dropped = selectors.brand_get(
                actor=principal, brand_id=int_param(request.POST.get("id"))
            )
            services.brand_delete(actor=principal, brand=dropped)
            messages.success(request, _("Brand “%(name)s” deleted.") % {"name": dropped.name})
        else:
            return None
    except ValidationError as exc:
        form_errors_from(category_form if action == "category" else brand_form, exc)
        return None
    except NotFoundError:  # no such category or brand: the 404 page, not a message
        raise
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    return redirect("catalog-manage")


@member_required()
def product_edit_view(
    request: MemberRequest, principal: Principal, product_id: int | None = None
) -> HttpResponse:
    """A new product, or one to change or delete."""
    _manager(principal)
    product: Product | None = None
    if product_id is not None:
        product = selectors.product_get(actor=principal, product_id=product_id)
    if request.method == "POST" and request.POST.get("action") == "delete" and product:
        services.product_delete(tenant=request.tenant, actor=principal, product=product)
        messages.success(request, _("“%(name)s” deleted.") % {"name": product.name})
        return redirect("catalog-manage")
    initial = (
        {
            "name": product.name,
            "sku": product.sku,
            "price": product.price,
            "tax_class": product.tax_class,
            "stock": product.stock,
            "category_id": product.category_id,
            "brand_id": product.brand_id,
            "description": product.description,
            "active": product.active,
            "image_ids": [str(f.pk) for f in product.image_files],
            "main_image": str(product.image_files[0].pk) if product.image_files else "",
        }
        if product
        else None
    )
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        categories=list(selectors.category_list(actor=principal)),
        brands=list(selectors.brand_list(actor=principal)),
        images=selectors.product_image_choices(actor=principal, product=product),
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        image_ids = fields.pop("image_ids")
        try:
            if product is None:
                product = services.product_create(
                    tenant=request.tenant, actor=principal, fields=fields, image_ids=image_ids
                )
                messages.success(request, _("“%(name)s” added.") % {"name": product.name})
            else:
                services.product_update(
                    tenant=request.tenant,
                    actor=principal,
                    product=product,
                    changes=fields,
                    image_ids=image_ids,
                )
                messages.success(request, _("“%(name)s” saved.") % {"name": product.name})
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("catalog-manage")
    return render(
        request,
        "catalog/product_form.html",
        {"form": form, "product": product, "max_images": services.MAX_IMAGES},
    )


# The catalog as everyone in the company sees it ----------------------------------------


@member_required()
def catalog_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """Search the company's products: what matched highlighted, facets with counts beside
    each choice, a price range, a sort, pages; suggestions as people type. A filter refused
    is said beside its field (a 400) and the products are shown without it."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    refused = form.is_bound and not form.is_valid()
    data = form.usable_data() if form.is_bound else {}
    try:
        result = query.product_search(
            actor=principal,
            q=data.get("q") or "",
            category=data.get("category"),
            brand=data.get("brand"),
            price_min=data.get("price_min"),
            price_max=data.get("price_max"),
            in_stock=True if data.get("in_stock") else None,
            sort=data.get("sort") or "relevance",
            page=data.get("page") or 1,
            size=SEARCH_PAGE_SIZE,
        )
    except SearchUnavailableError:
        context["unavailable"] = True
        return render(request, "catalog/catalog.html", context, status=503)
    page = data.get("page") or 1
    context.update(
        {
            "result": result,
            "products": results.shown_products(principal, result.hits),
            "facets": results.named_facets(principal, result),
            "page": page,
            "has_next": page * SEARCH_PAGE_SIZE < result.total,
            "chosen": data,
        }
    )
    return render(request, "catalog/catalog.html", context, status=400 if refused else 200)


@member_required()
def suggest_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The suggestions under the search box (an htmx fragment), up to 10 product names."""
    q = (request.GET.get("q") or "")[: query.MAX_QUERY_LENGTH]
    try:
        suggestions = query.product_suggest(actor=principal, q=q)
    except SearchUnavailableError:
        suggestions = []
    return render(request, "catalog/suggestions.html", {"suggestions": suggestions})


@member_required()
def product_view(request: MemberRequest, principal: Principal, product_id: int) -> HttpResponse:
    product = selectors.product_get(actor=principal, product_id=product_id)
    if not product.active and not can_manage_catalog(principal):  # off sale: managers only
        raise NotFoundError
    images = [
        (display, image_url(file=f, key=f.thumbnail_key))
        for f in product.image_files
        if (display := image_url(file=f, key=f.display_key))
    ]
    return render(
        request,
        "catalog/product.html",
        {"product": product, "images": images},
    )
