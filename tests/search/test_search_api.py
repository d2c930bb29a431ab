"""The search API on the real Elasticsearch: results as the catalog shows them with their
highlights and facets, bad input as 400 naming the field, Elasticsearch down as 503, suggest,
and the companies' own synonyms."""

from collections.abc import Callable

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import Membership
from apps.accounts.services import auth_token_issue
from apps.catalog.models import Product
from apps.search.models import TenantSynonym
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of(tenant: Tenant) -> Callable[..., APIClient]:
    def make(membership: Membership, on: Tenant | None = None) -> APIClient:
        return bearer(on or tenant, auth_token_issue(membership=membership).access_token)

    return make


@pytest.fixture
def viewer_client(tenant, client_of) -> APIClient:
    return client_of(MembershipFactory(tenant=tenant, role="viewer"))


@pytest.fixture
def admin_client(tenant, client_of) -> APIClient:
    return client_of(MembershipFactory(tenant=tenant, role="admin"))


def test_search_answers_products_with_highlights_facets_and_a_next_position(
    shop, tenant, other_tenant, viewer_client, django_assert_num_queries
):
    phones = shop.category(tenant, "スマートフォン")
    apple = shop.brand(tenant, "Apple")
    # As relevant as the phone for the query, and older: it comes second.
    case = shop.product(tenant, "iPhone 15 ケース", brand=apple, price=2980)
    iphone = shop.product(
        tenant,
        "iPhone 15 Pro",
        description="チタニウムのiPhone",
        category=phones,
        brand=apple,
        price=159800,
        stock=3,
    )
    shop.product(tenant, "鉛筆", price=100)
    shop.product(other_tenant, "iPhone 15 Pro Max", price=189800)
    shop.refresh()
    # Warm: which index the company is in (kept 5 s) and the caller's membership (the
    # access cache) are known after one search.
    viewer_client.get("/api/search", {"q": "鉛筆"})
    # The host's company (3, schema switches included), then synonyms, products and their
    # images, category and brand names: one query each.
    with django_assert_num_queries(8):
        response = viewer_client.get("/api/search", {"q": "アイフォン 15", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [iphone.pk]
    first = body["results"][0]
    assert first | {"created_at": None, "updated_at": None} == {
        "id": iphone.pk,
        "name": "iPhone 15 Pro",
        "description": "チタニウムのiPhone",
        "sku": iphone.sku,
        "price": 159800,
        "tax_class": "standard",
        "tax_rate": "0.10",
        "price_excluding_tax": 145273,  # 159,800 less its 10 % tax (14,527, rounded down)
        "stock": 3,
        "active": True,
        "category": {
            "id": phones.pk,
            "name": "スマートフォン",
            "parent_id": None,
            "path": "スマートフォン",
        },
        "brand": {"id": apple.pk, "name": "Apple"},
        "images": [],
        "created_at": None,
        "updated_at": None,
        "highlight": {
            "name": "<mark>iPhone</mark> <mark>15</mark> Pro",
            "description": "チタニウムの<mark>iPhone</mark>",
        },
    }
    assert (body["total"], body["total_is_estimate"], body["page"], body["did_you_mean"]) == (
        2,
        False,
        1,
        None,
    )
    assert body["facets"] == {
        "categories": [
            {"id": phones.pk, "name": "スマートフォン", "path": "スマートフォン", "count": 1}
        ],
        "brands": [{"id": apple.pk, "name": "Apple", "count": 2}],
        "prices": [
            {"key": "0-1000", "from": None, "to": 1000, "count": 0},
            {"key": "1000-5000", "from": 1000, "to": 5000, "count": 1},
            {"key": "5000-10000", "from": 5000, "to": 10000, "count": 0},
            {"key": "10000-50000", "from": 10000, "to": 50000, "count": 0},
            {"key": "50000-", "from": 50000, "to": None, "count": 1},
        ],
    }
    following = viewer_client.get(
        "/api/search", {"q": "アイフォン 15", "limit": 1, "after": body["next_after"]}
    ).json()
    assert [r["id"] for r in following["results"]] == [case.pk]
    assert (following["next_after"], following["page"]) == (None, None)
    assert following["results"][0]["highlight"] == {
        "name": "<mark>iPhone</mark> <mark>15</mark> ケース",
        "description": None,
    }


def test_a_product_gone_since_it_was_indexed_is_left_out(shop, tenant, viewer_client):
    kept = shop.product(tenant, "ノート A")
    gone = shop.product(tenant, "ノート B")
    hidden = shop.product(tenant, "ノート C")
    shop.refresh()
    with schema_context(tenant.schema_name):
        Product.objects.filter(pk=gone.pk).delete()
        Product.objects.filter(pk=hidden.pk).update(active=False)
    body = viewer_client.get("/api/search", {"q": "ノート"}).json()
    assert ([r["id"] for r in body["results"]], body["total"]) == ([kept.pk], 3)


def test_nothing_found_proposes_a_correction(shop, tenant, viewer_client):
    shop.product(tenant, "Apple Watch Series 9")
    shop.refresh()
    body = viewer_client.get("/api/search", {"q": "abble watch"}).json()
    assert (body["results"], body["total"], body["did_you_mean"]) == ([], 0, "apple watch")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"price_min": -1}, "price_min"),
        ({"price_max": -100}, "price_max"),
        ({"price_max": "cheap"}, "price_max"),
        ({"sort": "cheapest"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"page": 0}, "page"),
        ({"page": 10_001, "limit": 1}, "page"),
        ({"category": "abc"}, "category"),
        ({"category": 2**63}, "category"),
        ({"brand": -3}, "brand"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"after": "not a position"}, "after"),
        ({"after": "x" * 1001}, "after"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(viewer_client, params, field):
    response = viewer_client.get("/api/search", params)
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("invalid", [field])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"price_min": 5000, "price_max": 1000}, "price_max"),
        ({"page": 501, "limit": 20}, "page"),
        ({"page": 2, "after": "forged"}, "after"),
        ({"after": "forged"}, "after"),
    ],
)
def test_parameters_the_schema_allows_that_cannot_go_together_are_422(
    index, viewer_client, params, field
):
    """Each parameter as the schema says; together, or as a position of this search, not."""
    response = viewer_client.get("/api/search", params)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("invalid", [field])


def test_a_page_too_deep_says_to_use_after(index, viewer_client):
    body = viewer_client.get("/api/search", {"page": 501}).json()
    assert body["errors"] == {"page": ["Pages go 10,000 results deep; go further with `after`."]}
    assert viewer_client.get("/api/search", {"page": 500}).status_code == 200


def test_elasticsearch_down_is_a_503(settings, tenant, viewer_client):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    for path in ["/api/search?q=ノート", "/api/search/suggest?q=東"]:
        response = viewer_client.get(path)
        assert response.status_code == 503
        assert response.json() == {
            "status": 503,
            "code": "search_unavailable",
            "message": "Search is unavailable for a moment; try again shortly.",
            "errors": {},
        }


def test_suggest_answers_names_with_ids(shop, tenant, other_tenant, viewer_client):
    tower = shop.product(tenant, "東京タワー模型")
    shop.product(other_tenant, "東京スカイツリー")
    shop.refresh()
    assert viewer_client.get("/api/search/suggest", {"q": "とうきょう"}).json() == {
        "suggestions": [{"id": tower.pk, "name": "東京タワー模型"}]
    }
    assert viewer_client.get("/api/search/suggest", {"q": ""}).json() == {"suggestions": []}
    too_long = viewer_client.get("/api/search/suggest", {"q": "x" * 201})
    assert (too_long.status_code, list(too_long.json()["errors"])) == (400, ["q"])


def test_admins_keep_the_companys_synonyms_and_searches_use_them(  # noqa: PLR0917
    shop, tenant, other_tenant, admin_client, viewer_client, client_of
):
    theirs = client_of(MembershipFactory(tenant=other_tenant, role="admin"), on=other_tenant)
    shop.product(tenant, "お年玉袋 5枚")
    shop.refresh()
    assert viewer_client.get("/api/search", {"q": "ポチ袋"}).json()["total"] == 0

    made = admin_client.post(
        "/api/search/synonyms", {"terms": [" ポチ袋 ", "お年玉袋", "ポチ袋"]}, format="json"
    )
    assert made.status_code == 201
    assert made.json() == {"id": made.json()["id"], "terms": ["ポチ袋", "お年玉袋"]}
    assert viewer_client.get("/api/search", {"q": "ポチ袋"}).json()["total"] == 1
    assert viewer_client.get("/api/search/synonyms").json() == [made.json()]

    refused = viewer_client.post("/api/search/synonyms", {"terms": ["a", "b"]}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    for terms, status, message in [
        (["ひとつ"], 400, "Give 2 to 10 different terms."),
        (["a,b", "c"], 400, "item 1: A term cannot hold a comma."),
        (["x" * 51, "y"], 400, "item 1: Ensure this field has no more than 50 characters."),
        (["x", 5], 400, "item 2: Must be a string."),
        # Two terms, as the schema says; one once compared normalised.
        (["同じ", "同じ "], 422, "Give 2 to 10 different terms."),
        (["iPhone", "IPHONE"], 422, "Give 2 to 10 different terms."),
    ]:
        bad = admin_client.post("/api/search/synonyms", {"terms": terms}, format="json")
        assert (bad.status_code, bad.json()["errors"]) == (status, {"terms": [message]}), terms

    # Another company's admin neither sees nor deletes it.
    assert theirs.get("/api/search/synonyms").json() == []
    assert theirs.delete(f"/api/search/synonyms/{made.json()['id']}").status_code == 404
    assert admin_client.delete(f"/api/search/synonyms/{made.json()['id']}").status_code == 204
    assert not TenantSynonym.objects.filter(tenant=tenant).exists()
    assert viewer_client.get("/api/search", {"q": "ポチ袋"}).json()["total"] == 0
