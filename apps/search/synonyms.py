"""Synonyms applied at query time: the katakana and Latin spellings of common brands, built
in, plus each company's own groups (`TenantSynonym`). At query time, not in the analyzer:
companies share one index, and each keeps its own list without a reindex.

Terms are compared normalised (`normalize`): NFKC (half-width katakana and full-width Latin
become the usual forms) and case-folded, so ｱｲﾌｫﾝ, アイフォン and full-width IPHONE are one key.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence

BUILT_IN: tuple[tuple[str, ...], ...] = (
    ("アイフォン", "アイフォーン", "あいふぉん", "iPhone"),
    ("アイパッド", "iPad"),
    ("マックブック", "MacBook"),
    ("アップル", "Apple"),
    ("ソニー", "Sony"),
    ("パナソニック", "Panasonic"),
    ("シャープ", "Sharp"),
    ("キヤノン", "キャノン", "Canon"),
    ("ニコン", "Nikon"),
    ("富士フイルム", "フジフイルム", "Fujifilm"),
    ("東芝", "Toshiba"),
    ("日立", "Hitachi"),
    ("任天堂", "ニンテンドー", "Nintendo"),
    ("プレイステーション", "プレステ", "PlayStation"),
    ("サムスン", "Samsung"),
    ("ギャラクシー", "Galaxy"),
    ("グーグル", "Google"),
    ("ピクセル", "Pixel"),
    ("マイクロソフト", "Microsoft"),
    ("ダイソン", "Dyson"),
    ("ナイキ", "Nike"),
    ("アディダス", "adidas"),
    ("ユニクロ", "Uniqlo"),
    ("無印良品", "無印", "MUJI"),
    ("ボーズ", "Bose"),
    ("レノボ", "Lenovo"),
    ("エイスース", "エイサス", "ASUS"),
    ("ロジクール", "Logicool", "Logitech"),
    ("バルミューダ", "BALMUDA"),
    ("アイロボット", "iRobot"),
    ("ルンバ", "Roomba"),
    ("カシオ", "Casio"),
    ("セイコー", "Seiko"),
    ("ヤマハ", "Yamaha"),
    ("エプソン", "Epson"),
    ("象印", "Zojirushi"),
)

# The longest phrase (in words) looked up as one term: "apple watch" -> アップルウォッチ.
MAX_PHRASE_WORDS = 3
SEPARATORS = ",、"
TERM_SEPARATORS = re.compile(f"[{SEPARATORS}]")
# One term as the API takes it (JSON Schema's `pattern`, read with re.search): no separator
# nor NUL, and something besides whitespace.
TERM_PATTERN = rf"^[^{SEPARATORS}\u0000]*[^\s{SEPARATORS}\u0000][^{SEPARATORS}\u0000]*$"


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_terms(text: str) -> list[str]:
    """`"アイフォン, iPhone、あいふぉん"` as its terms, stripped, empty ones and repeats
    (compared normalised) dropped."""
    terms: dict[str, str] = {}
    for raw in TERM_SEPARATORS.split(text):
        term = " ".join(raw.split())
        if term:
            terms.setdefault(normalize(term), term)
    return list(terms.values())


class SynonymTable:
    """Groups of terms meaning the same, looked up by a normalised term or phrase."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self._alternatives: dict[str, list[str]] = {}
        for group in groups:
            for term in group:
                key = normalize(term)
                known = self._alternatives.setdefault(key, [])
                for other in group:
                    if normalize(other) != key and other not in known:
                        known.append(other)

    def alternatives(self, term: str) -> list[str]:
        return self._alternatives.get(normalize(term), [])

    def units(self, words: Sequence[str]) -> list[tuple[str, list[str]]]:
        """The query's words grouped into units, each with its alternatives: the longest
        phrase of up to MAX_PHRASE_WORDS words found in the table is one unit."""
        units: list[tuple[str, list[str]]] = []
        i = 0
        while i < len(words):
            for length in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
                phrase = " ".join(words[i : i + length])
                found = self.alternatives(phrase)
                if found or length == 1:
                    units.append((phrase, found))
                    i += length
                    break
        return units
