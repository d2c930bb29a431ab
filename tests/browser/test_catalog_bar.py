"""The catalog's search and filter bar in a real browser (issue 21), in English and Japanese
at 1280 and 390 px: every button's and label's words on one line, no control narrower than
its label, no sideways scroll, the search field taking the phone's row; suggestions that
drop down as a list over the page and are used with the keyboard; a price range the wrong
way round said beside its field, in the page's language, with the products still shown.

KURA_SCREENSHOTS=<folder> keeps a screenshot of each state there, to look at."""

import re
from collections.abc import Callable, Iterator

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import Browser, Page, expect

from apps.accounts.principal import SystemActor
from apps.catalog.models import Product
from apps.catalog.services import product_create, product_delete
from apps.search.models import OutboxEntry
from apps.search.sync import outbox_drain
from tests.browser.conftest import signed_in_context
from tests.browser.test_files import shot

NAMES = ["抹茶ラテ", "京都 宇治抹茶 30g", "生チョコ 抹茶味", "ほうじ茶", "Green tea"]

# Each element's words as the browser laid them out: how many lines, and how wide.
MEASURE = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length)
  .map((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set();
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const words = document.createRange();
      words.selectNodeContents(walker.currentNode);
      for (const r of words.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    const style = getComputedStyle(el);
    return {
      text: el.innerText.trim() || el.getAttribute("aria-label") || el.name,
      lines: tops.size,
      width: el.getBoundingClientRect().width,
      textWidth: range.getBoundingClientRect().width,
      height: el.getBoundingClientRect().height,
      lineHeight: parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5,
      chrome: parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)
        + parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth),
    };
  })"""
# Each labelled control's width beside its label's words.
LABELLED = """() => [...document.querySelectorAll('[data-testid="search-form"] label[for]')]
  .map((label) => {
    const control = document.getElementById(label.htmlFor);
    const range = document.createRange();
    range.selectNodeContents(label);
    return {label: label.innerText.trim(), labelWidth: range.getBoundingClientRect().width,
            controlWidth: control.getBoundingClientRect().width};
  })"""


@pytest.fixture
def teas(committed, tenant) -> Iterator[dict[str, Product]]:  # type: ignore[no-untyped-def]
    """Products committed and indexed where the web process searches; gone afterwards,
    from the index too."""
    with schema_context(tenant.schema_name):
        made = {
            name: product_create(
                tenant=tenant,
                actor=SystemActor(tenant, "tests"),
                fields={"name": name, "sku": f"TEA-{i}", "price": 500 + 100 * i, "stock": 5},
            )
            for i, name in enumerate(NAMES)
        }
    connection.set_schema_to_public()
    while outbox_drain():
        pass
    yield made
    connection.set_schema_to_public()
    with schema_context(tenant.schema_name):
        for product in Product.objects.all():  # through the service: out of the index too
            product_delete(tenant=tenant, actor=SystemActor(tenant, "tests"), product=product)
    connection.set_schema_to_public()
    while outbox_drain():
        pass
    OutboxEntry.objects.filter(tenant=tenant).delete()


@pytest.fixture
def catalog_page(
    browser: Browser, base_port, tenant, committed_person, teas
) -> Iterator[Callable[..., Page]]:  # type: ignore[no-untyped-def]
    """`path` (the catalog) for a signed-in member, in `language`, `width` px wide."""
    base = f"http://{tenant.slug}.localhost:{base_port}"
    contexts = []

    def open_page(language: str, width: int, path: str = "/catalog") -> Page:
        context = signed_in_context(
            browser, base, committed_person.user.email, language=language, width=width
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        expect(page.get_by_test_id("result")).not_to_have_count(0)
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_laid_out_whole(page: Page) -> None:
    """No sideways scroll; each button, label and summary of the bar on one line; no
    control narrower than its label."""
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    form = '[data-testid="search-form"]'
    for box in page.evaluate(MEASURE, f"{form} label, {form} summary"):
        assert box["lines"] == 1, box
    for box in page.evaluate(MEASURE, f"{form} button"):
        assert box["lines"] == 1, box
        # One line box tall, with its padding and border.
        assert box["height"] <= box["lineHeight"] + box["chrome"] + 2, box
    for pair in page.evaluate(LABELLED):
        assert pair["controlWidth"] >= pair["labelWidth"], pair


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 390])
def test_the_bar_and_its_filters_lay_out_whole(catalog_page, language, width):
    page = catalog_page(language, width)
    summary = {"en": "Price, stock and order", "ja": "価格・在庫・並び順"}[language]
    page.get_by_text(summary).click()
    expect(page.locator("#id_price_min")).to_be_visible()
    assert_laid_out_whole(page)
    search = page.locator("#id_q").bounding_box()
    button = page.get_by_test_id("search-button").bounding_box()
    assert search
    assert button
    # The field takes the row beside its button; on a phone that is most of the screen.
    assert search["width"] >= width * (0.6 if width < 768 else 0.7)
    assert abs(search["y"] - button["y"]) <= 1
    shot(page, f"catalog-bar-{language}-{width}")


@pytest.mark.parametrize(("language", "width"), [("ja", 1280), ("en", 390)])
def test_suggestions_drop_down_and_answer_the_keyboard(catalog_page, teas, language, width):
    page = catalog_page(language, width)
    box = page.get_by_role("combobox")
    button_before = page.get_by_test_id("search-button").bounding_box()
    box.press_sequentially("抹茶")
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)
    assert sorted(options.all_inner_texts()) == sorted(NAMES[:3])
    expect(box).to_have_attribute("aria-expanded", "true")
    # A list over the page under the box, the row around it unmoved.
    assert page.get_by_test_id("search-button").bounding_box() == button_before
    field, dropped = box.bounding_box(), listbox.bounding_box()
    assert field
    assert dropped
    assert dropped["y"] >= field["y"] + field["height"]
    assert abs(dropped["width"] - field["width"]) <= 2
    shot(page, f"catalog-suggestions-{language}-{width}")

    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-2")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    expect(box).to_have_value("抹茶")

    box.press("ArrowDown")  # opens the list again, on its first name
    expect(listbox).to_be_visible()
    chosen = options.nth(0).inner_text()
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/catalog/{teas[chosen].pk}$"))
    expect(page.get_by_role("heading", name=chosen)).to_be_visible()


def test_enter_without_a_chosen_name_searches_what_was_typed(catalog_page):
    page = catalog_page("ja", 390)
    box = page.get_by_role("combobox")
    box.press_sequentially("まっちゃ")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(3)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/catalog\?q=%E3%81%BE%E3%81%A3%E3%81%A1%E3%82%83"))
    expect(page.get_by_test_id("result")).to_have_count(3)


@pytest.mark.parametrize("language", ["en", "ja"])
@pytest.mark.parametrize("width", [1280, 390])
def test_a_price_range_the_wrong_way_round_is_said_beside_the_field(catalog_page, language, width):
    page = catalog_page(language, width, "/catalog?price_min=700&price_max=600")
    error = page.locator("#id_price_max-error")
    says = {
        "en": "Enter a price no lower than the “from” price.",
        "ja": "下限以上の価格を入力してください。",
    }[language]
    expect(error).to_have_text(says)
    expect(page.locator("#id_price_max")).to_have_attribute("aria-invalid", "true")
    # The products stay: those from ¥700, the range's refused end left out.
    expect(page.get_by_test_id("result")).to_have_count(3)
    (lines,) = [box["lines"] for box in page.evaluate(MEASURE, "#id_price_max-error")]
    assert lines <= 2
    assert_laid_out_whole(page)
    shot(page, f"catalog-bad-range-{language}-{width}")
