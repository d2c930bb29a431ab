"""The catalog's search page and product page, on the real Elasticsearch: highlights,
facets that narrow, suggestions as one types, refusals beside the field, and a page that
says so when search does not answer."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from apps.accounts.principal import SystemActor
from apps.catalog.services import product_update
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(tenant, shop):
    phones = shop.category(tenant, "家電")
    apple = shop.brand(tenant, "Apple")
    made = {
        "iphone": shop.product(tenant, "iPhone 15 Pro", price=159800, category=phones, brand=apple),
        "tower": shop.product(tenant, "東京タワー 模型", price=1980, description="<b>精巧</b>"),
        "box": shop.product(tenant, "住まいの収納ボックス", price=980, stock=0),
    }
    shop.refresh()
    connection.set_schema_to_public()
    return made | {"phones": phones, "apple": apple}


def test_a_search_shows_highlighted_results_and_facets(member, page_of, stocked):
    response = page_of(member).get("/catalog", {"q": "アイフォン 15"})
    assert response.status_code == 200
    html = response.content.decode()
    assert [p.pk for p in response.context["products"]] == [stocked["iphone"].pk]
    assert "<mark>15</mark>" in html
    assert "¥159,800" in html
    facets = response.context["facets"]
    assert [(c["path"], c["count"]) for c in facets["categories"]] == [("家電", 1)]
    assert [(b["name"], b["count"]) for b in facets["brands"]] == [("Apple", 1)]


def test_facets_narrow_and_everything_is_listed_without_words(member, page_of, stocked):
    client = page_of(member)
    everything = client.get("/catalog")
    assert len(everything.context["products"]) == 3
    narrowed = client.get("/catalog", {"brand": stocked["apple"].pk})
    assert [p.pk for p in narrowed.context["products"]] == [stocked["iphone"].pk]
    cheap = client.get("/catalog", {"price_max": 2000, "sort": "price"})
    assert [p.pk for p in cheap.context["products"]] == [stocked["box"].pk, stocked["tower"].pk]
    available = client.get("/catalog", {"price_max": 2000, "in_stock": "on"})
    assert [p.pk for p in available.context["products"]] == [stocked["tower"].pk]


def test_results_in_stock_have_add_to_cart_for_buyers(member, viewer, page_of, stocked):
    html = page_of(member).get("/catalog", {"sort": "price"}).content.decode()
    assert html.count('data-testid="result-add"') == 2  # the box is out of stock
    assert f'<input type="hidden" name="product" value="{stocked["tower"].pk}">' in html
    assert f'name="product" value="{stocked["box"].pk}"' not in html
    assert 'data-testid="result-add"' not in page_of(viewer).get("/catalog").content.decode()


def test_the_source_is_escaped_in_highlights(member, page_of, stocked):
    html = page_of(member).get("/catalog", {"q": "精巧"}).content.decode()
    # Elasticsearch's html encoder escapes the slash too.
    assert "<p>&lt;b&gt;<mark>精巧</mark>&lt;&#x2F;b&gt;</p>" in html
    assert "<b>精巧" not in html


def test_nothing_found_says_so_and_offers_a_correction(tenant, member, page_of, shop):
    shop.product(tenant, "Apple Watch Series 9")
    shop.refresh()
    connection.set_schema_to_public()
    response = page_of(member).get("/catalog", {"q": "abble watch"})
    html = response.content.decode()
    assert response.context["products"] == []
    assert 'data-testid="no-results"' in html
    assert 'data-testid="did-you-mean"' in html
    assert response.context["result"].did_you_mean == "apple watch"


@pytest.mark.parametrize(
    ("query", "field", "shown"),
    [
        # The range the wrong way round loses its upper end; the lower one still applies.
        ({"price_min": 1000, "price_max": 100}, "price_max", ["tower", "iphone"]),
        ({"price_min": -1}, "price_min", ["box", "tower", "iphone"]),
        ({"price_min": "abc", "price_max": "2000"}, "price_min", ["box", "tower"]),
        ({"q": "x" * 201}, "q", ["box", "tower", "iphone"]),
        ({"page": 600}, "__all__", ["box", "tower", "iphone"]),
    ],
)
def test_a_bad_filter_is_400_with_the_reason_and_the_products_stay(  # noqa: PLR0917
    member, page_of, stocked, query, field, shown
):
    """Issue 21: a refused filter answered a page without a single product."""
    response = page_of(member).get("/catalog", {**query, "sort": "price"})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert [p.pk for p in response.context["products"]] == [stocked[name].pk for name in shown]
    html = response.content.decode()
    if field != "__all__":
        assert f'id="id_{field}-error"' in html
        assert f'aria-describedby="id_{field}-error"' in html


def test_a_range_the_wrong_way_round_is_said_in_the_pages_language(member, page_of, stocked):
    query = {"price_min": 1000, "price_max": 100}
    english = page_of(member).get("/catalog", query, HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter a price no lower than the “from” price." in english.content.decode()
    japanese = page_of(member).get("/catalog", query, HTTP_ACCEPT_LANGUAGE="ja")
    assert "下限以上の価格を入力してください。" in japanese.content.decode()


def test_suggestions_come_as_one_types_also_from_the_reading(member, page_of, stocked):
    html = page_of(member).get("/catalog/suggest", {"q": "とうきょう"}).content.decode()
    assert html.strip() == (
        '<li role="option" id="suggestion-1" aria-selected="false" data-testid="suggestion">'
        f'<a href="/catalog/{stocked["tower"].pk}" tabindex="-1">東京タワー 模型</a></li>'
    )
    assert page_of(member).get("/catalog/suggest", {"q": ""}).content.decode().strip() == ""


def test_search_not_answering_is_a_page_that_says_so(member, page_of, stocked, settings):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # nothing listens there
    response = page_of(member).get("/catalog", {"q": "iPhone"})
    assert response.status_code == 503
    assert 'data-testid="search-unavailable"' in response.content.decode()
    assert page_of(member).get("/catalog/suggest", {"q": "i"}).status_code == 200


def test_a_product_page_for_the_company_only(tenant, other_tenant, member, page_of, stocked):
    outsider = MembershipFactory(tenant=other_tenant, role="owner")
    iphone = stocked["iphone"]
    html = page_of(member).get(f"/catalog/{iphone.pk}").content.decode()
    assert "iPhone 15 Pro" in html
    assert "¥159,800" in html
    assert page_of(outsider, on=other_tenant).get(f"/catalog/{iphone.pk}").status_code == 404
    with schema_context(tenant.schema_name):
        product_update(
            tenant=tenant,
            actor=SystemActor(tenant, "tests"),
            product=iphone,
            changes={"active": False},
        )
    connection.set_schema_to_public()
    assert page_of(member).get(f"/catalog/{iphone.pk}").status_code == 404
    admin = MembershipFactory(tenant=tenant, role="admin")
    assert page_of(admin).get(f"/catalog/{iphone.pk}").status_code == 200
