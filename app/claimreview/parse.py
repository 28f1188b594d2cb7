"""Read ClaimReview records out of real-world markup, whatever shape it comes in.

Pure: already-parsed JSON in, frozen dataclasses out; no I/O. Fact-checkers' markup is messy
(see tests/data/claimreview-real), so everything here is lenient about form and strict about
substance: a record is accepted and normalised when its claim, verdict and URL can be read, and
otherwise rejected with a sentence saying why. `extract` never raises and never lets one bad
record cost the others.

The module has three parts: finding ClaimReviews in a document (`find_claimreviews`, also used by
the validator), reading single values (text, URLs, dates, numbers, language tags), and building
one `ParsedReview` from schema.org markup or from a Google Fact Check Tools entry.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal
from urllib.parse import urljoin

from app.messages import Message, joined
from app.rules.fields import normalize_language
from app.rules.urls import MAX_URL_LENGTH, is_http_url, normalize_url

# --- Records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A journalist who wrote the fact-check."""

    name: str
    url: str | None


@dataclass(frozen=True)
class ParsedReview:
    """One fact-check, flattened and normalised; the import service stores it as it is."""

    url: str
    headline: str | None
    language: str | None
    date_published: datetime | None
    date_modified: datetime | None
    rating_label: str
    rating_value: float | None
    rating_best: float | None
    rating_worst: float | None
    rating_explanation: str | None
    summary: str | None
    authors: tuple[Person, ...]
    publisher_name: str | None
    publisher_url: str | None
    publisher_site: str | None
    claim_text: str
    claim_language: str | None
    claimant_name: str | None
    claimant_type: Literal["Person", "Organization"] | None
    claimant_url: str | None
    claim_date: datetime | None
    appearances: tuple[tuple[str, str | None], ...]
    first_appearance: str | None


@dataclass(frozen=True)
class Extracted:
    """A ClaimReview found in the input: parsed (`review`), or rejected (`error`, a Message: the
    API sends its English, the web app its translation)."""

    index: int
    url: str | None
    review: ParsedReview | None
    error: str | None


# The service's column limits. Over them a record is rejected, not truncated: a claim cut short
# misquotes its claimant, and a cut verdict can change its meaning.
MAX_CLAIM = 10_000
MAX_HEADLINE = 1_000
# A rating label (textualRating, alternateName) is kept whatever its length: some publishers
# write a paragraph (over 2,000 characters in Arabic fact-checks Google serves). This is a bound
# against abuse, as large as a review's body.
MAX_LABEL = 20_000
MAX_EXPLANATION = 10_000
MAX_SUMMARY = 20_000
MAX_NAME = 500


def extract(
    document: Any, *, page_url: str | None = None, language: str | None = None
) -> list[Extracted]:
    """Every ClaimReview in `document`, in document order, each parsed or rejected.

    `page_url` is the page the document came from (the review URL when the markup has none);
    `language` the caller's default language (say, a feed's), overridden by any `inLanguage`
    declared around or on a record. Never raises.
    """
    records = (
        one
        for found in find_claimreviews(document, page_url=page_url, language=language)
        for one in _each_claim(found)
    )
    return [_extract_one(index, found) for index, found in enumerate(records)]


def _each_claim(found: Found) -> list[Found]:
    """A ClaimReview whose claimReviewed lists several claims (The Quint writes a list) is
    that many records of one page, one per claim; a one-item list is its one claim."""
    claims = found.node.get("claimReviewed") if found.google_claim is None else None
    if not isinstance(claims, list):
        return [found]
    texts = list(dict.fromkeys(text for text in map(clean_line, claims) if text))
    if not texts:
        return [found]  # rejected as having no claim
    return [replace(found, node={**found.node, "claimReviewed": text}) for text in texts]


def _extract_one(index: int, found: Found) -> Extracted:
    try:
        if found.google_claim is not None:
            return _from_google(index, found)
        return _from_schema(index, found)
    except Exception as error:  # a bug here must not cost the import its other records
        return Extracted(
            index,
            None,
            None,
            Message(
                "could not be read (unexpected {error}); report it", error=type(error).__name__
            ),
        )


# --- Finding ClaimReviews --------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A ClaimReview located in a document, with what its surroundings say about it."""

    node: Mapping[str, Any]  # the ClaimReview object, or one entry of a Google claim's claimReview
    path: str  # JSON path from the document root: "", "[2]", "jsonld.@graph[0]"
    page_url: str | None  # from a page envelope or an enclosing DataFeedItem
    language: str | None  # the nearest declared language around the record
    context: Any  # the JSON-LD @context in force (its own or an ancestor's), None if none
    context_path: str | None  # where that @context is written; None when there is none
    page_path: str | None  # path of the page envelope holding it: same page, same envelope
    google_claim: Mapping[str, Any] | None = None  # the claim around a Google claimReview entry
    google_claim_path: str | None = None


@dataclass(frozen=True)
class _Scope:
    page_url: str | None
    language: str | None
    context: Any = None
    context_path: str | None = None
    page_path: str | None = None


@dataclass(frozen=True)
class _Step:
    """A path as a chain of steps, rendered only for what is found (deep input stays linear)."""

    parent: _Step | None
    key: str | int


def render_path(step: _Step | None) -> str:
    parts: list[str] = []
    while step is not None:
        key = step.key
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _PLAIN_KEY.fullmatch(key):
            parts.append(f".{key}")
        else:
            parts.append(f"[{json.dumps(key, ensure_ascii=False)}]")
        step = step.parent
    return "".join(reversed(parts)).removeprefix(".")


_PLAIN_KEY = re.compile(r"[@A-Za-z_][\w@-]*", re.ASCII)


def type_names(node: Mapping[str, Any]) -> set[str]:
    """The object's @type values as folded local names: "http://schema.org/ClaimReview",
    "schema:ClaimReview" and "claimReview" all give "claimreview"."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {
        re.split(r"[/#:]", value.strip())[-1].casefold()
        for value in values
        if isinstance(value, str)
    }


def is_claimreview(node: Mapping[str, Any]) -> bool:
    # Vendor APIs (Newtral's) may drop @type; claimReviewed and reviewRating together are
    # ClaimReview's own properties, so such an object cannot be anything else.
    return "claimreview" in type_names(node) or ("claimReviewed" in node and "reviewRating" in node)


def _is_google_claim(node: Mapping[str, Any]) -> bool:
    # Google's claims:search claim: {"text", "claimant", "claimDate", "claimReview": [...]}.
    return isinstance(node.get("claimReview"), list | dict)


def find_claimreviews(
    document: Any, *, page_url: str | None = None, language: str | None = None
) -> list[Found]:
    """Every ClaimReview in any nesting of dicts and lists, in document order.

    Walks iteratively (no recursion limit on deep input) and does not look inside a ClaimReview
    for more. Page envelopes ({"page_url"/"url", "jsonld"}) and DataFeedItems give a page URL,
    enclosing objects' `inLanguage` a language; deleted DataFeedItems are skipped.
    """
    found: list[Found] = []
    root = _Scope(page_url=http_url(page_url, lenient=True), language=language_tag(language))
    stack: list[tuple[Any, _Step | None, _Scope]] = [(document, None, root)]
    seen: set[int] = set()  # Python callers could pass shared or cyclic containers
    while stack:
        node, step, scope = stack.pop()
        if not isinstance(node, dict | list) or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            stack.extend(
                (child, _Step(step, index), scope)
                for index, child in reversed(list(enumerate(node)))
            )
            continue
        if is_claimreview(node):
            found.append(_found(node, step, scope))
        elif "jsonld" in node:
            # The test data's page wrapper; its jsonld is a fresh document on that page.
            page = _first_url(node.get("page_url"), node.get("url"), lenient=True) or scope.page_url
            inner = _Scope(page_url=page, language=scope.language, page_path=render_path(step))
            stack.append((node["jsonld"], _Step(step, "jsonld"), inner))
        elif _is_google_claim(node):
            found.extend(_google_entries(node, step, scope))
        elif not _is_deleted(node):
            inner = _enter(node, step, scope)
            stack.extend(
                (value, _Step(step, str(key)), inner)
                for key, value in reversed(list(node.items()))
                if key != "@context"
            )
    return found


def _found(node: Mapping[str, Any], step: _Step | None, scope: _Scope) -> Found:
    context, context_path = scope.context, scope.context_path
    if "@context" in node:
        context, context_path = node["@context"], render_path(_Step(step, "@context"))
    return Found(
        node=node,
        path=render_path(step),
        page_url=scope.page_url,
        language=scope.language,
        context=context,
        context_path=context_path,
        page_path=scope.page_path,
    )


def _google_entries(claim: Mapping[str, Any], step: _Step | None, scope: _Scope) -> Iterator[Found]:
    reviews = claim["claimReview"]
    entries = reviews if isinstance(reviews, list) else [reviews]
    container = _Step(step, "claimReview")
    for index, entry in enumerate(entries):
        if isinstance(entry, dict):
            entry_step = _Step(container, index) if isinstance(reviews, list) else container
            yield Found(
                node=entry,
                path=render_path(entry_step),
                page_url=scope.page_url,
                language=scope.language,
                context=None,
                context_path=None,
                page_path=scope.page_path,
                google_claim=claim,
                google_claim_path=render_path(step),
            )


def _is_deleted(node: Mapping[str, Any]) -> bool:
    # A feed's tombstone: the item was withdrawn and must not be imported.
    return "datafeeditem" in type_names(node) and is_given(node.get("dateDeleted"))


def _enter(node: Mapping[str, Any], step: _Step | None, scope: _Scope) -> _Scope:
    """The scope inside an enclosing object (page, @graph holder, DataFeed, DataFeedItem)."""
    changes: dict[str, Any] = {}
    if "@context" in node:
        changes["context"] = node["@context"]
        changes["context_path"] = render_path(_Step(step, "@context"))
    declared = language_tag(node.get("inLanguage"))
    if declared:
        changes["language"] = declared
    if "datafeeditem" in type_names(node):
        item_url = http_url(node.get("url"), lenient=True)
        if item_url:
            changes["page_url"] = item_url
    return replace(scope, **changes) if changes else scope


# --- Values ----------------------------------------------------------------------------------

# C0 and C1 controls but tab and newline, and lone surrogates (not encodable, so not storable).
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Markup generated from HTML templates often double-escapes: "Singh&#039;s".
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def clean_prose(value: Any) -> str | None:
    """Text as written (line breaks kept), entities decoded, controls removed, trimmed."""
    if not isinstance(value, str):
        return None
    text = _ENTITY.sub(lambda match: html.unescape(match.group(0)), value)
    return _UNWANTED.sub("", text).strip() or None


def clean_line(value: Any) -> str | None:
    """`clean_prose`, on one line: every run of whitespace becomes a single space."""
    text = clean_prose(value)
    return " ".join(text.split()) or None if text else None


def _name(value: Any) -> str | None:
    # A few publishers give a list ("Mzwandile Masina", "mayor of Ekurhuleni"): one name.
    if isinstance(value, list):
        parts = [part for part in (clean_line(item) for item in value) if part]
        return ", ".join(parts) or None
    return clean_line(value)


def is_given(value: Any) -> bool:
    """Real markup writes "" (or [] / {}) for "not given"; all of them count as missing."""
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | dict):
        return bool(value)
    return value is not None


def http_url(value: Any, *, lenient: bool = False, base: str | None = None) -> str | None:
    """An absolute http(s) URL, or None.

    Strict by default. Lenient (for the review's own URL and journalists' pages) also takes
    "//host/x" and "aosfatos.org/x" (a host without its scheme) as https, and resolves a
    host-relative "/author/x" against `base` when there is one.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        return None
    if lenient and "://" not in text:
        if text.startswith("//"):
            text = "https:" + text
        elif text.startswith("/"):
            if base is None:
                return None
            text = urljoin(base, text)
        elif _is_schemeless(text):
            text = "https://" + text
    try:
        return text if is_http_url(text) else None
    except ValueError:
        return None


def _is_schemeless(text: str) -> bool:
    # normalize_url accepts host-first text and refuses "javascript:..." or a relative path.
    try:
        normalize_url(text)
    except ValueError:
        return False
    return True


def _first_url(*values: Any, lenient: bool = False) -> str | None:
    for value in values:
        url = http_url(value, lenient=lenient)
        if url:
            return url
    return None


def language_tag(value: Any) -> str | None:
    """A BCP 47 tag in its conventional case, or None for anything that is not one.

    Accepts a list (the first valid tag) and schema.org's Language object
    ({"@type": "Language", "alternateName": "fr"}); nothing nested deeper.
    """
    for candidate in value if isinstance(value, list) else [value]:
        tag = candidate.get("alternateName") if isinstance(candidate, dict) else candidate
        if isinstance(tag, str) and len(tag) <= 35:
            try:
                return normalize_language(tag)
            except ValueError:
                continue
    return None


ISO_8601 = re.compile(
    r"""
    (?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})
    (?:
        (?P<sep>[Tt\ ])(?P<hour>[0-9]{2}):(?P<minute>[0-9]{2})
        (?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]+))?)?
        (?P<zone>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)?
    )?
    """,
    re.VERBOSE | re.ASCII,
)


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from the ISO 8601 forms found in markup, or None.

    "2018-01-31", "2022-01-28 18:35" (no zone: UTC), "2020-03-27T10:46:13+0200",
    "2019-12-09T15:11:25.619782+00:00", "2019-06-20T12:12:40Z". Impossible dates give None.
    """
    if not isinstance(value, str):
        return None
    match = ISO_8601.fullmatch(value.strip())
    if match is None:
        return None
    part = match.groupdict()
    try:
        moment = datetime(
            int(part["year"]),
            int(part["month"]),
            int(part["day"]),
            int(part["hour"] or 0),
            int(part["minute"] or 0),
            int(part["second"] or 0),
            int((part["fraction"] or "0")[:6].ljust(6, "0")),
            tzinfo=_zone(part["zone"]),
        )
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # day 30 of February; a zone past 24 hours; year 1 - 1h
        return None


def _zone(text: str | None) -> timezone:
    if text is None or text in "Zz":
        return UTC
    digits = text[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
    return timezone(-offset if text[0] == "-" else offset)


_NUMERIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def as_number(value: Any) -> float | None:
    """A finite number from a JSON number or a numeric string ("5", " 1.5 "); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not _NUMERIC.fullmatch(text):
            return None
        value = text
    elif not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def rating_scale(
    value: Any, best: Any, worst: Any
) -> tuple[float, float, float] | tuple[None, None, None]:
    """(value, best, worst) when they make a valid scale, else three Nones.

    worstRating defaults to 1 (schema.org) when value and best are given. The -1/-1/-1
    sentinel, a flat or upside-down scale, and a value off the scale carry no information.
    """
    number, top, bottom = as_number(value), as_number(best), as_number(worst)
    if number is None or top is None:
        return None, None, None
    if bottom is None:
        bottom = 1.0
    if top <= bottom or not bottom <= number <= top:
        return None, None, None
    return number, top, bottom


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _first_object(value: Any) -> Mapping[str, Any] | None:
    return next((item for item in _as_list(value) if isinstance(item, dict)), None)


def shown(value: Any, limit: int = 80) -> str:
    """Input shown in a message: a string quoted, escaped and cut short; a scalar as written;
    a container only by its kind (its repr could be huge, or too deep to print)."""
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[: limit - 1] + "…")
    if value is None or isinstance(value, bool | int | float):
        return repr(value)[:limit]
    if isinstance(value, dict):
        return Message("an object")
    if isinstance(value, list):
        return Message("a list")
    return Message("a {kind}", kind=type(value).__name__)


# --- Building a record -----------------------------------------------------------------------


class _Problems:
    """Reasons to reject a record, gathered so that one report lists them all."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def limit(self, field: str, text: str | None, limit: int) -> None:
        if text is not None and len(text) > limit:
            self.add(
                Message(
                    "{field} is {length:,} characters long, over the limit of {limit:,} "
                    "(not cut short, since that would change it: shorten it at the source)",
                    field=field,
                    length=len(text),
                    limit=limit,
                )
            )

    def reason(self) -> str:
        return joined(self.messages)


def _review_url(
    candidates: tuple[Any, ...], page_url: str | None, problems: _Problems
) -> tuple[str | None, str | None]:
    """(the review URL, the best URL to report): the first usable candidate, else the page's."""
    for candidate in candidates:
        url = http_url(candidate, lenient=True, base=page_url)
        if url:
            return url, url
    if page_url:
        return page_url, page_url
    raw = candidates[0]
    if not is_given(raw):
        problems.add(Message("url is missing and the page URL is unknown"))
        return None, None
    text = raw.strip() if isinstance(raw, str) else None
    problems.add(
        Message(
            "url {value} is not an http(s) URL and the page URL is unknown",
            value=shown(text or raw),
        )
    )
    return None, text


def _main_entity_url(node: Mapping[str, Any]) -> Any:
    entity = node.get("mainEntityOfPage")
    return entity.get("@id") or entity.get("url") if isinstance(entity, dict) else entity


def _from_schema(index: int, found: Found) -> Extracted:
    node = found.node
    problems = _Problems()
    # mainEntityOfPage is the page itself: as good as `url` when `url` is unusable.
    url, report_url = _review_url(
        (node.get("url"), _main_entity_url(node)), found.page_url, problems
    )
    language = language_tag(node.get("inLanguage")) or found.language

    claim_text = clean_line(node.get("claimReviewed"))
    if claim_text is None:
        problems.add(Message("claimReviewed is missing or empty"))
    problems.limit("claimReviewed", claim_text, MAX_CLAIM)

    rating = _first_object(node.get("reviewRating"))
    label = clean_line(rating.get("alternateName")) if rating else None
    if rating is None:
        problems.add(
            Message("reviewRating is missing (the verdict, with its alternateName in words)")
        )
    elif label is None:
        problems.add(Message("reviewRating.alternateName is missing (the verdict in words)"))
    problems.limit("reviewRating.alternateName", label, MAX_LABEL)
    value, best, worst = (
        rating_scale(rating.get("ratingValue"), rating.get("bestRating"), rating.get("worstRating"))
        if rating
        else (None, None, None)
    )
    explanation = clean_prose(rating.get("ratingExplanation")) if rating else None
    problems.limit("reviewRating.ratingExplanation", explanation, MAX_EXPLANATION)

    headline = next(
        (text for key in ("name", "headline", "title") if (text := clean_line(node.get(key)))),
        None,
    )
    problems.limit(Message("name (the headline)"), headline, MAX_HEADLINE)
    summary = clean_prose(node.get("reviewBody")) or clean_prose(node.get("description"))
    problems.limit("reviewBody", summary, MAX_SUMMARY)

    authors, organisation = _authors(node, url, problems)
    if organisation is None:
        organisation = _first_organisation(node.get("publisher"))
    publisher_name = _name(organisation.get("name")) if organisation else None
    problems.limit(Message("the publisher's name"), publisher_name, MAX_NAME)

    item = _first_object(node.get("itemReviewed")) or {}
    claimant = _claimant(item.get("author"), problems)

    if problems.messages or url is None or claim_text is None or label is None:
        return Extracted(index, report_url, None, problems.reason())
    return Extracted(
        index,
        url,
        ParsedReview(
            url=url,
            headline=headline,
            language=language,
            date_published=parse_datetime(node.get("datePublished")),
            date_modified=parse_datetime(node.get("dateModified")),
            rating_label=label,
            rating_value=value,
            rating_best=best,
            rating_worst=worst,
            rating_explanation=explanation,
            summary=summary,
            authors=authors,
            publisher_name=publisher_name,
            publisher_url=http_url(organisation.get("url")) if organisation else None,
            publisher_site=None,
            claim_text=claim_text,
            claim_language=language_tag(item.get("inLanguage")) or language,
            claimant_name=claimant[0],
            claimant_type=claimant[1],
            claimant_url=claimant[2],
            claim_date=parse_datetime(item.get("datePublished")),
            appearances=_appearances(item),
            first_appearance=_appearance_url(item.get("firstAppearance")),
        ),
        None,
    )


def _is_person(entity: Mapping[str, Any]) -> bool:
    return "person" in type_names(entity)


def _authors(
    node: Mapping[str, Any], review_url: str | None, problems: _Problems
) -> tuple[tuple[Person, ...], Mapping[str, Any] | None]:
    """The journalists (Persons in `author`, and `creator`, which is where we publish them) and
    the organisation: the first non-Person `author`. A bare string author is an organisation."""
    people: list[Person] = []
    organisation: Mapping[str, Any] | None = None
    entries = [(entry, False) for entry in _as_list(node.get("author"))]
    entries += [(entry, True) for entry in _as_list(node.get("creator"))]
    for entry, is_creator in entries:
        if isinstance(entry, str):
            entry = {"@type": "Person" if is_creator else "Organization", "name": entry}
        if not isinstance(entry, dict):
            continue
        name = _name(entry.get("name"))
        if name is None:
            continue
        if _is_person(entry) or is_creator:
            problems.limit(Message("an author's name"), name, MAX_NAME)
            # Journalists' pages sit on the publisher's site: "/author/x" is relative to it.
            person = Person(name, http_url(entry.get("url"), lenient=True, base=review_url))
            if person not in people:
                people.append(person)
        elif organisation is None:
            organisation = entry
    return tuple(people), organisation


def _first_organisation(value: Any) -> Mapping[str, Any] | None:
    for entry in _as_list(value):
        if isinstance(entry, str) and clean_line(entry):
            return {"name": entry}
        if isinstance(entry, dict) and _name(entry.get("name")) and not _is_person(entry):
            return entry
    return None


def _claimant(
    value: Any, problems: _Problems
) -> tuple[str | None, Literal["Person", "Organization"] | None, str | None]:
    """(name, type, url) of who made the claim: itemReviewed.author."""
    for entry in _as_list(value):
        if isinstance(entry, str) and clean_line(entry):
            name = clean_line(entry)
            problems.limit("itemReviewed.author.name", name, MAX_NAME)
            return name, None, None
        if not isinstance(entry, dict):
            continue
        name = _name(entry.get("name"))
        if name is None:
            continue
        problems.limit("itemReviewed.author.name", name, MAX_NAME)
        types = type_names(entry)
        kind: Literal["Person", "Organization"] | None = (
            "Person"
            if "person" in types
            else "Organization"
            if any(type_name.endswith("organization") for type_name in types)
            else None
        )
        url = http_url(entry.get("url")) or _first_url(*_as_list(entry.get("sameAs")))
        return name, kind, url
    return None, None, None


def _appearance_url(value: Any) -> str | None:
    """An appearance's address: a URL, or an object's `url`, or else its `contentUrl` (an
    `ImageObject` or `VideoObject` names the file it is: the image a claim circulated as)."""
    if isinstance(value, dict):
        return http_url(value.get("url")) or http_url(value.get("contentUrl"))
    return http_url(value)


def _appearances(item: Mapping[str, Any]) -> tuple[tuple[str, str | None], ...]:
    """Where the claim was seen: `appearance`, then the item's own url and sameAs.

    Only absolute http(s) URLs; duplicates (same normalised URL) merged, first one kept.
    """
    pairs: list[tuple[str, str | None]] = []
    for entry in _as_list(item.get("appearance")):
        url = _appearance_url(entry)
        if url:
            archived = entry.get("archivedAt") if isinstance(entry, dict) else None
            pairs.append((url, _appearance_url(_first_object(archived) or archived)))
    for extra in (item.get("url"), *_as_list(item.get("sameAs"))):
        url = http_url(extra)
        if url:
            pairs.append((url, None))
    kept: dict[str, tuple[str, str | None]] = {}
    for url, archived in pairs:
        key = normalize_url(url)
        first = kept.get(key)
        if first is None:
            kept[key] = (url, archived)
        elif first[1] is None and archived is not None:
            kept[key] = (first[0], archived)
    return tuple(kept.values())


# --- Google Fact Check Tools -----------------------------------------------------------------

# The service's rule for a site (app.rules.fields Host): a bare host name, nothing else.
_HOST = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", re.ASCII)


def _host(value: Any) -> str | None:
    text = clean_line(value)
    host = text.lower().rstrip(".") if text else ""
    return host if len(host) <= 253 and _HOST.fullmatch(host) else None


def _from_google(index: int, found: Found) -> Extracted:
    """One entry of a claims:search claim's claimReview list (Google's own field names)."""
    entry, claim = found.node, found.google_claim or {}
    problems = _Problems()
    url, report_url = _review_url((entry.get("url"),), found.page_url, problems)
    claim_text = clean_line(claim.get("text"))
    if claim_text is None:
        problems.add(Message("text (the claim) is missing or empty"))
    problems.limit(Message("text (the claim)"), claim_text, MAX_CLAIM)
    label = clean_line(entry.get("textualRating"))
    if label is None:
        problems.add(Message("textualRating is missing (the verdict in words)"))
    problems.limit("textualRating", label, MAX_LABEL)
    headline = clean_line(entry.get("title"))
    problems.limit("title", headline, MAX_HEADLINE)
    publisher = _first_object(entry.get("publisher")) or {}
    publisher_name = _name(publisher.get("name"))
    problems.limit("publisher.name", publisher_name, MAX_NAME)
    claimant = _name(claim.get("claimant"))
    problems.limit("claimant", claimant, MAX_NAME)
    if problems.messages or url is None or claim_text is None or label is None:
        return Extracted(index, report_url, None, problems.reason())
    language = language_tag(entry.get("languageCode")) or found.language
    return Extracted(
        index,
        url,
        ParsedReview(
            url=url,
            headline=headline,
            language=language,
            date_published=parse_datetime(entry.get("reviewDate")),
            date_modified=None,
            rating_label=label,
            rating_value=None,
            rating_best=None,
            rating_worst=None,
            rating_explanation=None,
            summary=None,
            authors=(),
            publisher_name=publisher_name,
            publisher_url=None,
            publisher_site=_host(publisher.get("site")),
            claim_text=claim_text,
            claim_language=language,
            claimant_name=claimant,
            claimant_type=None,
            claimant_url=None,
            claim_date=parse_datetime(claim.get("claimDate")),
            appearances=(),
            first_appearance=None,
        ),
        None,
    )
