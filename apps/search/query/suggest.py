"""What people may mean: product names completing what they type, and a correction of a
query that found nothing. Both ask only the company's own products."""

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import jaconv
from elasticsearch import Elasticsearch

from apps.accounts.principal import Actor
from apps.core.search import es_client
from apps.search.query.engine import _search, searcher_tenant_id
from apps.search.query.text import KANA_ONLY, LATIN, MAX_FUZZY_LENGTH, katakana, text_query, words
from apps.search.synonyms import SynonymTable

MAX_SUGGESTIONS = 10
# Letters alone, as romaji is typed (apps/search/query/text.py's LATIN takes any Latin word).
ROMAJI = re.compile(r"[A-Za-z]+")


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
    """Up to `size` product names of the actor's company for `q`, each name once: first the
    names it completes, also from the kana reading or its romaji (とうきょう, toukyou ->
    東京タワー), then the names that hold it as a word further in (抹茶 -> 京都 宇治抹茶),
    from kanji, kana or romaji (まっちゃ, maccha)."""
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
            _add(found, option.get("_source", {}))
    if len(found) < size:
        # The completion suggester matches from a name's first word only.
        answer = _search(
            es,
            tenant_id=tenant_id,
            index=index,
            size=size * 2,
            query=_inside_names(text),
            source=["product_id", "name"],
        )
        for raw in answer.get("hits", {}).get("hits", []):
            _add(found, raw["_source"])
    return list(found.values())[:size]


def _add(found: dict[str, Suggestion], source: dict[str, Any]) -> None:
    found.setdefault(
        source["name"], Suggestion(product_id=int(source["product_id"]), name=source["name"])
    )


def _inside_names(text: str) -> dict[str, Any]:
    """Names holding `text` as their words (抹茶 in 京都 宇治抹茶), or as the beginning of a
    word's reading when it is kana, or romaji of a reading (maccha, matcha -> マッチャ)."""
    should: list[dict[str, Any]] = [{"match": {"name": {"query": text, "operator": "and"}}}]
    reading = text if KANA_ONLY.fullmatch(text) else None
    if reading is None and ROMAJI.fullmatch(text):
        kana = jaconv.alphabet2kana(text.lower())
        reading = kana if KANA_ONLY.fullmatch(kana) else None
    if reading is not None:
        should.append({"match": {"name.reading": {"query": katakana(reading), "operator": "and"}}})
    return {"bool": {"should": should, "minimum_should_match": 1}}
