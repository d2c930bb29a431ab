"""A product's consumption tax class: `standard` (10 %) unless it is food and drink
(`reduced`, 8 %), its price tax-inclusive and its tax-exclusive amount shown beside it, in
the API and the management form."""

import pytest
from django_tenants.utils import schema_context

from apps.catalog.models import Product
from tests.accounts.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(tenant, client_of):
    return client_of(MembershipFactory(tenant=tenant, role="admin"))


def test_a_product_is_standard_rate_unless_told_and_shows_its_price_without_tax(shop):
    body = {"name": "ボールペン", "sku": "PEN", "price": 1100}
    pen = shop.post("/api/products", body, format="json").json()
    assert (pen["tax_class"], pen["tax_rate"], pen["price"], pen["price_excluding_tax"]) == (
        "standard",
        "0.10",
        1100,
        1000,
    )
    body = {"name": "抹茶", "sku": "TEA", "price": 1080, "tax_class": "reduced"}
    tea = shop.post("/api/products", body, format="json").json()
    assert (tea["tax_class"], tea["tax_rate"], tea["price_excluding_tax"]) == (
        "reduced",
        "0.08",
        1000,
    )
    # 398 yen at 8 %: 29.48 yen of tax inside, rounded down to 29.
    changed = shop.patch(f"/api/products/{tea['id']}", {"price": 398}, format="json").json()
    assert (changed["tax_class"], changed["price_excluding_tax"]) == ("reduced", 369)
    changed = shop.patch(
        f"/api/products/{tea['id']}", {"tax_class": "standard"}, format="json"
    ).json()
    # 398 / 11 = 36.18 yen of tax at 10 %.
    assert (changed["tax_class"], changed["tax_rate"], changed["price_excluding_tax"]) == (
        "standard",
        "0.10",
        362,
    )


@pytest.mark.parametrize("tax_class", ["food", "", None, 8, "REDUCED"])
def test_an_unknown_tax_class_is_400_naming_the_field(tenant, shop, tax_class):
    body = {"name": "x", "sku": "S1", "price": 100, "tax_class": tax_class}
    response = shop.post("/api/products", body, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["errors"])) == ("invalid", ["tax_class"])
    with schema_context(tenant.schema_name):
        assert not Product.objects.exists()


def test_the_form_sets_and_shows_the_tax_class(tenant, page_of):
    page = page_of(MembershipFactory(tenant=tenant, role="admin"))
    form = {"name": "緑茶", "sku": "GT", "price": "216", "stock": "5", "tax_class": "reduced"}
    assert page.post("/catalog/manage/products/new", form).status_code == 302
    with schema_context(tenant.schema_name):
        tea = Product.objects.get(sku="GT")
        assert (tea.tax_class, tea.price_excluding_tax) == ("reduced", 200)
    html = page.get(f"/catalog/manage/products/{tea.pk}").content.decode()
    assert '<option value="reduced" selected>' in html
    refused = page.post("/catalog/manage/products/new", form | {"sku": "X", "tax_class": "zero"})
    assert refused.status_code == 200
    with schema_context(tenant.schema_name):
        assert not Product.objects.filter(sku="X").exists()
