"""The catalog API: categories, brands and products. Everyone in the company reads;
owners, admins and API keys that may write change it (apps.catalog.policies)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import principal_of, principal_required
from apps.catalog import imports, policies, selectors, services
from apps.catalog.errors import ImportTooLargeError
from apps.catalog.models import (
    MAX_DESCRIPTION,
    MAX_PRICE,
    MAX_STOCK,
    Brand,
    Category,
    Product,
    TaxClass,
)
from apps.core.bodies import FORM_ENVELOPE_BYTES
from apps.core.fields import ItemsField, StrictSerializer
from apps.core.openapi import error_response
from apps.core.pagination import any_style_envelope, any_style_parameters, page_data, paginate
from apps.core.params import MAX_ID
from apps.files.serializers import FileImagesSerializer
from apps.tenants.request import tenant_of

IN_USE = "Products (or subcategories) still use it."
NAME_TAKEN = "Another one has this name (`taken`, under `errors.name`)."
SKU_TAKEN = "Another product has this SKU (`taken`, under `errors.sku`)."
PARENT_REFUSED = (
    "`parent_id` names no category, one that is not at the top level, the category itself, "
    "or a category with subcategories would move under it (under `errors.parent_id`)."
)
PRODUCT_REFUSED = (
    "`category_id` or `brand_id` names nothing of this company, or `image_ids` are not its "
    "ready images (under the field)."
)
IMPORT_INVALID = (
    "A file refused as a whole (`import_invalid`): its columns (`errors.columns`), its "
    "encoding or CSV form (`errors.file`), or its rows (`errors.rows`); nothing written."
)
IMPORT_TOO_LARGE = "The file is over 10 MiB."


class CatalogPermission(BasePermission):
    """Reading for everyone in the company; changing for those who manage the catalog."""

    message = _("Only owners and admins change the catalog.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        principal = principal_of(request)
        if request.method in SAFE_METHODS:
            return policies.can_see_catalog(principal)
        return policies.can_manage_catalog(principal)


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    path = serializers.CharField()


class BrandSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProductImageSerializer(FileImagesSerializer):
    id = serializers.UUIDField()


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    sku = serializers.CharField()
    price = serializers.IntegerField(help_text=_("Yen, the consumption tax included."))
    tax_class = serializers.ChoiceField(
        choices=TaxClass.choices,
        help_text=_("`standard` (10 %) or `reduced` (8 %, food and drink)."),
    )
    tax_rate = serializers.DecimalField(max_digits=3, decimal_places=2)
    price_excluding_tax = serializers.IntegerField(
        help_text=_("Yen: the price less its tax, the tax rounded down.")
    )
    stock = serializers.IntegerField()
    active = serializers.BooleanField()
    category = CategorySerializer(allow_null=True)
    brand = BrandSerializer(allow_null=True)
    images = ProductImageSerializer(
        many=True, source="image_files", help_text=_("In order: the main image first.")
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# Categories and brands ------------------------------------------------------------------


class CategoryListApi(APIView):
    """The company's categories, top level first (GET); a new one (POST), at the top level
    or under a top-level `parent_id`."""

    permission_classes = [CatalogPermission]

    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=100)
        parent_id = _id_field(required=False, allow_null=True)

    @extend_schema(operation_id="categories_list", responses=CategorySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            CategorySerializer(
                selectors.category_list(actor=principal_required(request)), many=True
            ).data
        )

    @extend_schema(
        operation_id="categories_create",
        request=InputSerializer,
        responses={
            201: CategorySerializer,
            409: error_response(NAME_TAKEN),
            422: error_response(PARENT_REFUSED),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(
            actor=principal_required(request),
            name=data.validated_data["name"],
            parent_id=data.validated_data.get("parent_id"),
        )
        return Response(CategorySerializer(category).data, status=status.HTTP_201_CREATED)


def _category(request: Request, category_id: int) -> Category:
    return selectors.category_get(actor=principal_required(request), category_id=category_id)


class CategoryDetailApi(APIView):
    """Rename or move a category (PATCH; its products are reindexed), or delete an unused
    one (DELETE; 409 while products or subcategories use it)."""

    permission_classes = [CatalogPermission]

    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=100, required=False)
        parent_id = _id_field(
            required=False, allow_null=True, help_text=_("Move under it; null: top level.")
        )

    @extend_schema(operation_id="categories_detail", responses=CategorySerializer)
    def get(self, request: Request, category_id: int) -> Response:
        return Response(CategorySerializer(_category(request, category_id)).data)

    @extend_schema(
        operation_id="categories_update",
        request=InputSerializer,
        responses={
            200: CategorySerializer,
            409: error_response(NAME_TAKEN),
            422: error_response(PARENT_REFUSED),
        },
    )
    def patch(self, request: Request, category_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_update(
            tenant=tenant_of(request),
            actor=principal_required(request),
            category=_category(request, category_id),
            name=data.validated_data.get("name"),
            parent_id=data.validated_data.get("parent_id"),
            move="parent_id" in data.validated_data,
        )
        return Response(CategorySerializer(category).data)

    @extend_schema(
        operation_id="categories_delete",
        responses={204: None, 409: error_response(IN_USE)},
    )
    def delete(self, request: Request, category_id: int) -> Response:
        services.category_delete(
            actor=principal_required(request), category=_category(request, category_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class BrandListApi(APIView):
    """The company's brands by name (GET); a new one (POST)."""

    permission_classes = [CatalogPermission]

    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=100)

    @extend_schema(operation_id="brands_list", responses=BrandSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(
            BrandSerializer(selectors.brand_list(actor=principal_required(request)), many=True).data
        )

    @extend_schema(
        operation_id="brands_create",
        request=InputSerializer,
        responses={201: BrandSerializer, 409: error_response(NAME_TAKEN)},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        brand = services.brand_create(
            actor=principal_required(request), name=data.validated_data["name"]
        )
        return Response(BrandSerializer(brand).data, status=status.HTTP_201_CREATED)


def _brand(request: Request, brand_id: int) -> Brand:
    return selectors.brand_get(actor=principal_required(request), brand_id=brand_id)


class BrandDetailApi(APIView):
    """Rename a brand (PATCH; its products are reindexed), or delete an unused one."""

    permission_classes = [CatalogPermission]

    class InputSerializer(StrictSerializer):
        name = serializers.CharField(max_length=100)

    @extend_schema(operation_id="brands_detail", responses=BrandSerializer)
    def get(self, request: Request, brand_id: int) -> Response:
        return Response(BrandSerializer(_brand(request, brand_id)).data)

    @extend_schema(
        operation_id="brands_update",
        request=InputSerializer,
        responses={200: BrandSerializer, 409: error_response(NAME_TAKEN)},
    )
    def patch(self, request: Request, brand_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        brand = services.brand_update(
            tenant=tenant_of(request),
            actor=principal_required(request),
            brand=_brand(request, brand_id),
            name=data.validated_data["name"],
        )
        return Response(BrandSerializer(brand).data)

    @extend_schema(operation_id="brands_delete", responses={204: None, 409: error_response(IN_USE)})
    def delete(self, request: Request, brand_id: int) -> Response:
        services.brand_delete(actor=principal_required(request), brand=_brand(request, brand_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Products -------------------------------------------------------------------------------


class ProductInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=MAX_DESCRIPTION, required=False, allow_blank=True
    )
    sku = serializers.CharField(max_length=64)
    price = serializers.IntegerField(
        min_value=0, max_value=MAX_PRICE, help_text=_("Yen, the consumption tax included.")
    )
    tax_class = serializers.ChoiceField(
        choices=TaxClass.choices,
        required=False,
        help_text=_("`standard` (10 %, the default) or `reduced` (8 %, food and drink)."),
    )
    stock = serializers.IntegerField(min_value=0, max_value=MAX_STOCK, required=False)
    active = serializers.BooleanField(required=False)
    category_id = _id_field(required=False, allow_null=True)
    brand_id = _id_field(required=False, allow_null=True)
    image_ids = ItemsField(
        child=serializers.UUIDField(),
        required=False,
        max_length=services.MAX_IMAGES,
        help_text=_("Ready images of this company (files)."),
    )


class ProductUpdateSerializer(ProductInputSerializer):
    """Any of the fields: those given change."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in services.PRODUCT_FIELDS}


class ProductListApi(APIView):
    """The company's products, newest first (GET; by `page` by default, or by `cursor` or
    `after`); a new product (POST)."""

    permission_classes = [CatalogPermission]

    class FilterSerializer(serializers.Serializer):
        category = _id_field(required=False, help_text=_("With its subcategories."))
        brand = _id_field(required=False)
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="products_list",
        parameters=[FilterSerializer, *any_style_parameters()],
        responses=any_style_envelope(ProductSerializer),
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        products = selectors.product_list(
            actor=principal_required(request),
            category_id=filters.validated_data.get("category"),
            brand_id=filters.validated_data.get("brand"),
            active=filters.validated_data["active"],
        )
        page = paginate(
            products,
            request.query_params,
            endpoint="products_list",
            ordering=selectors.PRODUCT_ORDERING,
            filters=filters.validated_data,
            default="offset",
        )
        return Response(page_data(page, ProductSerializer))

    @extend_schema(
        operation_id="products_create",
        request=ProductInputSerializer,
        responses={
            201: ProductSerializer,
            409: error_response(SKU_TAKEN),
            422: error_response(PRODUCT_REFUSED),
        },
    )
    def post(self, request: Request) -> Response:
        data = ProductInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = services.product_create(
            tenant=tenant_of(request),
            actor=principal_required(request),
            fields=_fields(data.validated_data),
            image_ids=data.validated_data.get("image_ids", []),
        )
        return Response(
            ProductSerializer(_product(request, product.pk)).data, status=status.HTTP_201_CREATED
        )


def _product(request: Request, product_id: int) -> Product:
    return selectors.product_get(actor=principal_required(request), product_id=product_id)


class ProductDetailApi(APIView):
    """One product (GET), a change of some of its fields (PATCH), or its deletion."""

    permission_classes = [CatalogPermission]

    @extend_schema(operation_id="products_detail", responses=ProductSerializer)
    def get(self, request: Request, product_id: int) -> Response:
        return Response(ProductSerializer(_product(request, product_id)).data)

    @extend_schema(
        operation_id="products_update",
        request=ProductUpdateSerializer,
        responses={
            200: ProductSerializer,
            409: error_response(SKU_TAKEN),
            422: error_response(PRODUCT_REFUSED),
        },
    )
    def patch(self, request: Request, product_id: int) -> Response:
        data = ProductUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.product_update(
            tenant=tenant_of(request),
            actor=principal_required(request),
            product=_product(request, product_id),
            changes=_fields(data.validated_data),
            image_ids=data.validated_data.get("image_ids"),
        )
        return Response(ProductSerializer(_product(request, product_id)).data)

    @extend_schema(operation_id="products_delete", responses={204: None})
    def delete(self, request: Request, product_id: int) -> Response:
        services.product_delete(
            tenant=tenant_of(request),
            actor=principal_required(request),
            product=_product(request, product_id),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductImportApi(APIView):
    """Products from a CSV file (multipart field `file`), all or nothing: columns `sku`,
    `name`, `price` and optionally `description`, `stock`, `category` (`親 > 子`), `brand`,
    `active`; UTF-8 or Shift_JIS; at most 10,000 rows. A known SKU updates its product,
    categories and brands the file names are created. When any row is bad, nothing is
    written and `errors.rows` lists the bad rows (`row 3: price: …`, the header being row
    1; the first 100, the message counts them all)."""

    permission_classes = [CatalogPermission]
    parser_classes = [MultiPartParser]
    # Refused before the upload is read (and spooled to disk) at all.
    max_body_bytes = imports.MAX_BYTES + FORM_ENVELOPE_BYTES
    body_too_large_error = ImportTooLargeError

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text=_("CSV, UTF-8 or Shift_JIS, at most 10 MiB."))

    class OutputSerializer(serializers.Serializer):
        created = serializers.IntegerField()
        updated = serializers.IntegerField()
        unchanged = serializers.IntegerField(help_text=_("Rows already so: nothing written."))

    @extend_schema(
        operation_id="products_import",
        request={"multipart/form-data": InputSerializer},
        responses={
            200: OutputSerializer,
            413: error_response(IMPORT_TOO_LARGE),
            415: error_response("The body is not `multipart/form-data`."),
            422: error_response(IMPORT_INVALID),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = imports.products_import(
            tenant=tenant_of(request),
            actor=principal_required(request),
            file=data.validated_data["file"],
        )
        return Response(self.OutputSerializer(result).data)
