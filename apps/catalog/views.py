"""The catalog's pages: searching it and a product's page, for everyone in the company; and
the management pages for those who manage it (owners and admins): products a page at a
time, a product's form, the categories and brands, the CSV import. Every change goes
through the catalog services, so search learns of it through the outbox."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts.decorators import legacy_member_required
from apps.accounts.principal import Principal
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
from apps.core.errors import ServiceError, error_text, form_errors_from
from apps.core.pagination import numbered_page
from apps.core.params import int_param
from apps.files.selectors import image_url
from apps.orders.policies import can_order
from apps.search import query, results
from apps.search import selectors as search
from apps.search import services as search_services
from apps.search.errors import SearchUnavailableError
from apps.search.synonyms import parse_terms

PAGE_SIZE = 25


def _manager(membership: Any) -> Principal:
    principal = Principal.of_membership(membership)
    if not can_manage_catalog(principal):
        raise PermissionDenied
    return principal


@accepts_body_up_to(imports.MAX_BYTES + FORM_ENVELOPE_BYTES, error=ImportTooLargeError)
@legacy_member_required()
def manage_view(request: HttpRequest, membership: Any) -> HttpResponse:
    """Products newest first, a page at a time; categories and brands with their forms."""
    principal = _manager(membership)
    categories = list(selectors.category_list())
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
        done = _import(request, membership, principal, import_form, row_errors)
        if done is not None:
            return done
    elif request.method == "POST" and request.POST.get("action", "").endswith("synonym"):
        done = _synonyms_post(request, membership, principal, synonym_form)
        if done is not None:
            return done
    elif request.method == "POST":
        done = _manage_post(request, membership, principal, category_form, brand_form)
        if done is not None:
            return done
    return render(
        request,
        "catalog/manage.html",
        {
            "products": numbered_page(
                selectors.product_list(), number=int_param(request.GET.get("page")), size=PAGE_SIZE
            ),
            "categories": categories,
            "brands": list(selectors.brand_list()),
            "category_form": category_form,
            "brand_form": brand_form,
            "import_form": import_form,
            "row_errors": row_errors,
            "synonyms": list(search.synonym_list(tenant_id=membership.tenant_id)),
            "synonym_form": synonym_form,
        },
    )


def _synonyms_post(
    request: HttpRequest, membership: Any, principal: Principal, form: SynonymForm
) -> HttpResponse | None:
    """Add or delete a group of synonyms (applied from the next search on)."""
    if request.POST.get("action") == "delete-synonym":
        synonym = search.synonym_get(
            tenant_id=membership.tenant_id, synonym_id=int_param(request.POST.get("id"))
        )
        if synonym is None:
            raise Http404
        search_services.synonym_delete(actor=principal, synonym=synonym)
        messages.success(request, _("Synonyms “%(terms)s” deleted.") % {"terms": synonym.terms})
        return redirect("catalog-manage")
    if not form.is_valid():
        return None
    try:
        synonym = search_services.synonym_create(
            tenant=membership.tenant,
            actor=principal,
            terms=parse_terms(form.cleaned_data["terms"]),
        )
    except ValidationError as exc:
        form_errors_from(form, exc)
        return None
    messages.success(request, _("Synonyms “%(terms)s” added.") % {"terms": synonym.terms})
    return redirect("catalog-manage")


def _import(
    request: HttpRequest,
    membership: Any,
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
            tenant=membership.tenant, actor=principal, file=form.cleaned_data["file"]
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
    request: HttpRequest,
    membership: Any,
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
            gone = selectors.category_get(category_id=int_param(request.POST.get("id")))
            if gone is None:
                raise Http404
            services.category_delete(actor=principal, category=gone)
            messages.success(request, _("Category “%(name)s” deleted.") % {"name": gone.path})
        elif action == "delete-brand":
            dropped = selectors.brand_get(brand_id=int_param(request.POST.get("id")))
            if dropped is None:
                raise Http404
            services.brand_delete(actor=principal, brand=dropped)
            messages.success(request, _("Brand “%(name)s” deleted.") % {"name": dropped.name})
        else:
            return None
    except ValidationError as exc:
        form_errors_from(category_form if action == "category" else brand_form, exc)
        return None
    except ServiceError as exc:
        messages.error(request, error_text(exc))
    return redirect("catalog-manage")


@legacy_member_required()
def product_edit_view(
    request: HttpRequest, membership: Any, product_id: int | None = None
) -> HttpResponse:
    """A new product, or one to change or delete."""
    principal = _manager(membership)
    product: Product | None = None
    if product_id is not None:
        product = selectors.product_get(product_id=product_id)
        if product is None:
            raise Http404
    if request.method == "POST" and request.POST.get("action") == "delete" and product:
        services.product_delete(tenant=membership.tenant, actor=principal, product=product)
        messages.success(request, _("“%(name)s” deleted.") % {"name": product.name})
        return redirect("catalog-manage")
    initial = (
        {
            "name": product.name,
            "sku": product.sku,
            "price": product.price,
            "stock": product.stock,
            "category_id": product.category_id,
            "brand_id": product.brand_id,
            "description": product.description,
            "active": product.active,
        }
        if product
        else None
    )
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        categories=list(selectors.category_list()),
        brands=list(selectors.brand_list()),
    )
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                product = services.product_create(
                    tenant=membership.tenant, actor=principal, fields=form.cleaned_data
                )
                messages.success(request, _("“%(name)s” added.") % {"name": product.name})
            else:
                services.product_update(
                    tenant=membership.tenant,
                    actor=principal,
                    product=product,
                    changes=form.cleaned_data,
                )
                messages.success(request, _("“%(name)s” saved.") % {"name": product.name})
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return redirect("catalog-manage")
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


# The catalog as everyone in the company sees it ----------------------------------------


@legacy_member_required()
def catalog_view(request: HttpRequest, membership: Any) -> HttpResponse:
    """Search the company's products: what matched highlighted, facets with counts beside
    each choice, a price range, a sort, pages; suggestions as people type."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {
        "form": form,
        "may_manage": _may_manage(membership),
        "may_order": can_order(Principal.of_membership(membership)),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "catalog/catalog.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    try:
        result = query.product_search(
            tenant_id=membership.tenant_id,
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
            "products": results.shown_products(result.hits),
            "facets": results.named_facets(result),
            "page": page,
            "has_next": page * SEARCH_PAGE_SIZE < result.total,
            "chosen": data,
        }
    )
    return render(request, "catalog/catalog.html", context)


def _may_manage(membership: Any) -> bool:
    return can_manage_catalog(Principal.of_membership(membership))


@legacy_member_required()
def suggest_view(request: HttpRequest, membership: Any) -> HttpResponse:
    """The suggestions under the search box (an htmx fragment), up to 10 product names."""
    q = (request.GET.get("q") or "")[: query.MAX_QUERY_LENGTH]
    try:
        suggestions = query.product_suggest(tenant_id=membership.tenant_id, q=q)
    except SearchUnavailableError:
        suggestions = []
    return render(request, "catalog/suggestions.html", {"suggestions": suggestions})


@legacy_member_required()
def product_view(request: HttpRequest, membership: Any, product_id: int) -> HttpResponse:
    product = selectors.product_get(product_id=product_id)
    if product is None or (not product.active and not _may_manage(membership)):
        raise Http404
    images = [
        (image_url(file=f, key=f.display_key), image_url(file=f, key=f.thumbnail_key))
        for f in product.images.all()
    ]
    return render(
        request,
        "catalog/product.html",
        {
            "product": product,
            "images": images,
            "may_manage": _may_manage(membership),
            "may_order": can_order(Principal.of_membership(membership)),
        },
    )
