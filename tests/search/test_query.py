"""The query builder on the real Elasticsearch with Kura's analysis plugin: Japanese
matching, typos, synonyms, facets, highlight, suggest, paging, and one company's search
never reaching another's products."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django_tenants.utils import tenant_context
from elasticsearch.helpers import bulk

from apps.accounts.principal import SystemActor
from apps.search import query
from apps.search.errors import SearchUnavailableError
from apps.search.models import TenantSynonym
from apps.search.query import PriceCount, TermCount
from apps.tenants.models import Tenant
from tests.search.factories import TenantSynonymFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    """The refusals below are asserted in English; the default language is Japanese, and
    which one a test before left active depends on the order the tests ran in."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("names", "q", "found"),
    [
        # Inflected forms: the dictionary form finds them.
        (["川の近くに住んでいる猫の置物", "海の絵"], "住む", ["川の近くに住んでいる猫の置物"]),
        # Compound nouns: a part finds the whole.
        (["関西国際空港ガイドブック", "国際電話カード"], "空港", ["関西国際空港ガイドブック"]),
        (["関西国際空港ガイドブック", "国際電話カード"], "国際空港", ["関西国際空港ガイドブック"]),
        # Full-width and half-width forms are one.
        (["アイフォンケース", "手帳"], "ｱｲﾌｫﾝｹｰｽ", ["アイフォンケース"]),
        (["ＵＳＢケーブル", "電源タップ"], "usb", ["ＵＳＢケーブル"]),
        # Katakana long vowels, either way.
        (["ノートコンピューター", "ノート"], "コンピュータ", ["ノートコンピューター"]),
        (["ノートコンピュータ", "ノート"], "コンピューター", ["ノートコンピュータ"]),
        # 京都 is not inside 東京都.
        (["京都の抹茶", "東京都の地図"], "京都", ["京都の抹茶"]),
        (["京都の抹茶", "東京都の地図"], "東京", ["東京都の地図"]),
        # A Latin typo.
        (["iPhone 15 Pro", "Galaxy S24"], "iphnoe", ["iPhone 15 Pro"]),
        # The seed's query, through the built-in katakana/Latin brand names.
        (["iPhone 15 Pro", "iPhone 14", "Galaxy S24"], "アイフォン 15", ["iPhone 15 Pro"]),
        (["Sony WH-1000XM5", "Bose QC45"], "ソニー", ["Sony WH-1000XM5"]),
        (["ソニー ヘッドホン", "Bose QC45"], "sony", ["ソニー ヘッドホン"]),
        # Every word must match, in the name, description or brand.
        (["iPhone 15 Pro", "iPhone 14"], "iphone pro", ["iPhone 15 Pro"]),
    ],
)
def test_japanese_and_latin_matching(shop, tenant, names, q, found):
    for name in names:
        shop.product(tenant, name)
    assert shop.found(tenant, q) == found


def test_the_kana_reading_finds_the_kanji_name(shop, tenant):
    shop.product(tenant, "東京タワー模型")
    shop.product(tenant, "大阪城")
    assert shop.found(tenant, "とうきょう") == ["東京タワー模型"]
    assert shop.found(tenant, "トウキョウ") == ["東京タワー模型"]


def test_the_name_weighs_more_than_the_description(shop, tenant):
    shop.product(tenant, "ノート", description="革のカバー")
    shop.product(tenant, "革のカバー", description="ノートに")
    result = shop.search(tenant, "カバー")
    assert [shop.names[(tenant.pk, h.product_id)] for h in result.hits] == ["革のカバー", "ノート"]


def test_a_company_synonym_works_for_that_company_only(shop, tenant, other_tenant):
    shop.product(tenant, "お年玉袋 5枚")
    shop.product(other_tenant, "お年玉袋 10枚")
    assert shop.found(tenant, "ポチ袋") == []
    TenantSynonymFactory(tenant=tenant, terms="ポチ袋, お年玉袋")
    assert shop.found(tenant, "ポチ袋") == ["お年玉袋 5枚"]
    assert shop.found(other_tenant, "ポチ袋") == []
    assert shop.found(other_tenant, "お年玉袋") == ["お年玉袋 10枚"]


@pytest.mark.parametrize(
    "q",
    [
        "name:*",
        '"',
        "\\",
        "*",
        "iPhone OR Galaxy",
        'name:"iPhone"',
        "tenant:{other}",
        "tenant:* OR *",
        "(iPhone",
        "iPhone~2",
        "/.*/",
    ],
)
def test_query_syntax_is_text_and_never_crosses_companies(shop, tenant, other_tenant, q):
    shop.product(tenant, "Name tag")
    shop.product(other_tenant, "iPhone 15 Pro")
    shop.product(other_tenant, "Galaxy S24")
    found = shop.found(tenant, q.format(other=other_tenant.pk))
    expected = {
        "name:*": ["Name tag"],
        '"': ["Name tag"],  # no word: every product, as a blank query
        "\\": ["Name tag"],
        "*": ["Name tag"],
        "/.*/": ["Name tag"],
    }
    assert found == expected.get(q, [])


def test_another_companys_products_never_appear(shop, tenant, other_tenant):
    theirs = shop.category(other_tenant, "家電")
    their_brand = shop.brand(other_tenant, "Apple")
    shop.product(other_tenant, "iPhone 15 Pro", category=theirs, brand=their_brand, price=159800)
    mine = shop.product(tenant, "iPhone ケース", price=1980)
    assert shop.found(tenant, "iphone") == ["iPhone ケース"]
    assert shop.found(tenant, "") == ["iPhone ケース"]
    # Their category and brand ids match nothing here, even where the ids are the same.
    assert shop.found(tenant, "", category=theirs.pk) == []
    assert shop.found(tenant, "", brand=their_brand.pk) == []
    result = shop.search(tenant, "")
    assert (result.categories, result.brands, result.total) == ([], [], 1)
    assert [p.count for p in result.prices] == [0, 1, 0, 0, 0]
    assert [h.product_id for h in result.hits] == [mine.pk]
    assert query.product_suggest(actor=SystemActor(tenant, "tests"), q="iph", index=shop.index) == [
        query.Suggestion(product_id=mine.pk, name="iPhone ケース")
    ]


def test_facets_count_the_companys_products_each_under_the_other_filters(
    shop, tenant, other_tenant
):
    appliances = shop.category(tenant, "家電")
    phones = shop.category(tenant, "スマートフォン", parent=appliances)
    audio = shop.category(tenant, "オーディオ", parent=appliances)
    apple, sony = shop.brand(tenant, "Apple"), shop.brand(tenant, "Sony")
    shop.product(tenant, "iPhone 15", category=phones, brand=apple, price=124800)
    shop.product(tenant, "AirPods", category=audio, brand=apple, price=39800)
    shop.product(tenant, "Xperia 1", category=phones, brand=sony, price=189000, stock=0)
    shop.product(tenant, "WH-1000XM5", category=audio, brand=sony, price=49500)
    shop.product(tenant, "充電ケーブル", price=980)
    # Another company's products are never counted.
    shop.product(other_tenant, "Pixel 8", price=112900)

    everything = shop.search(tenant)
    assert everything.total == 5
    assert sorted(everything.categories, key=lambda c: c.id) == sorted(
        [TermCount(id=phones.pk, count=2), TermCount(id=audio.pk, count=2)], key=lambda c: c.id
    )
    assert sorted(everything.brands, key=lambda b: b.id) == sorted(
        [TermCount(id=apple.pk, count=2), TermCount(id=sony.pk, count=2)], key=lambda b: b.id
    )
    assert everything.prices == [
        PriceCount(key="0-1000", start=None, end=1000, count=1),
        PriceCount(key="1000-5000", start=1000, end=5000, count=0),
        PriceCount(key="5000-10000", start=5000, end=10000, count=0),
        PriceCount(key="10000-50000", start=10000, end=50000, count=2),
        PriceCount(key="50000-", start=50000, end=None, count=2),
    ]

    # Choosing Apple: the results and the other facets narrow; the brands facet still
    # counts Sony, so it can be chosen instead.
    chosen = shop.search(tenant, brand=apple.pk)
    assert (chosen.total, sorted(shop.names[(tenant.pk, h.product_id)] for h in chosen.hits)) == (
        2,
        ["AirPods", "iPhone 15"],
    )
    assert {(b.id, b.count) for b in chosen.brands} == {(apple.pk, 2), (sony.pk, 2)}
    assert {(c.id, c.count) for c in chosen.categories} == {(phones.pk, 1), (audio.pk, 1)}
    assert [p.count for p in chosen.prices] == [0, 0, 0, 1, 1]

    # A top-level category holds its subcategories; price bounds are inclusive.
    assert shop.found(tenant, category=appliances.pk) == [
        "AirPods",
        "WH-1000XM5",
        "Xperia 1",
        "iPhone 15",
    ]
    assert shop.found(tenant, category=phones.pk, price_max=124800) == ["iPhone 15"]
    assert shop.found(tenant, price_min=39800, price_max=49500) == ["AirPods", "WH-1000XM5"]
    in_stock = shop.search(tenant, in_stock=True, category=phones.pk)
    assert [shop.names[(tenant.pk, h.product_id)] for h in in_stock.hits] == ["iPhone 15"]
    assert {(b.id, b.count) for b in in_stock.brands} == {(apple.pk, 1)}
    assert shop.found(tenant, in_stock=False) == ["Xperia 1"]


def test_highlight_marks_matches_and_escapes_the_source(shop, tenant):
    shop.product(
        tenant,
        "<script>alert(1)</script> ケーブル",
        description="長さ2mの<b>丈夫な</b>ケーブルです",
    )
    shop.product(tenant, "iPhone 15 Pro")
    [hit] = shop.search(tenant, "ケーブル").hits
    assert hit.name == "&lt;script&gt;alert(1)&lt;&#x2F;script&gt; <mark>ケーブル</mark>"
    assert hit.description == "長さ2mの&lt;b&gt;丈夫な&lt;&#x2F;b&gt;<mark>ケーブル</mark>です"
    [typo] = shop.search(tenant, "iphnoe").hits
    assert (typo.name, typo.description) == ("<mark>iPhone</mark> 15 Pro", None)
    [synonym] = shop.search(tenant, "アイフォン").hits
    assert synonym.name == "<mark>iPhone</mark> 15 Pro"


def test_sorts(shop, tenant):
    for name, price in [("ペンA", 300), ("ペンB", 100), ("ペンC", 200)]:
        shop.product(tenant, name, price=price)

    def order(**kwargs):
        return [shop.names[(tenant.pk, h.product_id)] for h in shop.search(tenant, **kwargs).hits]

    assert order(q="ペン", sort="price") == ["ペンB", "ペンC", "ペンA"]
    assert order(q="ペン", sort="-price") == ["ペンA", "ペンC", "ペンB"]
    assert order(sort="newest") == ["ペンC", "ペンB", "ペンA"]
    assert order(sort="relevance") == ["ペンC", "ペンB", "ペンA"]  # no text: newest
    with pytest.raises(ValidationError) as refused:
        shop.search(tenant, sort="cheapest")
    assert refused.value.message_dict == {"sort": ["Sort by relevance, price, -price or newest."]}


@pytest.mark.parametrize("sort", ["relevance", "price", "-price", "newest"])
def test_after_walks_every_result_once(shop, tenant, other_tenant, sort):
    made = {shop.product(tenant, f"ノート {i}", price=100 * (i % 4)).pk for i in range(23)}
    shop.product(tenant, "鉛筆")
    shop.product(other_tenant, "ノート X")
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        result = shop.search(tenant, "ノート", sort=sort, size=5, after=after)
        assert result.total == 23
        assert result.page == (None if after else 1)
        seen += [h.product_id for h in result.hits]
        pages += 1
        after = result.next_after
        if after is None:
            break
    assert (pages, len(seen), set(seen)) == (5, 23, made)
    # Numbered pages give the same order.
    by_page = [
        h.product_id
        for page in range(1, 6)
        for h in shop.search(tenant, "ノート", sort=sort, size=5, page=page).hits
    ]
    assert by_page == seen


def test_a_position_holds_only_for_its_own_search(shop, tenant, other_tenant):
    for i in range(3):
        shop.product(tenant, f"ノート {i}")
    after = shop.search(tenant, "ノート", size=1).next_after
    assert after is not None
    assert len(shop.search(tenant, "ノート", size=1, after=after).hits) == 1
    invalid = {"after": ["This position is not valid for this search; start again."]}
    for other_search in [
        {"q": "ノート", "sort": "newest"},
        {"q": "ペン"},
        {"q": "ノート", "in_stock": True},
        {"q": "ノート", "tenant": other_tenant},
        {"q": "ノート", "tampered": True},
    ]:
        target = other_search.pop("tenant", tenant)
        token = after[:-2] + "xx" if other_search.pop("tampered", False) else after
        with pytest.raises(ValidationError) as refused:
            shop.search(target, size=1, after=token, **other_search)
        assert refused.value.message_dict == invalid


def test_pages_stop_at_ten_thousand_results(shop, tenant):
    with pytest.raises(ValidationError) as refused:
        shop.search(tenant, page=501, size=20)
    assert refused.value.message_dict == {
        "page": ["Pages go 10,000 results deep; go further with `after`."]
    }
    assert shop.search(tenant, page=500, size=20).hits == []


def test_totals_are_exact_up_to_ten_thousand_then_flagged(es, shop, tenant):
    fake_tenant = 10**9 + tenant.pk  # no company has this id: only these documents
    fake = SystemActor(Tenant(pk=fake_tenant), "tests")
    bulk(
        es,
        (
            {
                "_index": shop.index,
                "_id": f"{fake_tenant}-{i}",
                "_routing": str(fake_tenant),
                "tenant": str(fake_tenant),
                "product_id": i,
                "name": "ノート",
                "price": i,
                "created_at": "2026-01-01T00:00:00+00:00",
            }
            for i in range(1, 10_002)
        ),
    )
    shop.documents += [(f"{fake_tenant}-{i}", str(fake_tenant)) for i in range(1, 10_002)]
    shop.refresh()
    result = query.product_search(actor=fake, q="ノート", index=shop.index, size=20)
    assert (result.total, result.total_is_estimate) == (10_000, True)
    last = query.product_search(actor=fake, q="", sort="price", index=shop.index, size=20, page=500)
    assert [h.product_id for h in last.hits] == list(range(9981, 10_001))
    assert last.next_after is not None
    beyond = query.product_search(
        actor=fake, q="", sort="price", index=shop.index, size=20, after=last.next_after
    )
    assert ([h.product_id for h in beyond.hits], beyond.next_after) == ([10_001], None)
    exact = query.product_search(actor=fake, q="", index=shop.index, price_max=500)
    assert (exact.total, exact.total_is_estimate) == (500, False)


def test_did_you_mean_corrects_with_the_companys_own_words(shop, tenant, other_tenant):
    shop.product(tenant, "Apple Watch Series 9")
    shop.product(other_tenant, "Abbey Road LP")
    result = shop.search(tenant, "abble watch")
    assert (result.total, result.did_you_mean) == (0, "apple watch")
    # Another company's words are never proposed.
    assert shop.search(tenant, "abbey").did_you_mean is None
    assert shop.search(tenant, "watch").did_you_mean is None  # found: nothing to correct


def test_suggest_completes_names_from_kanji_kana_and_romaji(shop, tenant, other_tenant):
    tower = shop.product(tenant, "東京タワー模型")
    station = shop.product(tenant, "東京駅の写真集")
    shop.product(tenant, "大阪城")
    shop.product(other_tenant, "東京スカイツリー")
    shop.refresh()

    def names(q):
        return sorted(
            s.name
            for s in query.product_suggest(
                actor=SystemActor(tenant, "tests"), q=q, index=shop.index
            )
        )

    assert names("東京") == ["東京タワー模型", "東京駅の写真集"]
    assert names("とうきょう") == ["東京タワー模型", "東京駅の写真集"]
    assert names("toukyou") == ["東京タワー模型", "東京駅の写真集"]
    assert names("東京タ") == ["東京タワー模型"]
    assert names("トウキョウ") == ["東京タワー模型", "東京駅の写真集"]
    assert names("おおさか") == ["大阪城"]
    assert names("") == []
    ids = {
        s.name: s.product_id
        for s in query.product_suggest(
            actor=SystemActor(tenant, "tests"), q="東京", index=shop.index
        )
    }
    assert ids == {"東京タワー模型": tower.pk, "東京駅の写真集": station.pk}


def test_suggest_lists_every_name_containing_the_word_not_only_those_it_begins(
    shop, tenant, other_tenant
):
    """Issue 21: 抹茶 suggested one of three matching products (the completion suggester
    completes names from their first word only)."""
    latte = shop.product(tenant, "抹茶ラテ")
    uji = shop.product(tenant, "京都 宇治抹茶 30g")
    chocolate = shop.product(tenant, "生チョコ 抹茶味")
    shop.product(tenant, "ほうじ茶")
    shop.product(other_tenant, "抹茶アイス")
    shop.refresh()

    def suggested(q):
        return [
            (s.product_id, s.name)
            for s in query.product_suggest(
                actor=SystemActor(tenant, "tests"), q=q, index=shop.index
            )
        ]

    every = [
        (latte.pk, "抹茶ラテ"),
        (uji.pk, "京都 宇治抹茶 30g"),
        (chocolate.pk, "生チョコ 抹茶味"),
    ]
    # The name that begins with the word first, then the others.
    assert suggested("抹茶")[0] == (latte.pk, "抹茶ラテ")
    assert sorted(suggested("抹茶")) == sorted(every)
    assert sorted(suggested("まっちゃ")) == sorted(every)
    assert sorted(suggested("マッチャ")) == sorted(every)
    assert sorted(suggested("maccha")) == sorted(every)
    assert sorted(suggested("matcha")) == sorted(every)
    assert suggested("宇治") == [(uji.pk, "京都 宇治抹茶 30g")]
    assert suggested("uji") == [(uji.pk, "京都 宇治抹茶 30g")]


def test_suggest_gives_each_name_once_and_at_most_ten(shop, tenant):
    for i in range(12):
        shop.product(tenant, f"ノート {i:02d}")
    shop.product(tenant, "ノート 00")
    shop.refresh()
    found = query.product_suggest(actor=SystemActor(tenant, "tests"), q="ノート", index=shop.index)
    assert len(found) == 10
    assert len({s.name for s in found}) == 10


def test_elasticsearch_down_is_search_unavailable(settings, tenant):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    with pytest.raises(SearchUnavailableError):
        query.product_search(actor=SystemActor(tenant, "tests"), q="ノート")
    with pytest.raises(SearchUnavailableError):
        query.product_suggest(actor=SystemActor(tenant, "tests"), q="ノート")


def test_synonym_rows_are_each_companys_own(tenant, other_tenant):
    """Row-level security on the synonyms: a company's connection sees its own rows only."""
    TenantSynonymFactory(tenant=tenant, terms="a, b")
    TenantSynonymFactory(tenant=other_tenant, terms="c, d")
    with tenant_context(tenant):
        assert list(TenantSynonym.objects.values_list("terms", flat=True)) == ["a, b"]
