"""Product images in a real browser, in English and Japanese at 1280 and 390 px: an admin
picks two of the company's images in the product form, puts them in order and chooses the
main one; the main image's thumbnail shows in the search results and the cart, and the
product page shows it large with a gallery that switches it. Every image is loaded from
the store (its naturalWidth), with the product's name as its alt."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Membership
from apps.accounts.principal import Principal
from apps.catalog.models import Product
from apps.catalog.services import product_create
from apps.files.models import File
from apps.files.services import upload_complete, upload_initiate
from apps.search.sync import outbox_drain
from apps.tenants.models import Tenant
from tests.accounts.factories import MembershipFactory
from tests.api import PASSWORD
from tests.conftest import COMMITTED_DOMAIN
from tests.files import samples
from tests.files.factories import store_left_clean
from tests.files.uploading import run_file_jobs
from tests.search.conftest import committed_catalog, fresh_indices  # noqa: F401

SHOTS = Path("/tmp/kura-shots/product-images")  # noqa: S108 - screenshots to look at
NAME = "抹茶 スティック"
WORDS = {
    "en": {"save": "Save", "main": "Main image", "show": "Show", "add": "Add to cart"},
    "ja": {"save": "保存", "main": "メイン画像", "show": "表示", "add": "カートに入れる"},
}


@pytest.fixture
def admin_person(committed, tenant) -> Membership:  # type: ignore[no-untyped-def]
    return MembershipFactory(
        tenant=tenant,
        role=Membership.Role.ADMIN,
        user__email=f"a{time.monotonic_ns()}{COMMITTED_DOMAIN}",
    )


def ready_image(tenant: Tenant, membership: Membership, name: str, colour: int) -> File:
    """A JPEG uploaded, scanned and with its images made, as the worker would."""
    tenant = Tenant.objects.get(pk=tenant.pk)
    data = samples.jpeg((1600 - colour, 1200))  # each picture its own bytes
    actor = Principal.of_membership(membership)
    with schema_context(tenant.schema_name):
        ticket = upload_initiate(
            tenant=tenant, actor=actor, name=name, size=len(data), content_type="image/jpeg"
        )
    assert ticket.url is not None
    assert requests.put(ticket.url, data=data, headers=ticket.headers, timeout=10).ok
    with schema_context(tenant.schema_name):
        upload_complete(tenant=tenant, file=ticket.file, actor=actor)
    # This process runs the jobs, unless a worker another test of this xdist worker started
    # claims them first: either way the picture is ready soon.
    deadline = time.monotonic() + 60
    while True:
        run_file_jobs()
        with schema_context(tenant.schema_name):
            file = File.objects.get(pk=ticket.file.pk)
        connection.set_schema_to_public()
        if file.state == File.State.READY or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (file.state, file.width) == ("ready", 1600 - colour)
    return file


@pytest.fixture
def matcha(committed_catalog, tenant, admin_person) -> Iterator[tuple[Product, File, File]]:  # type: ignore[no-untyped-def]  # noqa: F811
    """A product without images yet, indexed, and two ready images of the company; all
    gone afterwards (the store's objects too)."""
    # Committed rows outlive the test (and a reused test database the run): they are
    # deleted even when making them fails half-way.
    with store_left_clean(tenant):
        try:
            front = ready_image(tenant, admin_person, "front.jpg", 0)
            back = ready_image(tenant, admin_person, "back.jpg", 100)
            with schema_context(tenant.schema_name):
                product = product_create(
                    tenant=tenant,
                    actor=Principal.of_membership(admin_person),
                    fields={"name": NAME, "sku": "MATCHA-1", "price": 1200, "stock": 5},
                )
            connection.set_schema_to_public()
            yield product, front, back
        finally:
            connection.set_schema_to_public()
            with schema_context(tenant.schema_name):
                Product.objects.all().delete()
                File.objects.all().delete()
        connection.set_schema_to_public()


@pytest.fixture(
    params=[("en", 1280), ("ja", 390), ("ja", 1280), ("en", 390)], ids=lambda p: f"{p[0]}-{p[1]}"
)
def shopper(request, browser: Browser, base_port, tenant) -> Iterator[tuple[str, int, Page]]:  # type: ignore[no-untyped-def]
    language, width = request.param
    context = browser.new_context(
        base_url=f"http://{tenant.slug}.localhost:{base_port}",
        locale={"en": "en-US", "ja": "ja-JP"}[language],
        viewport={"width": width, "height": 900},
    )
    yield language, width, context.new_page()
    context.close()


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(re.compile(r"/$"))


def loaded(image) -> None:  # type: ignore[no-untyped-def]
    """The image is on screen, fetched from the store and decoded."""
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    page = image.page
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_products_images_are_chosen_and_shown_everywhere(shopper, admin_person, matcha):
    language, width, page = shopper
    words = WORDS[language]
    product, front, back = matcha
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, admin_person.user.email)

    # The form: tick both, move "back" before "front", make "front" the main image.
    page.goto(f"/catalog/manage/products/{product.pk}")
    choices = page.get_by_test_id("image-choice")
    expect(choices).to_have_count(2)
    for choice in (choices.nth(0), choices.nth(1)):
        choice.get_by_label(words["show"]).check()
    back_choice = page.locator(f'[data-testid="image-choice"][data-id="{back.pk}"]')
    if choices.nth(0).get_attribute("data-id") != str(back.pk):
        back_choice.locator("button[data-move=up]").click()
    expect(choices.nth(0)).to_have_attribute("data-id", str(back.pk))
    page.locator(f'[data-testid="image-choice"][data-id="{front.pk}"]').get_by_label(
        words["main"]
    ).check()
    shot(page, f"form-{language}-{width}")
    page.get_by_test_id("product-form").get_by_role("button", name=words["save"]).click()
    page.wait_for_url(re.compile(r"/catalog/manage$"))
    # What the worker does (unless a worker another test started did it already): search
    # learns of the change.
    outbox_drain()

    # Search results: the main image's thumbnail beside the name.
    result = page.get_by_test_id("result").filter(has_text=NAME)
    deadline = time.monotonic() + 30  # the index shows a change within its refresh interval
    while True:
        page.goto("/catalog?q=抹茶")
        if result.count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(result).to_have_count(1)
    thumb = result.get_by_test_id("product-thumb")
    loaded(thumb)
    expect(thumb).to_have_attribute("alt", NAME)
    assert f"/thumbs/{front.pk}-" in thumb.get_attribute("src")
    shot(page, f"results-{language}-{width}")

    # The product page: the main image large, the gallery switches it.
    result.get_by_role("link", name=NAME).click()
    main = page.get_by_test_id("product-image")
    loaded(main)
    expect(main).to_have_attribute("alt", NAME)
    assert f"/display/{front.pk}-" in main.get_attribute("src")
    assert main.evaluate("img => img.naturalWidth") == 800
    assert main.bounding_box()["width"] <= min(800, width)
    gallery = page.get_by_test_id("product-gallery").locator("img")
    expect(gallery).to_have_count(2)
    for n in range(2):
        loaded(gallery.nth(n))
    shot(page, f"product-{language}-{width}")
    gallery.nth(1).click()
    expect(main).to_have_attribute("src", re.compile(rf"/display/{back.pk}-"))
    loaded(main)

    in_the_cart(page, words, language, width)
    assert errors == []


def in_the_cart(page: Page, words: dict[str, str], language: str, width: int) -> None:
    """From the product page, into the cart: a thumbnail on the line."""
    page.get_by_role("button", name=words["add"]).click()
    page.wait_for_url(re.compile(r"/cart$"))
    line = page.get_by_test_id("cart-line")
    loaded(line.get_by_test_id("product-thumb"))
    expect(line.get_by_test_id("product-thumb")).to_have_attribute("alt", NAME)
    # The name beside (or under) the thumbnail is not broken one character a line.
    name = line.locator(".cart-product span")
    lines = name.evaluate(
        "e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight)"
    )
    assert lines <= 2.1, lines
    shot(page, f"cart-{language}-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
