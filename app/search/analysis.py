"""Text analysis for search: a document field or a query -> plain tokens. Pure.

Documents and queries go through exactly the same steps, so that a token of the index and a
token of a query are equal exactly when they should match:

1. `fold`: NFKC, casefold; Latin, Greek and Cyrillic diacritics, Arabic harakat and tatweel
   (and Hebrew points, joiners, variation selectors) removed.
2. Elided French and Italian particles (`l'`, `d'`, `dell'`...) dropped.
3. Tokens are runs of letters, marks and digits; Chinese and Japanese runs become bigrams.
4. Other tokens are stemmed by the Snowball stemmer of the text's language, if it has one.

A token is only ever made of Unicode letters, marks and digits (`SAFE_TOKEN`) and is at most
`MAX_TOKEN_CHARS` long, so the backends can put it into FTS5 or tsquery syntax as it is.

Speed: indexing runs this on every claim, so the text is first cut into raw words (by the
stdlib `re` engine when the text allows, it is several times faster than `regex`), and each
raw word's analysis is cached. Words are therefore cut before they are folded: a symbol that
NFKC would spell with letters (™, №, ㈱) is not part of a word, but otherwise this gives the
tokens of folding the whole text first (see `_Tokenizer`).
"""

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import add
from typing import Final, Literal, TypeVar

import regex  # type: ignore[import-untyped]
import Stemmer

Field = Literal["text", "headline", "summary", "claimant"]

MAX_QUERY_TERMS: Final = 32
MAX_TOKEN_CHARS: Final = 64

SAFE_TOKEN: Final = regex.compile(r"[\p{L}\p{M}\p{N}]+")


@dataclass(frozen=True)
class QueryTerm:
    """One word of a query: a document matches it when it holds any of `alternatives`.

    `alternatives` is sorted, without repeats and never empty.
    """

    alternatives: tuple[str, ...]


# --- Folding -------------------------------------------------------------------------------

_FOLDED_SCRIPTS = r"\p{Latin}\p{Greek}\p{Cyrillic}"
# In those scripts marks are accents that a reader may or may not type; elsewhere (Devanagari,
# Bengali, Thai...) they are vowel signs and viramas, letters in all but name.
_MARKED_LETTER = regex.compile(rf"([{_FOLDED_SCRIPTS}])(\p{{M}}+)")
_LOOSE_MARK = regex.compile(rf"[{_FOLDED_SCRIPTS}]\p{{M}}")
_CYRILLIC = regex.compile(r"\p{Cyrillic}")
# ...except the Cyrillic breve, which makes a letter of its own: folding `й` to `и` would also
# break Russian stemming (`новый` would keep its adjective ending).
_CYRILLIC_BREVE = "\u0306"


def _keep_base(match: "regex.Match[str]") -> str:
    base: str = match[1]
    if _CYRILLIC_BREVE in match[2] and _CYRILLIC.match(base):
        return base + _CYRILLIC_BREVE
    return base


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped: str = _MARKED_LETTER.sub(_keep_base, decomposed)
    return unicodedata.normalize("NFC", stripped)


# Removed wherever they are: they never tell two words apart.
_IGNORABLE: Final = "".join(
    map(
        chr,
        [
            *range(0x064B, 0x0660),  # Arabic harakat, shadda, sukun, hamza and madda signs
            0x0670,  # Arabic superscript alef
            0x0640,  # Arabic tatweel: stretches a word for layout only
            *range(0x0591, 0x05BE),  # Hebrew cantillation and points, the role of harakat
            0x05BF, 0x05C1, 0x05C2, 0x05C4, 0x05C5, 0x05C7,
            *range(0xFE00, 0xFE10),  # variation selectors: a glyph's look, not another word
            *range(0xE0100, 0xE01F0),
        ],
    )
)  # fmt: skip
# Invisible format characters inside a word (not \p{L,M,N}, so they would split it).
_JOINERS: Final = "\u00ad\u200c\u200d\u2060\ufeff"  # soft hyphen, (non-)joiners, word joiner
# Apostrophes separate words and mark elisions (and ʼ would otherwise be a letter, Lm).
_APOSTROPHES: Final = "'\u2019\u02bc\uff07"


_UNDECOMPOSED: Final = {"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ŧ": "t"}


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    # NFKC leaves text composed: a table of precomposed letters does at once what NFD +
    # regex + NFC would; `_strip_marks` is kept for the marks NFKC could not compose.
    for code in range(0x80, 0x2000):
        char = chr(code)
        if unicodedata.normalize("NFKC", char) != char or char.casefold() != char:
            continue  # never left in the text by NFKC + casefold
        folded = "".join(_UNDECOMPOSED.get(c, c) for c in _strip_marks(char))
        if folded != char:
            table[code] = folded
    # Latin letters whose stroke or ligature Unicode does not decompose, but that readers
    # type without it all the same (Łódź as Lodz, cœur as coeur).
    table.update({ord(k): v for k, v in _UNDECOMPOSED.items()})
    table.update(dict.fromkeys(map(ord, _IGNORABLE + _JOINERS)))
    table.update(dict.fromkeys(map(ord, _APOSTROPHES), "'"))
    return table


_FOLD_TABLE: Final = _fold_table()


def fold(text: str) -> str:
    """Case and diacritics folded: what `analyze` and `analyze_query` do to a text first."""
    if text.isascii():
        return text.lower()  # NFKC leaves ASCII alone, and casefold is lower() there
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD_TABLE)
    if _LOOSE_MARK.search(text):
        text = _strip_marks(text)
    return text


# --- Elision and tokenising ----------------------------------------------------------------

_FRENCH_ELISIONS: Final = (
    "l", "d", "j", "qu", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu",
)  # fmt: skip
_ITALIAN_ELISIONS: Final = ("l", "dell", "dall", "nell", "sull", "all", "un", "quell")

# Script_Extensions rather than Script, so that the katakana length mark ー (script Common)
# stays inside its word.
_CJK: Final = r"[\p{L}\p{N}&&[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}]]"
# Tokens of folded text: group 1 a Chinese/Japanese run, group 2 another word. A word starts
# with a letter or digit, so that a stray mark (after an emoji, say) is no token of its own.
_SUBWORD: Final = regex.compile(
    rf"({_CJK}+)|([[\p{{L}}\p{{N}}]--{_CJK}][[\p{{L}}\p{{M}}\p{{N}}]--{_CJK}]*)", regex.V1
)
_ASCII_SEPARATORS: Final = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


@dataclass(frozen=True)
class _Tokenizer:
    """Cuts a text into raw words, unfolded, then a raw word into folded words.

    A raw word is a run of letters, marks and digits of the text as written, with the
    apostrophe that follows it when elisions are dropped: folding a raw word on its own
    then gives what folding the whole text would, particle and apostrophe included.
    """

    elisions: tuple[str, ...]
    ascii: "re.Pattern[str]" = field(init=False)  # lower-cased ASCII text
    plain: "re.Pattern[str]" = field(init=False)  # text of Windows-1252 characters
    full: "regex.Pattern[str]" = field(init=False)  # any text
    subwords: "regex.Pattern[str]" = field(init=False)  # a folded raw word

    def __post_init__(self) -> None:
        ascii_, plain, full = r"[a-z0-9]+", r"[^\W_]+", r"[\p{L}\p{M}\p{N}]+"
        subwords = _SUBWORD.pattern
        if self.elisions:
            # With the apostrophe, if any, that may make its last folded word a particle (ʼ is
            # a letter: already inside the raw word).
            ascii_, plain, full = ascii_ + "'?", plain + "['\u2019]?", full + "['\u2019\uff07]?"
            # A particle is a whole word followed by an apostrophe: `aujourd'hui` keeps its d.
            particles = "|".join(sorted(set(self.elisions), key=lambda p: (-len(p), p)))
            subwords = rf"(?<![\p{{L}}\p{{M}}\p{{N}}])(?:{particles})'|{subwords}"
        object.__setattr__(self, "ascii", re.compile(ascii_))
        object.__setattr__(self, "plain", re.compile(plain))
        object.__setattr__(self, "full", regex.compile(full))
        object.__setattr__(self, "subwords", regex.compile(subwords, regex.V1))

    def raw_words(self, text: str) -> list[str]:
        words: list[str]
        if text.isascii():
            text = text.lower()
            if self.elisions and "'" in text:
                words = self.ascii.findall(text)
            else:
                words = text.translate(_ASCII_SEPARATORS).split()  # faster still than `re`
            return words
        for char in _JOINERS:
            # Not letters, so they would split a word that folding joins.
            if char in text:
                text = text.replace(char, "")
        try:
            # Python's Unicode data agrees with `regex`'s on these characters, and none is a
            # mark: `re` cuts them the same, several times faster.
            text.encode("cp1252")
        except UnicodeEncodeError:
            words = self.full.findall(text)
        else:
            words = self.plain.findall(text)
        return words

    def subword_pairs(self, raw: str) -> list[tuple[str, str]]:
        """(cjk, other) pairs of a raw word's folded words: once folded it may hold several
        (`½` -> `1⁄2`, `lʼécole` -> `l'ecole`), an elided particle, or Chinese/Japanese."""
        folded = fold(raw)
        if folded.isascii() and folded.isalnum():
            return [("", folded)]  # the common case, without the slow set operations below
        pairs: list[tuple[str, str]] = self.subwords.findall(folded)
        return [(cjk, word) for cjk, word in pairs if cjk or word]


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return list(map(add, run, run[1:]))


# --- Stemming ------------------------------------------------------------------------------

# BCP 47 primary subtag -> Snowball algorithm; `_ALGORITHMS` keeps those PyStemmer has.
_STEMMER_FOR_LANGUAGE: Final = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "eo": "esperanto",
    "es": "spanish",
    "et": "estonian",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
_ALGORITHMS: Final = tuple(sorted(set(_STEMMER_FOR_LANGUAGE.values()) & set(Stemmer.algorithms())))
_ELISIONS_FOR_LANGUAGE: Final = {"fr": _FRENCH_ELISIONS, "it": _ITALIAN_ELISIONS}

# Stemmers are given folded words: then `décembre` and `decembre` are one token whatever a
# stemmer does with accents. (Stemming first and folding the stem fails that: Portuguese
# `não` -> `na` but `nao` -> `nao`; French `vérifié` -> `verifi` but `verifie` -> `verif`.)
# Some Snowball rules are written for accented suffixes, though, so a few folded endings are
# rewritten first for inflections to meet again:
#   french: publiée(s) ~ publié(s), "publiee" -> "publie"; -ée is a participle or noun ending.
#   portuguese: eleições ~ eleição, "eleicoes" -> "eleicao": the plural of -ão nouns.
#   catalan: informacions ~ informació, "informacions" -> "informacio".
_FOLDED_SUFFIXES: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "french": (("ees", "es"), ("ee", "e")),
    "portuguese": (("oes", "ao"),),
    "catalan": (("cions", "cio"),),
}
# What the rewritten word must keep before its suffix: "poes" (põe, a verb) is no plural.
_MIN_STEM_BEFORE_SUFFIX: Final = 2

_local = threading.local()


def _stemmer(algorithm: str) -> "Stemmer.Stemmer":
    # A Stemmer "must not be called concurrently" (PyStemmer's docs): one per thread.
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    stemmer = stemmers.get(algorithm)
    if stemmer is None:
        # Words are cached once analysed (`_Profile`); PyStemmer's cache would only repeat it.
        stemmer = stemmers[algorithm] = Stemmer.Stemmer(algorithm, 0)
    return stemmer


def _stem(algorithm: str, word: str) -> str:
    """The token of a folded word in a language, cut to `MAX_TOKEN_CHARS`."""
    word = word[:MAX_TOKEN_CHARS]
    rewritten = word
    for suffix, replacement in _FOLDED_SUFFIXES.get(algorithm, ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM_BEFORE_SUFFIX:
            rewritten = word[: -len(suffix)] + replacement
            break
    stem: str = _stemmer(algorithm).stemWord(rewritten)
    if not (stem.isascii() or rewritten.startswith(stem)):
        stem = fold(stem)  # some stemmers put accents back: Turkish secim -> seç
    # isalnum() answers for nearly every stem, at a fraction of the cost of the regex.
    if not (stem.isalnum() or SAFE_TOKEN.fullmatch(stem)):
        return word
    return stem[:MAX_TOKEN_CHARS]


# --- Profiles: one per way of analysing, each with its caches -------------------------------

# Indexing a million claims meets the same few hundred thousand words again and again: a dict
# lookup is far cheaper than folding and stemming. A cache is emptied when full rather than
# kept in LRU order, which would cost on every hit; refilling it is cheap.
_CACHE_LIMIT: Final = 100_000  # some 12 MB a profile
# Longer raw words are mostly unspaced Chinese, Japanese or Thai phrases, rarely seen twice.
_CACHED_WORD_CHARS: Final = 40
_ANY_LANGUAGE: Final = "*"
_V = TypeVar("_V")


@dataclass(frozen=True)
class _Profile:
    algorithm: str | None  # a Snowball algorithm, None (no stemming) or _ANY_LANGUAGE
    tokenizer: _Tokenizer
    tokens: dict[str, tuple[str, ...]] = field(default_factory=dict)
    terms: dict[str, tuple[QueryTerm, ...]] = field(default_factory=dict)

    def _word_tokens(self, word: str) -> tuple[str, ...]:
        if self.algorithm is None:
            return (word[:MAX_TOKEN_CHARS],)
        if self.algorithm == _ANY_LANGUAGE:
            forms = {word[:MAX_TOKEN_CHARS]}
            forms.update(_stem(algorithm, word) for algorithm in _ALGORITHMS)
            return tuple(sorted(forms))
        return (_stem(self.algorithm, word),)

    def raw_tokens(self, raw: str) -> tuple[str, ...]:
        """A raw word's document tokens."""
        tokens = self.tokens.get(raw)
        if tokens is None:
            found: list[str] = []
            for cjk, word in self.tokenizer.subword_pairs(raw):
                found += _bigrams(cjk) if cjk else self._word_tokens(word)
            tokens = tuple(found)
            _remember(self.tokens, raw, tokens)
        return tokens

    def raw_terms(self, raw: str) -> Iterable[QueryTerm]:
        """A raw word's query terms."""
        terms = self.terms.get(raw)
        if terms is not None:
            return terms
        if len(raw) > _CACHED_WORD_CHARS:
            # Lazily: a 10,000-character Chinese query needs only its first 32 bigrams.
            return self._terms(raw)
        terms = tuple(self._terms(raw))
        _remember(self.terms, raw, terms)
        return terms

    def _terms(self, raw: str) -> Iterator[QueryTerm]:
        for cjk, word in self.tokenizer.subword_pairs(raw):
            if cjk:
                yield from (QueryTerm((bigram,)) for bigram in _bigrams(cjk))
            else:
                yield QueryTerm(self._word_tokens(word))


def _remember(cache: dict[str, _V], raw: str, value: _V) -> None:
    if len(raw) > _CACHED_WORD_CHARS:
        return
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[raw] = value


@cache
def _profile(algorithm: str | None, elisions: tuple[str, ...]) -> _Profile:
    return _Profile(algorithm, _Tokenizer(elisions))


@lru_cache(maxsize=1024)
def _primary(tag: str | None) -> str | None:
    primary = (tag or "").strip().replace("_", "-").split("-", 1)[0].lower()
    return primary or None


@lru_cache(maxsize=1024)
def _language_profile(tag: str | None) -> _Profile:
    primary = _primary(tag)
    algorithm = _STEMMER_FOR_LANGUAGE.get(primary or "")
    if algorithm not in _ALGORITHMS:
        algorithm = None
    return _profile(algorithm, _ELISIONS_FOR_LANGUAGE.get(primary or "", ()))


# --- Public interface ----------------------------------------------------------------------


def analyze(text: str, language: str | None) -> list[str]:
    """The tokens of a document field, in order and with repeats.

    `language` is the BCP 47 tag of `text` (only its primary subtag counts); with None, or a
    language without a stemmer, words are folded and tokenised but not stemmed.
    """
    profile = _language_profile(language)
    known = profile.tokens.get
    analysed: Callable[[str], tuple[str, ...]] = profile.raw_tokens
    tokens: list[str] = []
    for raw in profile.tokenizer.raw_words(text):
        found = known(raw)
        tokens += analysed(raw) if found is None else found
    return tokens


def analyze_query(text: str, language: str | None) -> list[QueryTerm]:
    """The terms of a search query: a document matches when it matches every one.

    Any text is a plain query: quotes, operators and the like are mere punctuation. Given a
    `language`, words are analysed as in a document of that language. With None (or an empty
    tag) a word matches its unstemmed form or its stem in any language, and French and
    Italian elisions are dropped. A repeated term is kept once, and only the first
    `MAX_QUERY_TERMS` terms are kept.
    """
    if _primary(language) is None:
        profile = _profile(_ANY_LANGUAGE, _FRENCH_ELISIONS + _ITALIAN_ELISIONS)
    else:
        profile = _language_profile(language)
    known = profile.terms.get
    terms: dict[tuple[str, ...], QueryTerm] = {}
    for raw in profile.tokenizer.raw_words(text):
        found = known(raw)
        for term in profile.raw_terms(raw) if found is None else found:
            terms.setdefault(term.alternatives, term)
            if len(terms) == MAX_QUERY_TERMS:
                return list(terms.values())
    return list(terms.values())
