"""Kura's analysis plugin (search/es-plugin) on the real Elasticsearch: every component through
`_analyze`, then one index whose analyzers chain them, searched the way the catalog will be.

The expected tokens are kuromoji's own (IPADIC, Lucene 10.3): a change in them is a change in
what people find, so they are pinned exactly.
"""

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from elasticsearch import BadRequestError, Elasticsearch

from apps.core.search import es_client

# Half-width katakana, full-width digits and Latin, as people paste them.
WIDE_PHONE = "ｱｲﾌｫﾝ１５ ＰＲＯ"  # noqa: RUF001 - the width is the point
SKYTREE_RULE = "東京スカイツリー,東京 スカイツリー,トウキョウ スカイツリー,カスタム名詞"

# One analyzer per field, as the catalog's mapping will chain them.
ANALYSIS = {
    "filter": {
        "romaji": {"type": "kura_ja_readingform", "use_romaji": True},
        "prefixes": {"type": "kura_edge_ngram", "min_gram": 1, "max_gram": 10},
    },
    "analyzer": {
        "ja": {
            "type": "custom",
            "char_filter": ["kura_cjk_width", "kura_ja_iteration_mark"],
            "tokenizer": "kura_ja_tokenizer",
            "filter": [
                "kura_ja_baseform",
                "kura_ja_part_of_speech",
                "kura_ja_stop",
                "kura_ja_katakana_stem",
                "kura_ascii_folding",
                "lowercase",
            ],
        },
        "ja_reading": {
            "type": "custom",
            "char_filter": ["kura_cjk_width"],
            "tokenizer": "kura_ja_tokenizer",
            "filter": ["kura_ja_readingform"],
        },
        "ja_reading_prefix": {
            "type": "custom",
            "char_filter": ["kura_cjk_width"],
            "tokenizer": "kura_ja_tokenizer",
            "filter": ["kura_ja_readingform", "prefixes"],
        },
        "ja_romaji": {
            "type": "custom",
            "tokenizer": "kura_ja_tokenizer",
            "filter": ["romaji", "kura_ascii_folding"],
        },
    },
}
MAPPINGS = {
    "properties": {
        "name": {
            "type": "text",
            "analyzer": "ja",
            "fields": {
                "reading": {
                    "type": "text",
                    "analyzer": "ja_reading_prefix",
                    "search_analyzer": "ja_reading",
                },
                "romaji": {"type": "text", "analyzer": "ja_romaji"},
            },
        }
    }
}
DOCS = {
    "tocho": "東京都庁",
    "kyoto": "京都の寺",
    "live": "川の近くに住んでいる",
    "phone": WIDE_PHONE,
    "tower": "東京タワー",
    "computer": "ノートコンピューター",
    "cafe": "Café au lait",
    "sometimes": "時々ひらく店",
}


@pytest.fixture(scope="module")
def es() -> Elasticsearch:
    return es_client()


@pytest.fixture(scope="module")
def index(es: Elasticsearch) -> Iterator[str]:
    """A throwaway index per run: helpers and CI runs share one node."""
    name = f"{settings.ELASTICSEARCH_INDEX_PREFIX}-analysis-{uuid.uuid4().hex[:8]}"
    es.indices.create(
        index=name,
        settings={"number_of_shards": 1, "number_of_replicas": 0, "analysis": ANALYSIS},
        mappings=MAPPINGS,
    )
    try:
        for doc_id, text in DOCS.items():
            es.index(index=name, id=doc_id, document={"name": text})
        es.indices.refresh(index=name)
        yield name
    finally:
        es.indices.delete(index=name)


def tokens(es: Elasticsearch, text: str, **analyzer: Any) -> list[str]:
    return [t["token"] for t in es.indices.analyze(text=text, **analyzer)["tokens"]]


def ids(es: Elasticsearch, index: str, field: str, query: str) -> list[str]:
    hits = es.search(index=index, query={"match": {field: {"query": query, "operator": "and"}}})
    return sorted(hit["_id"] for hit in hits["hits"]["hits"])


def test_the_node_runs_the_kura_analysis_plugin(es):
    plugins = es.cat.plugins(format="json")
    assert [(p["component"], p["version"]) for p in plugins] == [("kura-analysis", "1.0.0")]


def test_tokenizer_search_mode_splits_compounds_but_never_finds_kyoto_in_tokyo_to(es):
    assert tokens(es, "東京都", tokenizer="kura_ja_tokenizer") == ["東京", "都"]
    assert tokens(es, "東京都庁", tokenizer="kura_ja_tokenizer") == ["東京", "都庁"]
    assert tokens(es, "関西国際空港", tokenizer="kura_ja_tokenizer") == [
        "関西",
        "関西国際空港",
        "国際",
        "空港",
    ]
    normal = {"type": "kura_ja_tokenizer", "mode": "normal"}
    assert tokens(es, "関西国際空港", tokenizer=normal) == ["関西国際空港"]
    discard = {"type": "kura_ja_tokenizer", "discard_compound_token": True}
    assert tokens(es, "関西国際空港", tokenizer=discard) == ["関西", "国際", "空港"]


def test_tokenizer_user_dictionary_rules_keep_a_name_whole(es):
    assert tokens(es, "東京スカイツリーへ", tokenizer="kura_ja_tokenizer") == [
        "東京",
        "スカイ",
        "ツリー",
        "へ",
    ]
    tokenizer = {"type": "kura_ja_tokenizer", "user_dictionary_rules": [SKYTREE_RULE]}
    assert tokens(es, "東京スカイツリーへ", tokenizer=tokenizer) == ["東京", "スカイツリー", "へ"]


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        (
            {"type": "kura_ja_tokenizer", "mode": "fast"},
            "kura_ja_tokenizer: mode must be search, normal or extended, not [fast]",
        ),
        (
            {"type": "kura_ja_tokenizer", "user_dictionary": "../elsewhere.txt"},
            (
                "kura_ja_tokenizer: user_dictionary must be a path under the config directory,"
                " not [../elsewhere.txt]"
            ),
        ),
        (
            {"type": "kura_ja_tokenizer", "user_dictionary_rules": ["東京,東,トウ"]},
            "kura_ja_tokenizer: invalid user dictionary",
        ),
    ],
)
def test_tokenizer_refuses_bad_settings_with_the_reason(es, settings_, message):
    with pytest.raises(BadRequestError) as raised:
        tokens(es, "東京", tokenizer=settings_)
    assert message in str(raised.value.info)


def test_baseform_turns_inflections_into_the_dictionary_form(es):
    assert tokens(es, "住んでいる", tokenizer="kura_ja_tokenizer", filter=["kura_ja_baseform"]) == [
        "住む",
        "で",
        "いる",
    ]


def test_part_of_speech_drops_particles_by_default_or_the_tags_given(es):
    text = "私は猫が好きです"
    assert tokens(es, text, tokenizer="kura_ja_tokenizer", filter=["kura_ja_part_of_speech"]) == [
        "私",
        "猫",
        "好き",
    ]
    only_wa = {"type": "kura_ja_part_of_speech", "stoptags": ["助詞-係助詞"]}
    assert tokens(es, text, tokenizer="kura_ja_tokenizer", filter=[only_wa]) == [
        "私",
        "猫",
        "が",
        "好き",
        "です",
    ]


def test_stop_drops_japanese_stop_words_or_the_words_given(es):
    text = "これはペンです"
    assert tokens(es, text, tokenizer="kura_ja_tokenizer", filter=["kura_ja_stop"]) == ["ペン"]
    own = {"type": "kura_ja_stop", "stopwords": ["ペン"]}
    assert tokens(es, text, tokenizer="kura_ja_tokenizer", filter=[own]) == ["これ", "は", "です"]


def test_readingform_gives_katakana_or_hepburn_romaji(es):
    analyze = {"tokenizer": "kura_ja_tokenizer"}
    assert tokens(es, "東京", **analyze, filter=["kura_ja_readingform"]) == ["トウキョウ"]
    romaji = {"type": "kura_ja_readingform", "use_romaji": True}
    # Lucene writes long vowels with macrons; ASCII folding makes them typeable.
    assert tokens(es, "東京", **analyze, filter=[romaji]) == ["tōkyō"]
    assert tokens(es, "東京", **analyze, filter=[romaji, "kura_ascii_folding"]) == ["tokyo"]


def test_completion_adds_romaji_of_the_reading_for_suggest(es):
    analyze = {"tokenizer": "kura_ja_tokenizer"}
    assert tokens(es, "東京タワー", **analyze, filter=["kura_ja_completion"]) == [
        "東京",
        "toukyou",
        "タワー",
        "tawaー",
    ]
    query = {"type": "kura_ja_completion", "mode": "query"}
    assert tokens(es, "とうk", **analyze, filter=[query]) == ["とうk", "touk"]


def test_cjk_width_as_token_filter_and_as_char_filter(es):
    text = WIDE_PHONE
    assert tokens(es, text, tokenizer="kura_ja_tokenizer", filter=["kura_cjk_width"]) == [
        "アイフォン",
        "1",
        "5",
        "PRO",
    ]
    # Folded before kuromoji sees it, the number stays whole.
    assert tokens(es, text, tokenizer="kura_ja_tokenizer", char_filter=["kura_cjk_width"]) == [
        "アイフォン",
        "15",
        "PRO",
    ]


def test_edge_ngram_gives_the_prefixes_of_each_token(es):
    prefixes = {"type": "kura_edge_ngram", "min_gram": 1, "max_gram": 10}
    analyze = {"tokenizer": "kura_ja_tokenizer"}
    # Kuromoji reads hiragana とうきょう as two words; the prefixes are each word's.
    assert tokens(es, "とうきょう", **analyze, filter=[prefixes]) == [
        "と",
        "とう",
        "き",
        "きょ",
        "きょう",
    ]
    assert tokens(es, "東京", **analyze, filter=["kura_ja_readingform", prefixes]) == [
        "ト",
        "トウ",
        "トウキ",
        "トウキョ",
        "トウキョウ",
    ]
    assert tokens(es, "とうきょう", **analyze, filter=["kura_edge_ngram"]) == [
        "と",
        "とう",
        "き",
        "きょ",
    ]


def test_edge_ngram_refuses_min_gram_above_max_gram(es):
    with pytest.raises(BadRequestError) as raised:
        tokens(es, "x", tokenizer="standard", filter=[{"type": "kura_edge_ngram", "min_gram": 3}])
    assert "kura_edge_ngram: need 1 <= min_gram <= max_gram, got min_gram=3 max_gram=2" in str(
        raised.value.info
    )


def test_iteration_mark_spells_out_kanji_and_kana_repeats(es):
    text = "時々こゝろ"
    analyze = {"tokenizer": "kura_ja_tokenizer"}
    assert tokens(es, text, **analyze, char_filter=["kura_ja_iteration_mark"]) == ["時時", "こころ"]
    kana_only = {"type": "kura_ja_iteration_mark", "normalize_kanji": False}
    assert tokens(es, text, **analyze, char_filter=[kana_only]) == ["時々", "こころ"]


def test_katakana_stem_drops_a_trailing_long_vowel_from_long_words(es):
    text = "コンピューター サーバー カー"
    analyze = {"tokenizer": "kura_ja_tokenizer"}
    assert tokens(es, text, **analyze, filter=["kura_ja_katakana_stem"]) == [
        "コンピュータ",
        "サーバ",
        "カー",
    ]
    longer = {"type": "kura_ja_katakana_stem", "minimum_length": 6}
    assert tokens(es, text, **analyze, filter=[longer]) == ["コンピュータ", "サーバー", "カー"]


def test_ascii_folding_with_or_without_the_original(es):
    assert tokens(es, "Café", tokenizer="standard", filter=["kura_ascii_folding"]) == ["Cafe"]
    keep = {"type": "kura_ascii_folding", "preserve_original": True}
    assert tokens(es, "Café", tokenizer="standard", filter=[keep]) == ["Cafe", "Café"]


def test_index_analyzer_chains_every_component(es, index):
    text = "ｱｲﾌｫﾝ１５を時々使っているCafé"  # noqa: RUF001 - the width is the point
    assert tokens(es, text, index=index, analyzer="ja") == [
        "アイフォン",
        "15",
        "時時",
        "使う",
        "cafe",
    ]


@pytest.mark.parametrize(
    ("field", "query", "found"),
    [
        # 京都 is not inside 東京都: search mode splits 東京 + 都(庁), never 東 + 京都.
        ("name", "京都", ["kyoto"]),
        ("name", "東京", ["tocho", "tower"]),
        ("name", "住む", ["live"]),
        ("name", "アイフォン 15", ["phone"]),
        # Latin for katakana is the catalog's synonym list, not the analyzer's job.
        ("name", "iphone", []),
        ("name", "ｺﾝﾋﾟｭｰﾀ", ["computer"]),
        ("name", "コンピュータ", ["computer"]),
        ("name", "cafe", ["cafe"]),
        ("name", "時時", ["sometimes"]),
        ("name", "時々", ["sometimes"]),
        # The kana reading, typed half-way, finds the kanji name.
        ("name.reading", "トウキョ", ["tocho", "tower"]),
        ("name.reading", "トウキョウ タワ", ["tower"]),
        ("name.romaji", "tokyo", ["tocho", "tower"]),
    ],
)
def test_search_through_the_chained_analyzers(es, index, field, query, found):
    assert ids(es, index, field, query) == found
