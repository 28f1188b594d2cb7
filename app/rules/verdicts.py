"""Normalise fact-checkers' rating labels to one small verdict scale.

The label data lives in ``verdict_labels.json``; this module only folds text and applies the rules,
in order: the publisher's overrides, an exact label, a keyword inside a sentence-long label, the
numeric rating when its scale is valid, and finally ``Verdict.OTHER``.
"""

from __future__ import annotations

import functools
import json
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

_TABLE_PATH = Path(__file__).with_name("verdict_labels.json")


class Verdict(StrEnum):
    FALSE = "false"
    MOSTLY_FALSE = "mostly_false"
    MIXED = "mixed"
    MOSTLY_TRUE = "mostly_true"
    TRUE = "true"
    MISLEADING = "misleading"
    UNPROVEN = "unproven"
    SATIRE = "satire"
    OTHER = "other"


# Marks that are accents on Latin, Greek and Cyrillic letters, plus Arabic harakat. Arabic
# hamza/madda above and below are in that block too, so أ إ آ fold to ا, as readers write them
# interchangeably. Devanagari and Bengali signs are left alone: they are letters of the word.
_STRIPPED_MARKS = [
    (0x0300, 0x036F),
    (0x0483, 0x0489),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0xFE20, 0xFE2F),
    (0x064B, 0x065F),
    (0x0670, 0x0670),
]
_FOLD_CHARS: dict[int, str | None] = {
    code: None for low, high in _STRIPPED_MARKS for code in range(low, high + 1)
}
# Slugs ("pants_on_fire") and hyphenated labels ("Half-True") must meet the spaced spelling.
_FOLD_CHARS.update({ord(c): " " for c in "_-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"})
# Typographic apostrophes are what editors actually type in "C’eri quasi" or "C’est faux".
_FOLD_CHARS.update({ord(c): "'" for c in "\u2018\u2019\u02bc"})


def fold_label(label: str) -> str:
    """Return the key under which ``label`` is looked up.

    NFKC, casefold, accents dropped (Latin/Greek/Cyrillic, Arabic harakat), underscores and
    hyphens as spaces, whitespace collapsed, punctuation/control/symbols trimmed at both ends.
    """
    text = unicodedata.normalize("NFKC", label).casefold()
    text = unicodedata.normalize("NFD", text).translate(_FOLD_CHARS)
    text = " ".join(unicodedata.normalize("NFC", text).split())
    start, end = 0, len(text)
    while start < end and _is_edge_junk(text[start]):
        start += 1
    while end > start and _is_edge_junk(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge_junk(char: str) -> bool:
    # Symbols too: labels arrive decorated with emoji ticks and crosses ("Falso ❌").
    return unicodedata.category(char)[0] in "PCSZ"


def _is_word_char(char: str) -> bool:
    # Han is written without spaces, so a Chinese keyword may sit inside a longer run of text.
    if "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or char >= "\U00020000":
        return False
    # Indic vowel signs and viramas are marks, yet part of the word: "सच" is not in "सचिन".
    return char.isalnum() or unicodedata.category(char)[0] == "M"


def _find_word(text: str, word: str) -> int:
    """Index of the first whole-word occurrence of ``word`` in ``text``, or -1."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        glued_before = start > 0 and _is_word_char(text[start - 1]) and _is_word_char(word[0])
        glued_after = end < len(text) and _is_word_char(text[end]) and _is_word_char(word[-1])
        if not (glued_before or glued_after):
            return start
        start = text.find(word, start + 1)
    return -1


@dataclass(frozen=True)
class _Table:
    labels: Mapping[str, Verdict]
    keywords: tuple[tuple[str, Verdict], ...]
    bands: tuple[tuple[float, Verdict], ...]

    def keyword_verdict(self, folded: str) -> Verdict | None:
        # The earliest keyword in the text wins, as a sentence usually opens with its verdict
        # ("Falso: ..."); at the same position the longer phrase wins ("زائف جزئياً" over "زائف").
        found: tuple[int, int, Verdict] | None = None
        for word, verdict in self.keywords:
            start = _find_word(folded, word)
            if start >= 0 and (found is None or (start, -len(word)) < found[:2]):
                found = (start, -len(word), verdict)
        return None if found is None else found[2]

    def band_verdict(
        self, value: float | None, best: float | None, worst: float | None
    ) -> Verdict | None:
        # Sentinels (-1/-1/-1), flat scales and out-of-range values carry no information.
        if value is None or best is None or worst is None:
            return None
        if not (best > worst and worst <= value <= best):
            return None
        span = best - worst
        if not math.isfinite(span):  # e.g. -1e308..1e308, where the position would be garbage
            return None
        position = (value - worst) / span
        verdict = None
        for lower, band in self.bands:
            if position >= lower:
                verdict = band
        return verdict


def _add(merged: dict[str, Verdict], text: str, verdict: Verdict, where: str) -> None:
    key = fold_label(text)
    if not key:
        raise ValueError(f"{where}: {text!r} folds to an empty key")
    if merged.setdefault(key, verdict) != verdict:
        raise ValueError(f"{where}: {text!r} -> {verdict}, but {key!r} is already {merged[key]}")


def _build_table(raw: Mapping[str, Any]) -> _Table:
    """Merge all languages into one lookup, refusing data that contradicts itself."""
    labels: dict[str, Verdict] = {}
    keywords: dict[str, Verdict] = {}
    for language, section in raw["languages"].items():
        for label, verdict in section.get("labels", {}).items():
            _add(labels, label, Verdict(verdict), f"{language} labels")
        for verdict, words in section.get("keywords", {}).items():
            for word in words:
                _add(keywords, word, Verdict(verdict), f"{language} keywords")
    for word, verdict in keywords.items():
        if labels.get(word, verdict) != verdict:
            raise ValueError(f"keyword {word!r} -> {verdict}, but label {word!r} is {labels[word]}")
    bands = tuple(
        (float(band["from"]), Verdict(band["verdict"])) for band in raw["numeric_bands"]["bands"]
    )
    lowers = [lower for lower, _ in bands]
    if not lowers or lowers[0] != 0.0 or lowers != sorted(set(lowers)) or lowers[-1] >= 1.0:
        raise ValueError(f"numeric bands must rise from 0.0 and stay below 1.0: {lowers}")
    return _Table(labels, tuple(keywords.items()), bands)


@functools.cache
def _table() -> _Table:
    return _build_table(json.loads(_TABLE_PATH.read_text(encoding="utf-8")))


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        number = float(raw)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _override(folded: str, overrides: Mapping[str, str]) -> Verdict | None:
    for key, verdict in overrides.items():
        if isinstance(key, str) and isinstance(verdict, str) and fold_label(key) == folded:
            try:
                return Verdict(verdict.strip().casefold())
            except ValueError:
                return None  # a misspelt override falls back to the shared table
    return None


def normalize_verdict(
    label: str | None,
    value: float | None = None,
    best: float | None = None,
    worst: float | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Verdict:
    """Map a publisher's rating (label and optional numeric scale) to a ``Verdict``.

    Never raises: whatever a feed carries, the worst outcome is ``Verdict.OTHER``.
    """
    table = _table()
    folded = fold_label(label) if isinstance(label, str) else ""
    if folded:
        verdict = (
            (_override(folded, overrides) if overrides else None)
            or table.labels.get(folded)
            or table.keyword_verdict(folded)
        )
        if verdict is not None:
            return verdict
    return table.band_verdict(_number(value), _number(best), _number(worst)) or Verdict.OTHER
