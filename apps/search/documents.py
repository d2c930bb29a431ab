"""The products index: its analysis (Kura's own plugin, search/es-plugin), its mapping, and
how a product becomes a document. Documents are defined with django-elasticsearch-dsl; they
reach the index only through the outbox drain (apps.search.sync), never from signals.

One index is shared by every company, behind the alias `<prefix>-products`: each document
carries its company in `tenant` and is routed by it, and every search filters on it
(apps.search.query is the only code that searches). A company moved to an index of its own
(`DedicatedIndex`) is read and written there instead; `index_for` says where.
"""

from functools import cache
from typing import Any

from django.conf import settings
from django_elasticsearch_dsl import Document, fields
from django_elasticsearch_dsl.registries import registry
from elasticsearch.dsl import analyzer, token_filter, tokenizer

from apps.catalog.models import Product

# Japanese text: width and iteration marks normalised, search-mode kuromoji (compounds split
# so 京都 never matches inside 東京都), dictionary forms (住んでいる -> 住む), particles and
# stop words dropped, katakana long vowels stemmed (コンピューター = コンピュータ), accents
# folded, lower case.
ja_tokenizer = tokenizer("kura_ja_search", type="kura_ja_tokenizer", mode="search")
ja = analyzer(
    "kura_ja",
    char_filter=["kura_cjk_width", "kura_ja_iteration_mark"],
    tokenizer=ja_tokenizer,
    filter=[
        "kura_ja_baseform",
        "kura_ja_part_of_speech",
        "kura_ja_stop",
        "kura_ja_katakana_stem",
        "kura_ascii_folding",
        "lowercase",
    ],
)
# The reading in katakana, indexed with its prefixes so a kana query finds a kanji name as
# it is typed (とうきょう -> 東京タワー).
prefixes = token_filter("kura_prefixes", type="kura_edge_ngram", min_gram=1, max_gram=12)
ja_reading = analyzer(
    "kura_ja_reading",
    char_filter=["kura_cjk_width"],
    tokenizer=ja_tokenizer,
    filter=["kura_ja_readingform"],
)
ja_reading_prefix = analyzer(
    "kura_ja_reading_prefix",
    char_filter=["kura_cjk_width"],
    tokenizer=ja_tokenizer,
    filter=["kura_ja_readingform", prefixes],
)
# Latin text as typed, for fuzzy matching of typos ("iphnoe") and brand names.
latin = analyzer(
    "kura_latin",
    char_filter=["kura_cjk_width"],
    tokenizer="standard",
    filter=["kura_ascii_folding", "lowercase"],
)
# Completion: each token with the romaji of its reading, so "toukyou" and 東京 both complete.
completion_index = analyzer(
    "kura_completion_index",
    char_filter=["kura_cjk_width"],
    tokenizer=ja_tokenizer,
    filter=["kura_ja_completion", "lowercase"],
)
completion_query = analyzer(
    "kura_completion_query",
    char_filter=["kura_cjk_width"],
    tokenizer=ja_tokenizer,
    filter=[
        token_filter("kura_completion_q", type="kura_ja_completion", mode="query"),
        "lowercase",
    ],
)


def products_alias() -> str:
    return f"{settings.ELASTICSEARCH_INDEX_PREFIX}-products"


INDEX_SETTINGS: dict[str, Any] = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    # What a search may page to with from/size; deeper is search_after.
    "max_result_window": 10_000,
}


@registry.register_document
class ProductDocument(Document):
    """A product as search sees it. `tenant` is the company's id; `category_ids` holds the
    product's category and its parent (a filter on a top-level category finds both)."""

    tenant = fields.KeywordField()
    product_id = fields.LongField(attr="pk")
    name = fields.TextField(
        analyzer=ja,
        fields={
            "reading": fields.TextField(analyzer=ja_reading_prefix, search_analyzer=ja_reading),
            "latin": fields.TextField(analyzer=latin),
            "keyword": fields.KeywordField(),
        },
    )
    description = fields.TextField(analyzer=ja, fields={"latin": fields.TextField(analyzer=latin)})
    brand = fields.TextField(
        analyzer=latin, attr="brand.name", fields={"keyword": fields.KeywordField()}
    )
    brand_id = fields.KeywordField(attr="brand_id")
    category_id = fields.KeywordField(attr="category_id")
    category_ids = fields.KeywordField(multi=True)
    category_path = fields.KeywordField()
    price = fields.IntegerField()
    stock = fields.IntegerField()
    in_stock = fields.BooleanField()
    sku = fields.KeywordField()
    created_at = fields.DateField()
    updated_at = fields.DateField()
    suggest = fields.CompletionField(
        analyzer=completion_index,
        search_analyzer=completion_query,
        contexts=[{"name": "tenant", "type": "category", "path": "tenant"}],
    )

    class Index:
        name = products_alias()
        settings = INDEX_SETTINGS

    class Django:
        model = Product
        # Only what the prepare_* methods and `attr`s above read; no signals (settings).
        fields: list[str] = []
        related_models: list[type] = []

    def prepare_tenant(self, product: Product) -> str:
        tenant = getattr(product, "search_tenant_id", None)
        if tenant is None:
            raise ValueError("set product.search_tenant_id before preparing its document")
        return str(tenant)

    def prepare_category_ids(self, product: Product) -> list[str]:
        category = product.category
        if category is None:
            return []
        return [str(category.pk)] + ([str(category.parent_id)] if category.parent_id else [])

    def prepare_category_path(self, product: Product) -> str | None:
        return product.category.path if product.category else None

    def prepare_in_stock(self, product: Product) -> bool:
        return product.stock > 0

    def prepare_suggest(self, product: Product) -> dict[str, Any]:
        return {"input": [product.name], "contexts": {"tenant": [self.prepare_tenant(product)]}}


@cache
def _preparer() -> ProductDocument:
    """One document to prepare every product with: making one sets up its field
    preparers, a cost a bulk drain should pay once, not per product."""
    return ProductDocument()


def product_document(product: Product, *, tenant_id: int) -> dict[str, Any]:
    """The source of a product's document in `tenant_id`'s company (the product loaded with
    its category, the category's parent, and its brand)."""
    product.search_tenant_id = tenant_id  # type: ignore[attr-defined]
    return _preparer().prepare(product)


def document_id(*, tenant_id: int, product_id: int) -> str:
    """Ids are per company in a shared index."""
    return f"{tenant_id}-{product_id}"
