"""What people type, as Elasticsearch clauses. Always text, analysed per field (never
`query_string`): `name:*`, `"`, `\\`, `OR` are words like any other.

A query is made of units: its words, or a phrase of the synonym table (built-in brands and
the company's own groups, applied here at query time). Each unit must match; a unit matches
through the Japanese fields (name boosted as the seed's `title^3`), the kana reading when it
is typed in kana, the Latin fields with fuzziness when it is Latin ("iphnoe"), or any of its
synonyms the same ways.
"""

import re
import unicodedata
from typing import Any

from apps.search.synonyms import SynonymTable

MAX_QUERY_LENGTH = 200
MAX_FUZZY_LENGTH = 40

LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
KANA_ONLY = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")
_WORD = re.compile(r"\w")


def katakana(text: str) -> str:
    """Hiragana as katakana: kuromoji reads katakana as one word where it would split the
    same hiragana (とうきょう -> とう + きょう), and the reading field holds katakana."""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def words(q: str) -> list[str]:
    """The query's words, width-normalised; punctuation alone is no word."""
    return [w for w in unicodedata.normalize("NFKC", q).split() if _WORD.search(w)]


def _unit_clauses(text: str) -> list[dict[str, Any]]:
    """The ways one unit of the query may match a product."""
    clauses: list[dict[str, Any]] = [
        {
            "multi_match": {
                "query": text,
                "fields": ["name^3", "description", "brand^2"],
                "operator": "and",
                # A unit of particles or stop words alone asks nothing.
                "zero_terms_query": "all",
            }
        }
    ]
    if LATIN.search(text):
        # Latin only: the standard tokenizer cuts kanji into single characters, which
        # would find 京都 inside 東京都. No typo is forgiven in a very long word: nobody
        # types one, and its automaton is too big for Lucene.
        latin: dict[str, Any] = {
            "query": text,
            "fields": ["name.latin^3", "description.latin", "brand^2"],
            "operator": "and",
        }
        if len(text) <= MAX_FUZZY_LENGTH:
            # The first letter as typed, and few expansions: a typo's candidates stay a
            # handful, which keeps the query and above all its highlighting fast.
            latin.update(fuzziness="AUTO", prefix_length=1, max_expansions=10)
        clauses.append({"multi_match": latin})
    if KANA_ONLY.fullmatch(text):
        clauses.append(
            {"match": {"name.reading": {"query": katakana(text), "operator": "and", "boost": 0.5}}}
        )
    return clauses


def text_query(q: str, table: SynonymTable) -> dict[str, Any] | None:
    """Every unit of `q` must match; None when `q` has no word (every product matches)."""
    units = words(q)
    if not units:
        return None
    must = []
    for unit, alternatives in table.units(units):
        should = _unit_clauses(unit)
        for alternative in alternatives:
            should += _unit_clauses(unicodedata.normalize("NFKC", alternative))
        must.append({"bool": {"should": should, "minimum_should_match": 1}})
    return {"bool": {"must": must}}
