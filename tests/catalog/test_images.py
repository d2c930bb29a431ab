"""A product's images: ready images of the company only, in the order chosen (the first is
the main image), through the API and the product form; the main image's thumbnail in the
cart, the 800x600 image and a gallery on the product page. The files are real uploads,
scanned and derived by the jobs against the real store and clamd."""

import re
import uuid

import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from apps.accounts.principal import Principal
from apps.catalog import selectors
from apps.catalog.forms import ProductForm
from apps.catalog.models import Product, ProductImage
from apps.files.models import File
from tests.accounts.factories import MembershipFactory
from tests.files import samples
from tests.files.factories import store_left_clean
from tests.files.uploading import initiate, run_file_jobs, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _store_left_clean(tenants):
    with store_left_clean(*tenants):
        yield


def ready_image(client, name: str = "photo.jpg") -> str:
    """The id of a JPEG uploaded through `client`, scanned and with its images made."""
    response = upload(client, samples.jpeg((1600, 1200)), name=name, content_type="image/jpeg")
    assert response.status_code == 200, response.content
    assert run_file_jobs() == ["file.scan:succeeded", "file.derive:succeeded"]
    return response.json()["id"]


def ready_text(client) -> str:
    response = upload(client, samples.TEXT)
    assert response.status_code == 200, response.content
    assert run_file_jobs() == ["file.scan:succeeded"]
    return response.json()["id"]


def links(tenant, product_id: int) -> list[tuple[str, int]]:
    with schema_context(tenant.schema_name):
        rows = ProductImage.objects.filter(product_id=product_id).order_by("position")
        return [(str(row.file_id), row.position) for row in rows]


def test_images_keep_the_order_given_the_first_is_the_main_one(tenant, shop):
    a, b, c = (ready_image(shop, name=f"{n}.jpg") for n in "abc")
    body = {"name": "抹茶", "sku": "TEA-1", "price": 1200, "image_ids": [b, c, a]}
    made = shop.post("/api/products", body, format="json").json()
    assert [image["id"] for image in made["images"]] == [b, c, a]
    assert links(tenant, made["id"]) == [(b, 0), (c, 1), (a, 2)]

    changed = shop.patch(f"/api/products/{made['id']}", {"image_ids": [a, b]}, format="json")
    assert [image["id"] for image in changed.json()["images"]] == [a, b]
    assert links(tenant, made["id"]) == [(a, 0), (b, 1)]
    # Named twice: shown once, where first named.
    again = shop.patch(f"/api/products/{made['id']}", {"image_ids": [c, a, c]}, format="json")
    assert [image["id"] for image in again.json()["images"]] == [c, a]


def test_images_not_ready_not_pictures_or_of_another_company_are_422(
    tenant, other_tenant, shop, client_of
):
    elsewhere = client_of(MembershipFactory(tenant=other_tenant, role="owner"), on=other_tenant)
    mine = ready_image(shop)
    text = ready_text(shop)
    ticket = initiate(shop, name="later.jpg", size=100, content_type="image/jpeg").json()
    theirs = ready_image(elsewhere)
    made = shop.post(
        "/api/products", {"name": "x", "sku": "S1", "price": 1, "image_ids": [mine]}, format="json"
    ).json()
    for refused in (text, ticket["file_id"], theirs, str(uuid.uuid4())):
        response = shop.patch(
            f"/api/products/{made['id']}", {"image_ids": [mine, refused]}, format="json"
        )
        assert (response.status_code, response.json()) == (
            422,
            {
                "status": 422,
                "code": "invalid",
                "message": "Some fields are not valid.",
                "errors": {"image_ids": ["Choose ready images of this company."]},
            },
        )
    assert links(tenant, made["id"]) == [(mine, 0)]


def files(*names: str) -> list[File]:
    return [File(pk=uuid.uuid4(), name=name, state=File.State.READY) for name in names]


def form(data: dict, images: list[File]) -> ProductForm:
    base = {"name": "抹茶", "sku": "TEA-1", "price": "1200", "tax_class": "standard", "stock": "1"}
    return ProductForm(base | data, categories=[], brands=[], images=images)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_the_form_puts_the_main_image_first_and_keeps_the_others_order():
    a, b, c = files("a.jpg", "b.jpg", "c.jpg")
    chosen = form(
        {"image_ids": [str(a.pk), str(b.pk), str(c.pk)], "main_image": str(c.pk)}, [a, b, c]
    )
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data["image_ids"] == [c.pk, a.pk, b.pk]
    assert "main_image" not in chosen.cleaned_data
    none = form({}, [a, b, c])
    assert none.is_valid(), none.errors
    assert none.cleaned_data["image_ids"] == []


def test_the_form_refuses_a_main_image_not_ticked_and_images_it_did_not_offer(english):
    a, b = files("a.jpg", "b.jpg")
    unticked = form({"image_ids": [str(a.pk)], "main_image": str(b.pk)}, [a, b])
    assert not unticked.is_valid()
    assert unticked.errors == {"main_image": ["Tick the main image too, to show it."]}
    stranger = str(uuid.uuid4())
    unknown = form({"image_ids": [str(a.pk), stranger]}, [a, b])
    assert not unknown.is_valid()
    assert unknown.errors == {"image_ids": ["Choose ready images of this company."]}


def test_the_forms_list_has_the_chosen_in_order_then_the_rest():
    a, b, c, d = files("a.jpg", "b.jpg", "c.jpg", "d.jpg")
    sent = form({"image_ids": [str(c.pk), str(a.pk)], "main_image": str(a.pk)}, [a, b, c, d])
    assert [(o.file.name, o.chosen, o.main) for o in sent.image_options()] == [
        ("a.jpg", True, True),
        ("c.jpg", True, False),
        ("b.jpg", False, False),
        ("d.jpg", False, False),
    ]


def test_the_form_offers_the_products_images_then_the_newest_ready_images(tenant, shop, admin):
    old, chosen, newest = (ready_image(shop, name=f"{n}.jpg") for n in ("old", "chosen", "new"))
    ready_text(shop)
    initiate(shop, name="later.jpg", size=100, content_type="image/jpeg")
    made = shop.post(
        "/api/products",
        {"name": "x", "sku": "S1", "price": 1, "image_ids": [chosen]},
        format="json",
    ).json()
    with schema_context(tenant.schema_name):
        actor = Principal.of_membership(admin)
        product = selectors.product_get(actor=actor, product_id=made["id"])
        offered = selectors.product_image_choices(actor=actor, product=product)
        assert [str(f.pk) for f in offered] == [chosen, newest, old]
        assert [str(f.pk) for f in selectors.product_image_choices(actor=actor, product=None)] == [
            newest,
            chosen,
            old,
        ]
        assert [
            str(f.pk)
            for f in selectors.product_image_choices(actor=actor, product=product, limit=1)
        ] == [chosen, newest]


def test_the_product_form_saves_the_images_in_order(tenant, shop, page_of, admin):
    a, b = ready_image(shop, name="front.jpg"), ready_image(shop, name="back.jpg")
    page = page_of(admin)
    html = page.get("/catalog/manage/products/new").content.decode()
    assert html.count('data-testid="image-choice"') == 2
    assert 'href="/files"' in html
    form = {
        "name": "抹茶",
        "sku": "TEA-1",
        "price": "1200",
        "tax_class": "standard",
        "stock": "3",
        "active": "on",
    }
    response = page.post(
        "/catalog/manage/products/new", form | {"image_ids": [a, b], "main_image": b}
    )
    assert response.status_code == 302
    with schema_context(tenant.schema_name):
        product = Product.objects.get(sku="TEA-1")
    assert links(tenant, product.pk) == [(b, 0), (a, 1)]
    connection.set_schema_to_public()
    edit = page.get(f"/catalog/manage/products/{product.pk}").content.decode()
    order = re.findall(r'data-testid="image-choice" data-id="([0-9a-f-]+)"', edit)
    assert order == [b, a]
    assert f'name="main_image" value="{b}" checked' in edit
    # Unticking every image leaves the product without any.
    assert page.post(f"/catalog/manage/products/{product.pk}", form).status_code == 302
    assert links(tenant, product.pk) == []


def test_the_product_form_shows_why_an_image_was_refused(tenant, shop, page_of, admin):
    a = ready_image(shop)
    page = page_of(admin)
    form = {
        "name": "抹茶",
        "sku": "TEA-1",
        "price": "1200",
        "tax_class": "standard",
        "stock": "3",
        "image_ids": [a],
    }
    with schema_context(tenant.schema_name):
        File.objects.filter(pk=a).update(state=File.State.REJECTED)  # between page and post
    connection.set_schema_to_public()
    response = page.post("/catalog/manage/products/new", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'data-testid="image-error">([^<]+)<', html) == [
        "Choose ready images of this company."
    ]
    with schema_context(tenant.schema_name):
        assert not Product.objects.exists()


def test_the_product_page_shows_the_main_image_and_a_gallery(tenant, shop, page_of, admin):
    a, b = ready_image(shop, name="front.jpg"), ready_image(shop, name="back.jpg")
    made = shop.post(
        "/api/products",
        {"name": "抹茶 <缶>", "sku": "TEA-1", "price": 1200, "stock": 3, "image_ids": [b, a]},
        format="json",
    ).json()
    connection.set_schema_to_public()
    html = page_of(admin).get(f"/catalog/{made['id']}").content.decode()
    main = re.search(r'<img src="([^"]+)" alt="([^"]+)" class="product-main-image"', html)
    assert main.group(2) == "抹茶 &lt;缶&gt;"
    assert f"/display/{b}-" in main.group(1)
    gallery = re.findall(r'<img src="([^"]+)" alt="([^"]+)" width="80"', html)
    assert [alt for _, alt in gallery] == [
        "抹茶 &lt;缶&gt;, image 1 of 2",
        "抹茶 &lt;缶&gt;, image 2 of 2",
    ]
    assert f"/thumbs/{b}-" in gallery[0][0]
    assert f"/thumbs/{a}-" in gallery[1][0]


def test_the_cart_shows_each_lines_main_thumbnail(tenant, shop, page_of, admin):
    a = ready_image(shop)
    with_image = shop.post(
        "/api/products",
        {"name": "抹茶", "sku": "TEA-1", "price": 1200, "stock": 3, "image_ids": [a]},
        format="json",
    ).json()
    without = shop.post(
        "/api/products", {"name": "煎茶", "sku": "TEA-2", "price": 800, "stock": 3}, format="json"
    ).json()
    connection.set_schema_to_public()
    page = page_of(admin)
    for made in (with_image, without):
        assert page.post("/cart/add", {"product": made["id"], "quantity": 1}).status_code == 302
    html = page.get("/cart").content.decode()
    thumbs = re.findall(r'<img src="([^"]+)" alt="([^"]+)" width="64" height="64"', html)
    assert [alt for _, alt in thumbs] == ["抹茶"]
    assert f"/thumbs/{a}-" in thumbs[0][0]
