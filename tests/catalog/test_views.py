"""The catalog's management pages: for owners and admins; every change through the services
(and so into the search outbox); refusals beside the field or as a message."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.principal import SystemActor
from apps.catalog.models import Brand, Category, Product
from apps.catalog.services import category_create, product_create
from apps.search.models import OutboxEntry, TenantSynonym
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_page(tenant, page_of):
    return page_of(MembershipFactory(tenant=tenant, role="admin"))


def test_only_managers_open_the_pages(tenant, member, viewer, owner, page_of):
    assert page_of(owner).get("/catalog/manage").status_code == 200
    for person in (member, viewer):
        assert page_of(person).get("/catalog/manage").status_code == 403
        assert page_of(person).post("/catalog/manage/products/new", {}).status_code == 403


def test_an_empty_catalog_says_what_to_do(admin_page):
    html = admin_page.get("/catalog/manage").content.decode()
    assert 'data-testid="no-products"' in html
    assert "No categories yet" in html


def test_a_product_is_added_changed_and_deleted(tenant, admin_page):
    with schema_context(tenant.schema_name):
        shelf = category_create(actor=SystemActor(tenant, "tests"), name="文具")
    connection.set_schema_to_public()
    form = {"name": "ボールペン", "sku": "PEN-1", "price": "120", "stock": "30", "active": "on"}
    form |= {"tax_class": "standard"}
    response = admin_page.post("/catalog/manage/products/new", form | {"category_id": shelf.pk})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        pen = Product.objects.get(sku="PEN-1")
        assert (pen.name, pen.price, pen.stock, pen.category_id, pen.active) == (
            "ボールペン",
            120,
            30,
            shelf.pk,
            True,
        )
    html = admin_page.get("/catalog/manage").content.decode()
    assert "ボールペン" in html
    assert "¥120" in html
    response = admin_page.post(f"/catalog/manage/products/{pen.pk}", form | {"price": "150"})
    assert response.status_code == 302
    response = admin_page.post(f"/catalog/manage/products/{pen.pk}", {"action": "delete"})
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        assert not Product.objects.exists()
    connection.set_schema_to_public()
    entries = OutboxEntry.objects.filter(tenant=tenant).values_list("object_id", flat=True)
    assert list(entries) == [pen.pk] * 3


def test_a_taken_sku_is_shown_beside_its_field(tenant, admin_page):
    with schema_context(tenant.schema_name):
        product_create(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            fields={"name": "a", "sku": "X", "price": 1},
        )
    connection.set_schema_to_public()
    response = admin_page.post(
        "/catalog/manage/products/new",
        {"name": "b", "sku": "X", "price": "1", "stock": "0", "tax_class": "standard"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"sku": ["A product with this SKU is there."]}
    bad = admin_page.post(
        "/catalog/manage/products/new",
        {"name": "", "sku": "Y", "price": "-1", "stock": "0", "tax_class": "standard"},
    )
    assert set(bad.context["form"].errors) == {"name", "price"}


def test_categories_and_brands_are_added_and_deleted_unless_in_use(tenant, admin_page):
    admin_page.post("/catalog/manage", {"action": "category", "name": "家電"})
    with schema_context(tenant.schema_name):
        top = Category.objects.get(name="家電")
    connection.set_schema_to_public()
    admin_page.post("/catalog/manage", {"action": "category", "name": "電話", "parent_id": top.pk})
    admin_page.post("/catalog/manage", {"action": "brand", "name": "Sony"})
    again = admin_page.post("/catalog/manage", {"action": "brand", "name": "Sony"})
    assert again.context["brand_form"].errors == {"name": ["A brand of this name is there."]}
    refused = admin_page.post(
        "/catalog/manage", {"action": "delete-category", "id": top.pk}, follow=True
    )
    assert "Products or subcategories are in this category" in refused.content.decode()
    with schema_context(tenant.schema_name):
        assert list(Category.objects.order_by("id").values_list("name", flat=True)) == [
            "家電",
            "電話",
        ]
        sony = Brand.objects.get(name="Sony")
    connection.set_schema_to_public()
    admin_page.post("/catalog/manage", {"action": "delete-brand", "id": sony.pk})
    with schema_context(tenant.schema_name):
        assert not Brand.objects.exists()


def test_the_page_costs_the_same_queries_however_many_products(
    tenant, admin_page, django_assert_num_queries
):
    with schema_context(tenant.schema_name):
        for n in range(30):
            product_create(
                tenant=tenant,
                actor=SystemActor(tenant, "tests"),
                fields={"name": f"p{n}", "sku": f"S{n}", "price": n},
            )
    connection.set_schema_to_public()
    admin_page.get("/catalog/manage")  # the session and access caches warm
    # Session, person, membership; the tenant's host; the page of products (with their
    # categories and brands) and its images; categories; brands; synonyms; plus the two
    # `SET search_path`.
    with django_assert_num_queries(11):
        assert admin_page.get("/catalog/manage?page=2").status_code == 200


def test_a_csv_file_is_imported_from_the_page(tenant, admin_page):
    good = "sku,name,price,category\nA-1,東京タワー 模型,1980,おもちゃ > 模型\n".encode("cp932")
    response = admin_page.post(
        "/catalog/manage",
        {"action": "import", "file": SimpleUploadedFile("p.csv", good, "text/csv")},
        follow=True,
    )
    assert "Imported: 1 added, 0 changed, 0 unchanged." in response.content.decode()
    with schema_context(tenant.schema_name):
        tower = Product.objects.select_related("category__parent").get(sku="A-1")
        assert (tower.name, tower.price, tower.category.path) == (
            "東京タワー 模型",
            1980,
            "おもちゃ > 模型",
        )
    connection.set_schema_to_public()
    bad = b"sku,name,price\nB-1,ok,10\nB-2,bad,-5\n"
    response = admin_page.post(
        "/catalog/manage",
        {"action": "import", "file": SimpleUploadedFile("p.csv", bad, "text/csv")},
    )
    assert response.status_code == 200
    assert response.context["row_errors"] == ["row 3: price: A whole number from 0 to 100000000."]
    with schema_context(tenant.schema_name):
        assert not Product.objects.filter(sku__startswith="B-").exists()


def test_an_admin_keeps_the_companys_synonyms(tenant, admin_page):
    terms = "パソコン, ラップトップ、laptop"  # either comma
    admin_page.post("/catalog/manage", {"action": "synonym", "terms": terms})
    connection.set_schema_to_public()
    (group,) = TenantSynonym.objects.filter(tenant=tenant)
    assert group.terms == "パソコン, ラップトップ, laptop"
    one = admin_page.post("/catalog/manage", {"action": "synonym", "terms": "only"})
    assert one.context["synonym_form"].errors == {"terms": ["Give 2 to 10 different terms."]}
    admin_page.post("/catalog/manage", {"action": "delete-synonym", "id": group.pk})
    connection.set_schema_to_public()
    assert not TenantSynonym.objects.filter(tenant=tenant).exists()
