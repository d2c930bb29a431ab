from django.urls import path

from apps.catalog import apis, views

api_patterns = [
    path("categories", apis.CategoryListApi.as_view(), name="categories-api"),
    path("categories/<int:category_id>", apis.CategoryDetailApi.as_view(), name="category-api"),
    path("brands", apis.BrandListApi.as_view(), name="brands-api"),
    path("brands/<int:brand_id>", apis.BrandDetailApi.as_view(), name="brand-api"),
    path("products", apis.ProductListApi.as_view(), name="products-api"),
    path("products/import", apis.ProductImportApi.as_view(), name="products-import"),
    path("products/<int:product_id>", apis.ProductDetailApi.as_view(), name="product-api"),
]
page_patterns = [
    path("catalog", views.catalog_view, name="catalog"),
    path("catalog/suggest", views.suggest_view, name="catalog-suggest"),
    path("catalog/<int:product_id>", views.product_view, name="catalog-item"),
    path("catalog/manage", views.manage_view, name="catalog-manage"),
    path("catalog/manage/products/new", views.product_edit_view, name="catalog-product-new"),
    path(
        "catalog/manage/products/<int:product_id>",
        views.product_edit_view,
        name="catalog-product",
    ),
]
