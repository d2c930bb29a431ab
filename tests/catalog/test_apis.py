"""The catalog API: who may change it, bad input as 400 in the one error shape (409 for a
name taken, 422 for ids naming nothing there), categories in two levels, and every change
that search must learn of recorded in the outbox."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create
from apps.catalog.models import Product
from apps.search.models import OutboxEntry
from tests.accounts.factories import MembershipFactory
from tests.api import api_client

pytestmark = pytest.mark.django_db


def outbox(tenant) -> list[int]:
    connection.set_schema_to_public()  # as the operator: every company's entries
    return list(
        OutboxEntry.objects.filter(tenant=tenant, kind="product").values_list(
            "object_id", flat=True
        )
    )


def product(client, **fields) -> dict:
    body = {"name": "iPhone 15 Pro", "sku": "IP15P", "price": 159800, "stock": 3} | fields
    response = client.post("/api/products", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_admin_builds_the_catalog_and_the_outbox_records_it(tenant, shop):
    phones = shop.post("/api/categories", {"name": "家電"}, format="json").json()
    smart = shop.post(
        "/api/categories", {"name": "スマートフォン", "parent_id": phones["id"]}, format="json"
    ).json()
    assert smart == {
        "id": smart["id"],
        "name": "スマートフォン",
        "parent_id": phones["id"],
        "path": "家電 > スマートフォン",
    }
    apple = shop.post("/api/brands", {"name": "Apple"}, format="json").json()
    made = product(shop, category_id=smart["id"], brand_id=apple["id"], description="最新")
    assert made["category"]["path"] == "家電 > スマートフォン"
    assert made["brand"] == {"id": apple["id"], "name": "Apple"}
    assert (made["price"], made["stock"], made["active"], made["images"]) == (159800, 3, True, [])
    assert outbox(tenant) == [made["id"]]

    changed = shop.patch(f"/api/products/{made['id']}", {"price": 149800}, format="json")
    assert (changed.status_code, changed.json()["price"], changed.json()["sku"]) == (
        200,
        149800,
        "IP15P",
    )
    # Renaming the top-level category changes the path of every product under it.
    assert (
        shop.patch(f"/api/categories/{phones['id']}", {"name": "電化製品"}, format="json").json()[
            "path"
        ]
        == "電化製品"
    )
    assert shop.get(f"/api/products/{made['id']}").json()["category"]["path"] == (
        "電化製品 > スマートフォン"
    )
    shop.patch(f"/api/brands/{apple['id']}", {"name": "Apple Inc."}, format="json")
    assert shop.delete(f"/api/products/{made['id']}").status_code == 204
    assert outbox(tenant) == [made["id"]] * 5  # created, changed, two renames, deleted


def test_categories_have_two_levels_and_unused_ones_go(tenant, shop):
    top = shop.post("/api/categories", {"name": "食品"}, format="json").json()
    mid = shop.post("/api/categories", {"name": "菓子", "parent_id": top["id"]}, format="json")
    deeper = shop.post(
        "/api/categories", {"name": "飴", "parent_id": mid.json()["id"]}, format="json"
    )
    assert deeper.status_code == 422
    assert deeper.json()["errors"] == {
        "parent_id": ["Categories have two levels: choose a top-level parent."]
    }
    same = shop.post("/api/categories", {"name": "食品"}, format="json")
    assert (same.status_code, same.json()["code"], list(same.json()["errors"])) == (
        409,
        "taken",
        ["name"],
    )
    product(shop, category_id=mid.json()["id"])
    in_use = shop.delete(f"/api/categories/{mid.json()['id']}")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "in_use")
    assert shop.delete(f"/api/categories/{top['id']}").status_code == 409  # has a child
    under_child = shop.patch(
        f"/api/categories/{top['id']}", {"parent_id": mid.json()["id"]}, format="json"
    )
    assert (under_child.status_code, under_child.json()["errors"]) == (
        422,
        {"parent_id": ["Categories have two levels: choose a top-level parent."]},
    )
    other = shop.post("/api/categories", {"name": "飲料"}, format="json").json()
    moved = shop.patch(f"/api/categories/{top['id']}", {"parent_id": other["id"]}, format="json")
    assert (moved.status_code, moved.json()["errors"]) == (
        422,
        {"parent_id": ["A category with subcategories stays at the top level."]},
    )
    itself = shop.patch(f"/api/categories/{top['id']}", {"parent_id": top["id"]}, format="json")
    assert (itself.status_code, itself.json()["errors"]) == (
        422,
        {"parent_id": ["A category cannot be its own parent."]},
    )
    # Each top-level category followed by its subcategories.
    paths = [c["path"] for c in shop.get("/api/categories").json()]
    assert paths == ["食品", "食品 > 菓子", "飲料"]
    lone = shop.post("/api/categories", {"name": "空"}, format="json").json()
    assert shop.delete(f"/api/categories/{lone['id']}").status_code == 204


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": -1}, "price"),
        ({"price": 100_000_001}, "price"),
        ({"price": "abc"}, "price"),
        ({"stock": -5}, "stock"),
        ({"sku": ""}, "sku"),
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 5001}, "description"),
        ({"price": "100"}, "price"),
        ({"price": 100.5}, "price"),
        ({"active": 1}, "active"),
        ({"active": "true"}, "active"),
        ({"sku": 12}, "sku"),
        ({"category_id": "1"}, "category_id"),
        ({"image_ids": [1]}, "image_ids"),
    ],
)
def test_bad_products_are_400_naming_the_field(tenant, shop, fields, field):
    body = {"name": "x", "sku": "S1", "price": 100} | fields
    response = shop.post("/api/products", body, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", [field])
    with schema_context(tenant.schema_name):
        assert not Product.objects.exists()
    assert outbox(tenant) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category_id": 999_999}, "category_id"),
        ({"brand_id": 999_999}, "brand_id"),
        ({"image_ids": ["8d7c4b3a-1111-4222-8333-944445555666"]}, "image_ids"),
    ],
)
def test_products_naming_nothing_of_the_company_are_422(tenant, shop, fields, field):
    """Ids of the form the schema describes, naming nothing there: 422."""
    body = {"name": "x", "sku": "S1", "price": 100} | fields
    response = shop.post("/api/products", body, format="json")
    assert response.status_code == 422
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", [field])
    with schema_context(tenant.schema_name):
        assert not Product.objects.exists()
    assert outbox(tenant) == []


def test_a_sku_is_unique_in_the_company_only(tenant, other_tenant, shop, client_of):
    elsewhere = client_of(MembershipFactory(tenant=other_tenant, role="owner"), on=other_tenant)
    product(shop, sku="A-1")
    again = shop.post("/api/products", {"name": "y", "sku": "A-1", "price": 1}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "taken")
    assert again.json()["errors"] == {"sku": ["A product with this SKU is there."]}
    assert (
        elsewhere.post(
            "/api/products", {"name": "y", "sku": "A-1", "price": 1}, format="json"
        ).status_code
        == 201
    )


def test_who_may_change_the_catalog(tenant, member, viewer, owner, client_of):
    key_write = api_key_create(
        tenant=tenant, name="w", scope="write", actor=Principal.of_membership(owner)
    )[1]
    key_read = api_key_create(
        tenant=tenant, name="r", scope="read", actor=Principal.of_membership(owner)
    )[1]
    for caller, status in [
        (client_of(owner), 201),
        (client_of(member), 403),
        (client_of(viewer), 403),
        (api_client(tenant), 401),
    ]:
        body = {"name": "n", "sku": f"S{status}{id(caller)}", "price": 1}
        assert caller.post("/api/products", body, format="json").status_code == status
    for secret, status in [(key_write, 201), (key_read, 403)]:
        client = api_client(tenant)
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")
        response = client.post("/api/brands", {"name": f"B{status}"}, format="json")
        assert response.status_code == status
        assert client.get("/api/products").status_code == 200
    assert client_of(viewer).get("/api/products").json()["total"] == 1


def test_another_companys_product_is_404(tenant, other_tenant, shop, client_of):
    stranger = client_of(MembershipFactory(tenant=other_tenant, role="owner"), on=other_tenant)
    made = product(shop)
    for call in (stranger.get, stranger.delete):
        assert call(f"/api/products/{made['id']}").status_code == 404
    assert (
        stranger.patch(f"/api/products/{made['id']}", {"price": 1}, format="json").status_code
        == 404
    )
    assert stranger.get("/api/products").json()["results"] == []


def test_products_page_by_number_with_filters(tenant, shop, client_of, django_assert_num_queries):
    top = shop.post("/api/categories", {"name": "衣類"}, format="json").json()
    sub = shop.post("/api/categories", {"name": "靴", "parent_id": top["id"]}, format="json").json()
    ids = [product(shop, sku=f"S{n}", category_id=sub["id"])["id"] for n in range(5)]
    product(shop, sku="OTHER")
    page = shop.get("/api/products", {"category": top["id"], "limit": 2, "page": 2}).json()
    assert [p["id"] for p in page["results"]] == ids[::-1][2:4]
    assert (page["total"], page["total_pages"], page["has_next"]) == (5, 3, True)
    # The host's tenant, the page with its categories and brands, its images, the bounded
    # count; plus the two `SET search_path`.
    with django_assert_num_queries(6):
        shop.get("/api/products", {"limit": 2, "page": 2})
    with django_assert_num_queries(5):
        shop.get("/api/products", {"limit": 2, "cursor": ""})
    assert shop.get("/api/products", {"active": "false"}).json()["total"] == 0
