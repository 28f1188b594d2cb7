"""Passages (a sentence, a post) as search input: cleaned of what posts carry, cut into the
words that tell what they are about. Pure.

A short query ("netflix hoax") asks for claims holding every word. A pasted post does not: most
of its words are not in the claim that checks it. Measured on the CLEF 2020 CheckThat! Task 2
tweets (10,373 Snopes claims; BM25 over the claim and its headline, the formula of
`app.storage.search`), MAP@5 on the training / development tweets:

    tweet as it is                                           0.815 / 0.774
    links, mentions, signature and hashtags dropped          0.790 / 0.750
    + the signature's name kept                              0.818 / 0.774
    + handles and hashtags split into words (this module)    0.838 / 0.790
    + stop words dropped (stopwordsiso)                      0.849 / 0.806

Handles and signatures are kept as words because a post's author is often the claimant
(`@realDonaldTrump` -> "real Donald Trump").
"""

import re
from functools import cache
from typing import Final

import regex  # type: ignore[import-untyped]
import stopwordsiso

from app.search.analysis import analyze

# A text with this many words or more is a passage; so is any text with a link, a mention or a
# hashtag. Shorter ones are queries, answered as before (every word required).
PASSAGE_MIN_WORDS: Final = 8
# Enough for a long post's distinct content words (tweets have 12 on average after cleaning).
MAX_PASSAGE_TERMS: Final = 64

# Emoji (pictographs, flags, keycaps and the joiners and selectors inside them): the tokenizer
# would skip most of them, but not a keycap's digit or a pictograph stuck to a word. The `emoji`
# package does this too, some ten times slower (0.7 ms a tweet against 0.07).
_EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3\ufe0f\u200d]+")
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.IGNORECASE)
# "— Name (@handle) January 14, 2020": how an embedded or copied tweet ends.
_SIGNATURE = regex.compile(
    r"[\s\p{P}]*[—–]+\s*(?P<name>[^—–\n]{0,80}?)\s*\(@(?P<handle>\w{1,30})\)"
    r"\s*(?:\p{L}+\.?\s+\d{1,2},\s+\d{4})?\s*$"
)
_MENTION = re.compile(r"(?<!\w)@(\w{1,30})")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
# Word boundaries inside a handle or hashtag: FakeNews, COVIDVaccine, Brexit2019.
_CAMEL = regex.compile(
    r"(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})"
)
_WORD = regex.compile(r"[\p{L}\p{N}]+")


def _words_of(name: str) -> str:
    words: str = _CAMEL.sub(" ", name.replace("_", " "))
    return f" {words} "


def clean_post(text: str) -> str:
    """The words of a post: emoji and links removed, the signature of a copied tweet reduced
    to its author's name and handle, handles and hashtags split into words."""
    text = _EMOJI.sub(" ", text)
    text = _SIGNATURE.sub(lambda m: f" {m['name']} {_words_of(m['handle'])}", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(lambda m: _words_of(m[1]), text)
    cleaned: str = _HASHTAG.sub(lambda m: _words_of(m[1]), text)
    return cleaned


def is_passage(text: str) -> bool:
    """A sentence or a post rather than a few search words."""
    if _URL.search(text) or _MENTION.search(text) or _HASHTAG.search(text):
        return True
    return any(n >= PASSAGE_MIN_WORDS for n, _ in enumerate(_WORD.finditer(text), 1))


@cache
def stop_tokens(language: str | None) -> frozenset[str]:
    """A language's stop words as index tokens (folded and stemmed like the text)."""
    if not language or not stopwordsiso.has_lang(language):
        return frozenset()
    words: set[str] = stopwordsiso.stopwords(language)
    return frozenset(t for word in words for t in analyze(word, language))


def passage_terms(text: str, language: str | None) -> list[str]:
    """The distinct tokens of a cleaned passage in `language`, stop words left out, in order
    of first appearance, at most `MAX_PASSAGE_TERMS`."""
    stop = stop_tokens(language)
    terms = [t for t in dict.fromkeys(analyze(clean_post(text), language)) if t not in stop]
    return terms[:MAX_PASSAGE_TERMS]
