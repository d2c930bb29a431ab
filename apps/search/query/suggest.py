"""What people may mean: product names completing what they type, and a correction of a
query that found nothing. Both ask only the company's own products."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from apps.accounts.principal import Actor
from apps.core.search import es_client
from apps.search.query.engine import _search, searcher_tenant_id
from apps.search.query.text import KANA_ONLY, LATIN, MAX_FUZZY_LENGTH, katakana, text_query, words
from apps.search.synonyms import SynonymTable

MAX_SUGGESTIONS = 10


@dataclass(frozen=True)
class Suggestion:
    product_id: int
    name: str


def did_you_mean(
    es: Elasticsearch, *, tenant_id: int, q: str, table: SynonymTable, index: str | None
) -> str | None:
    """A correction of the Latin words of a query that found nothing: the company's best
    product when each Latin word may be two typos off, and each word replaced by the
    nearest word of that product's name. Only the company's own products are asked (the
    index-wide term suggesters would propose words of other companies' products)."""
    typed = words(q)
    latin = [w for w in typed if LATIN.search(w) and len(w) <= MAX_FUZZY_LENGTH]
    if not latin:
        return None
    must: list[dict[str, Any]] = [
        {"match": {"name.latin": {"query": w, "fuzziness": 2, "operator": "and"}}} for w in latin
    ]
    others = " ".join(w for w in typed if w not in latin)
    if others and (text := text_query(others, table)) is not None:
        must.append(text)
    answer = _search(
        es,
        tenant_id=tenant_id,
        index=index,
        size=1,
        query={"bool": {"must": must}},
        source=["name"],
    )
    hits = answer.get("hits", {}).get("hits", [])
    if not hits:
        return None
    name_words = re.findall(
        r"\w+", unicodedata.normalize("NFKC", hits[0]["_source"]["name"]).lower()
    )
    corrected = [
        min(name_words, key=lambda n: _distance(w.lower(), n)) if w in latin else w for w in typed
    ]
    suggestion = " ".join(corrected)
    return suggestion if suggestion != " ".join(typed).lower() else None


def _distance(a: str, b: str) -> int:
    """Levenshtein distance, for the few short words of a correction."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def product_suggest(
    *, actor: Actor, q: str, size: int = MAX_SUGGESTIONS, index: str | None = None
) -> list[Suggestion]:
    """Up to `size` product names completing `q` in the actor's company, also from the
    kana reading or its romaji (とうきょう, toukyou -> 東京タワー), each name once."""
    tenant_id = searcher_tenant_id(actor)
    text = unicodedata.normalize("NFKC", q).strip()
    if not text:
        return []
    size = max(1, min(size, MAX_SUGGESTIONS))
    es = es_client()
    completion = {
        "prefix": text,
        "completion": {"field": "suggest", "size": size, "skip_duplicates": True},
    }
    answer = _search(
        es,
        tenant_id=tenant_id,
        index=index,
        size=0,
        suggest={"names": completion},
        source=["product_id", "name"],
    )
    found: dict[str, Suggestion] = {}
    for entry in answer.get("suggest", {}).get("names", []):
        for option in entry.get("options", []):
            source = option.get("_source", {})
            found.setdefault(
                source["name"],
                Suggestion(product_id=int(source["product_id"]), name=source["name"]),
            )
    if len(found) < size and KANA_ONLY.fullmatch(text):
        answer = _search(
            es,
            tenant_id=tenant_id,
            index=index,
            size=size * 2,
            query={"match": {"name.reading": {"query": katakana(text), "operator": "and"}}},
            source=["product_id", "name"],
        )
        for raw in answer.get("hits", {}).get("hits", []):
            source = raw["_source"]
            found.setdefault(
                source["name"],
                Suggestion(product_id=int(source["product_id"]), name=source["name"]),
            )
    return list(found.values())[:size]
