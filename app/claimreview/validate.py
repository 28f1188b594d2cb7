"""Check ClaimReview markup against schema.org and Google's fact-check rules, for publishers.

Pure: already-parsed JSON in, a `Report` out. Where the parser (`parse.extract`) is lenient so
that real markup can be imported, this module says what the publisher should fix: errors are
what makes the markup unusable (Google would ignore it), warnings what makes it poorer.
Rules follow https://developers.google.com/search/docs/appearance/structured-data/factcheck.
It finds ClaimReviews exactly as the parser does, so both count the same records.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.claimreview.parse import (
    ISO_8601,
    Found,
    as_number,
    find_claimreviews,
    is_given,
    parse_datetime,
    shown,
    type_names,
)
from app.messages import Message
from app.rules.urls import is_http_url, normalize_url
from app.rules.verdicts import fold_label


@dataclass(frozen=True)
class Finding:
    """One problem: where (a JSON path such as "[2].itemReviewed.appearance[0].url", empty for
    the document as a whole) and what to do about it (a Message: the API sends its English, the
    web app its translation)."""

    path: str
    message: str


@dataclass(frozen=True)
class Report:
    valid: bool  # no errors
    errors: tuple[Finding, ...]
    warnings: tuple[Finding, ...]
    claimreviews: int  # how many ClaimReviews were found


# Google shows the claim as a short sentence; longer ones are cut in search results.
CLAIM_RECOMMENDED_LENGTH = 75
# Google shows the rating as a short label; longer ones are stored verbatim, with a warning here.
RATING_RECOMMENDED_LENGTH = 100
# Verdicts publishers most often leave at the start or end of claimReviewed ("False: ..."),
# in their fold_label form, for the languages of the data we receive.
VERDICT_WORDS = frozenset(
    {
        "false", "true", "fake", "hoax", "misleading", "incorrect", "faux", "vrai", "falso",
        "falsa", "verdadero", "verdadeiro", "enganoso", "falsch", "wahr", "irrefuhrend",
    }
)  # fmt: skip
_SCHEMA_ORG = frozenset({"https://schema.org", "http://schema.org"})
_RATING_NUMBERS = ("ratingValue", "bestRating", "worstRating")


def validate(document: Any) -> Report:
    """Errors and warnings for every ClaimReview in `document` (any shape `extract` reads)."""
    out = _Findings()
    found = find_claimreviews(document)
    if not found:
        out.error("", _nothing_found(document))
    for item in found:
        if item.google_claim is not None:
            _check_google(item, out)
        else:
            _check_claimreview(item, out)
    _check_one_per_page([item for item in found if item.google_claim is None], out)
    return Report(
        valid=not out.errors,
        errors=tuple(out.errors),
        warnings=tuple(out.warnings),
        claimreviews=len(found),
    )


@dataclass
class _Findings:
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    # A @context shared by a @graph is reported once, however many members it has.
    def error(self, path: str, message: str) -> None:
        if Finding(path, message) not in self.errors:
            self.errors.append(Finding(path, message))

    def warning(self, path: str, message: str) -> None:
        if Finding(path, message) not in self.warnings:
            self.warnings.append(Finding(path, message))


def _at(base: str, *keys: str | int) -> str:
    path = base
    for key in keys:
        if isinstance(key, int):
            path += f"[{key}]"
        else:
            path = f"{path}.{key}" if path else key
    return path


def _nothing_found(document: Any) -> str:
    hint = _object_with_claim(document)
    if hint is None:
        return Message('no ClaimReview found: expected an object with "@type": "ClaimReview"')
    if not hint:
        return Message(
            'no ClaimReview found: expected an object with "@type": "ClaimReview"; the object '
            "given has claimReviewed but neither that @type nor a reviewRating"
        )
    return Message(
        'no ClaimReview found: expected an object with "@type": "ClaimReview"; the object at '
        "{path} has claimReviewed but neither that @type nor a reviewRating",
        path=hint,
    )


def _object_with_claim(document: Any) -> str | None:
    """Path of the first object carrying claimReviewed, to point at a near miss."""
    stack: list[tuple[Any, str]] = [(document, "")]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if not isinstance(node, dict | list) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict) and "claimReviewed" in node:
            return path
        children = enumerate(node) if isinstance(node, list) else node.items()
        stack.extend((child, _at(path, key)) for key, child in reversed(list(children)))
    return None


# --- schema.org ClaimReview ------------------------------------------------------------------


def _check_claimreview(item: Found, out: _Findings) -> None:
    node, path = item.node, item.path
    if "claimreview" not in type_names(node):
        raw = node.get("@type")
        out.warning(
            _at(path, "@type"),
            Message('@type is missing: add "@type": "ClaimReview"')
            if not is_given(raw)
            else Message(
                '@type is {value}, not ClaimReview: use "@type": "ClaimReview"', value=shown(raw)
            ),
        )
    _check_context(item, out)
    _check_claim_text(node, path, out)
    _check_url(node, path, out)
    _check_rating(node, path, out)
    _check_author(node, path, out)
    if not is_given(node.get("datePublished")):
        out.warning(
            _at(path, "datePublished"),
            Message("datePublished is missing: when was it published?"),
        )
    for key in ("datePublished", "dateModified"):
        _check_date(node, key, path, out)
    _check_item_reviewed(node, path, out)


def _check_context(item: Found, out: _Findings) -> None:
    if item.context_path is None:
        out.warning(item.path, Message('@context is missing: add "@context": "https://schema.org"'))
    elif not _is_schema_org(item.context):
        out.warning(
            item.context_path,
            Message(
                '@context is {value}, not schema.org: use "https://schema.org"',
                value=shown(item.context),
            ),
        )


def _is_schema_org(context: Any) -> bool:
    """ "https://schema.org" (or http, or a trailing slash), alone, in a list, or as @vocab."""
    for entry in context if isinstance(context, list) else [context]:
        iri = entry.get("@vocab") if isinstance(entry, dict) else entry
        if isinstance(iri, str) and iri.strip().rstrip("/").lower() in _SCHEMA_ORG:
            return True
    return False


def _check_claim_text(node: Mapping[str, Any], path: str, out: _Findings) -> None:
    where = _at(path, "claimReviewed")
    claim = node.get("claimReviewed")
    if not is_given(claim):
        out.error(
            where, Message("claimReviewed is missing or empty: give the claim, in a short sentence")
        )
        return
    if isinstance(claim, list) and all(isinstance(c, str) and c.strip() for c in claim):
        if len(claim) > 1:
            out.warning(
                where,
                Message(
                    "claimReviewed lists {count} claims: each is stored as its own review of "
                    "this page, but Google expects one claim per ClaimReview",
                    count=len(claim),
                ),
            )
        for text in claim:
            _check_one_claim(node, text.strip(), where, out)
        return
    if not isinstance(claim, str):
        out.error(
            where, Message("claimReviewed must be text, not {kind}", kind=type(claim).__name__)
        )
        return
    _check_one_claim(node, claim.strip(), where, out)


def _check_one_claim(node: Mapping[str, Any], claim: str, where: str, out: _Findings) -> None:
    if len(claim) > CLAIM_RECOMMENDED_LENGTH:
        out.warning(
            where,
            Message(
                "claimReviewed is {length} characters long; Google recommends a short claim "
                "(at most {limit})",
                length=len(claim),
                limit=CLAIM_RECOMMENDED_LENGTH,
            ),
        )
    verdict = _verdict_in_claim(claim, _rating_label(node))
    if verdict:
        out.warning(
            where,
            Message(
                "claimReviewed seems to contain the verdict ({verdict!r}): give the claim alone, "
                "the verdict goes in reviewRating.alternateName",
                verdict=verdict,
            ),
        )


def _rating_label(node: Mapping[str, Any]) -> str | None:
    rating = node.get("reviewRating")
    label = rating.get("alternateName") if isinstance(rating, dict) else None
    return label if isinstance(label, str) else None


def _verdict_in_claim(claim: str, label: str | None) -> str | None:
    """The verdict words found in the claim: the rating's own label anywhere (when it is a short
    label, not a sentence), or a common verdict as the claim's first or last word."""
    words = _words(claim)
    if not words:
        return None
    label_words = _words(label) if label else []
    if 0 < len(label_words) <= 3:
        size = len(label_words)
        if any(words[i : i + size] == label_words for i in range(len(words) - size + 1)):
            return " ".join(label_words)
    for word in (words[0], words[-1]):
        if word in VERDICT_WORDS:
            return word
    return None


def _words(text: str) -> list[str]:
    """Folded words; marks count as letters, as Indic vowel signs are part of the word."""
    folded = fold_label(text)
    cleaned = "".join(
        char if char.isalnum() or unicodedata.category(char)[0] == "M" else " " for char in folded
    )
    return cleaned.split()


def _check_url(node: Mapping[str, Any], path: str, out: _Findings) -> None:
    url = node.get("url")
    if not is_given(url):
        out.error(_at(path, "url"), _URL_MISSING)
    elif not _is_url(url):
        out.error(_at(path, "url"), _not_a_url(url))


_URL_MISSING = Message("url is missing: give the address of the fact-check article")


def _not_a_url(url: Any) -> Message:
    return Message("url {value} is not an absolute http(s) URL", value=shown(url))


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and is_http_url(value)


def _check_rating(node: Mapping[str, Any], path: str, out: _Findings) -> None:
    rating, where = node.get("reviewRating"), _at(path, "reviewRating")
    if isinstance(rating, list):
        out.error(where, Message("reviewRating must be one Rating, not a list"))
        return
    if not isinstance(rating, dict) or not rating:
        out.error(
            where,
            Message("reviewRating is missing: give a Rating with the verdict in alternateName"),
        )
        return
    label = rating.get("alternateName")
    if not is_given(label) or not isinstance(label, str):
        out.error(
            _at(where, "alternateName"),
            Message(
                'reviewRating.alternateName is missing: give the verdict in words (e.g. "False")'
            ),
        )
    elif len(label.strip()) > RATING_RECOMMENDED_LENGTH:
        out.warning(
            _at(where, "alternateName"),
            Message(
                "reviewRating.alternateName is {length:,} characters long; Google recommends a "
                "short rating (at most {limit}); it is kept verbatim",
                length=len(label.strip()),
                limit=RATING_RECOMMENDED_LENGTH,
            ),
        )
    _check_rating_numbers(rating, where, out)


def _check_rating_numbers(rating: Mapping[str, Any], where: str, out: _Findings) -> None:
    given = {name: rating[name] for name in _RATING_NUMBERS if is_given(rating.get(name))}
    numbers = {name: as_number(raw) for name, raw in given.items()}
    if len(numbers) == 3 and all(number == -1 for number in numbers.values()):
        out.error(
            where, Message("ratings are -1: leave ratingValue/bestRating/worstRating out instead")
        )
        return
    for name in _RATING_NUMBERS:
        if name in rating and not is_given(rating[name]):
            out.warning(
                _at(where, name),
                Message("{name} is empty: give a number or leave it out", name=name),
            )
    for name, raw in given.items():
        if numbers[name] is None:
            out.error(
                _at(where, name),
                Message("{name} {value} is not a number", name=name, value=shown(raw)),
            )
        elif isinstance(raw, str):
            out.warning(
                _at(where, name),
                Message(
                    "{name} should be a number, not the string {value!r}", name=name, value=raw
                ),
            )
    if 0 < len(given) < 3:
        out.warning(
            where, Message("give all three of ratingValue, bestRating and worstRating, or none")
        )
    value, best, worst = (numbers.get(name) for name in _RATING_NUMBERS)
    if best is not None and worst is not None and best <= worst:
        out.error(
            _at(where, "bestRating"),
            Message(
                "bestRating ({best:g}) must be above worstRating ({worst:g})",
                best=best,
                worst=worst,
            ),
        )
    if worst is not None and worst < 1:
        out.error(
            _at(where, "worstRating"),
            Message("worstRating ({worst:g}) must be at least 1", worst=worst),
        )
    if value is not None and (
        (best is not None and value > best) or (worst is not None and value < worst)
    ):
        low = "?" if worst is None else f"{worst:g}"
        high = "?" if best is None else f"{best:g}"
        out.error(
            _at(where, "ratingValue"),
            Message(
                "ratingValue ({value:g}) is outside the scale [{low}, {high}]",
                value=value,
                low=low,
                high=high,
            ),
        )


def _check_author(node: Mapping[str, Any], path: str, out: _Findings) -> None:
    author = node.get("author")
    if not is_given(author):
        out.error(
            _at(path, "author"), Message("author is missing: name the fact-checking organisation")
        )
        return
    entries = author if isinstance(author, list) else [author]
    for index, entry in enumerate(entries):
        where = _at(path, "author", index) if isinstance(author, list) else _at(path, "author")
        if not isinstance(entry, dict):
            continue
        if "person" in type_names(entry):
            out.warning(
                where,
                Message(
                    "author is a Person: Google expects the fact-checking Organization here "
                    "(journalists can be listed in creator)"
                ),
            )
        if not is_given(entry.get("name")):
            out.warning(_at(where, "name"), Message("the author has no name"))


def _check_date(node: Mapping[str, Any], key: str, path: str, out: _Findings) -> None:
    raw = node.get(key)
    if not is_given(raw):
        return
    where = _at(path, key)
    text = raw.strip() if isinstance(raw, str) else None
    if text is None or not ISO_8601.fullmatch(text):
        out.error(
            where,
            Message(
                "{key} {value} is not an ISO 8601 date (e.g. 2024-05-31 or "
                "2024-05-31T14:30:00+02:00)",
                key=key,
                value=shown(raw),
            ),
        )
    elif parse_datetime(text) is None:
        out.error(where, Message("{key} {text!r} is not a real date or time", key=key, text=text))
    elif " " in text:
        out.warning(
            where,
            Message(
                "{key} {text!r}: ISO 8601 puts a 'T' between the date and the time",
                key=key,
                text=text,
            ),
        )


def _check_item_reviewed(node: Mapping[str, Any], path: str, out: _Findings) -> None:
    item, where = node.get("itemReviewed"), _at(path, "itemReviewed")
    if not is_given(item):
        out.warning(
            where, Message("itemReviewed is missing: describe the claim (who made it, and when)")
        )
        return
    if not isinstance(item, dict):
        out.warning(where, Message("itemReviewed should be an object (a Claim)"))
        return
    if not is_given(item.get("author")):
        out.warning(
            _at(where, "author"), Message("itemReviewed.author is missing: who made the claim?")
        )
    if not is_given(item.get("datePublished")):
        out.warning(
            _at(where, "datePublished"),
            Message("itemReviewed.datePublished is missing: when was it made?"),
        )
    _check_date(item, "datePublished", where, out)
    appearance = item.get("appearance")
    if isinstance(appearance, list):
        for index, entry in enumerate(appearance):
            _check_appearance(entry, _at(where, "appearance", index), out)
    elif is_given(appearance):
        _check_appearance(appearance, _at(where, "appearance"), out)
    if is_given(item.get("firstAppearance")):
        _check_appearance(item["firstAppearance"], _at(where, "firstAppearance"), out)


def _check_appearance(entry: Any, where: str, out: _Findings) -> None:
    """An appearance is a URL, or a CreativeWork with a url (and maybe archivedAt)."""
    if isinstance(entry, dict):
        url, where_url = entry.get("url"), _at(where, "url")
        archived = entry.get("archivedAt")
        if is_given(archived) and not _is_url(archived):
            out.error(
                _at(where, "archivedAt"),
                Message("archivedAt {value} is not an absolute http(s) URL", value=shown(archived)),
            )
    else:
        url, where_url = entry, where
    if not _is_url(url):
        out.error(
            where_url,
            Message("appearance URL {value} is not an absolute http(s) URL", value=shown(url)),
        )


def _check_one_per_page(items: list[Found], out: _Findings) -> None:
    """Google shows one ClaimReview per page: several with one url, or in one page's markup,
    compete for it."""
    first_of: dict[tuple[str, str], Found] = {}
    for item in items:
        keys = []
        url = item.node.get("url")
        if isinstance(url, str) and _is_url(url):
            keys.append(("url", normalize_url(url)))
        page = _page_of(item)
        if page is not None:
            keys.append(("page", page))
        earlier = next((first_of[key] for key in keys if key in first_of), None)
        for key in keys:
            first_of.setdefault(key, item)
        if earlier is not None:
            out.warning(
                item.path,
                Message(
                    "another ClaimReview ({where}) is for the same page: Google shows one "
                    "ClaimReview per page",
                    where=earlier.path or Message("the document"),
                ),
            )


# Where a page's JSON-LD puts its objects: the script's top level, a list, or @graph. Records
# deeper down (an API's "data", a DataFeed's items) are not known to share a page.
_PAGE_LEVEL = re.compile(r"(?:\[[0-9]+\]|\.?@graph)*")


def _page_of(item: Found) -> str | None:
    """The page whose markup holds the record: its envelope, else the document when the record
    sits where a page's JSON-LD puts it; None when that cannot be told."""
    if item.page_path is not None:
        return item.page_path
    return "" if _PAGE_LEVEL.fullmatch(item.path) else None


# --- Google Fact Check Tools response --------------------------------------------------------


def _check_google(item: Found, out: _Findings) -> None:
    """A claims:search entry: Google's own field names, so only its essentials are checked."""
    entry, path = item.node, item.path
    claim, claim_path = item.google_claim or {}, item.google_claim_path or ""
    text = claim.get("text")
    if not is_given(text) or not isinstance(text, str):
        out.error(_at(claim_path, "text"), Message("text (the claim) is missing or empty"))
    url = entry.get("url")
    if not is_given(url):
        out.error(_at(path, "url"), _URL_MISSING)
    elif not _is_url(url):
        out.error(_at(path, "url"), _not_a_url(url))
    rating = entry.get("textualRating")
    if not is_given(rating) or not isinstance(rating, str):
        out.error(
            _at(path, "textualRating"), Message("textualRating is missing (the verdict in words)")
        )
    _check_date(entry, "reviewDate", path, out)
    _check_date(claim, "claimDate", claim_path, out)
