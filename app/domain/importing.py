"""Import of real-world ClaimReview markup: upsert by page and claim, a batch at a time.

The page is the unit of markup: the ClaimReviews at one URL (normalised) are that page's reviews,
one per claim, matched to the stored ones by their claim. An import carries the whole of each page
it mentions: a stored review of a page that the import gives without it is retracted at the end
(`Importer.finish`), unless a record of that page was rejected (its claim is then unknown).

A batch of records commits together: its new reviews are written at once (`app.domain.bulk`),
a record whose URL is stored already in a savepoint of its own; a record is either fully stored
or absent whenever the process stops, a bad one is rejected alone and reported, and the rest
land. The pure part of reading a record (`read_document`) can run in worker processes.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import orjson
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlmodel import Session

from app import metrics
from app.claimreview.parse import Extracted, ParsedReview, extract
from app.domain import claim_matching
from app.domain import publishers as publisher_service
from app.domain import reviews as review_service
from app.domain.access import (
    COMMAND_LINE,
    Principal,
    may_import_over,
    others_than,
    require_site_of,
    written_by,
)
from app.domain.bulk import NewReview, create_reviews
from app.domain.claims import apply_claim_changes, claim_owners, claim_text_key
from app.domain.language import detect_language
from app.domain.schemas import (
    AppearanceIn,
    AuthorIn,
    Claimant,
    ClaimCreate,
    ClaimUpdate,
    FirstAppearance,
    PublisherCreate,
    RatingIn,
    ReviewStatus,
    ReviewUpdate,
    Role,
)
from app.domain.views import claim_public, review_public
from app.errors import AppError, pydantic_message
from app.messages import Message, at_field, joined
from app.rules.urls import InvalidURL, normalize_url
from app.search.documents import ClaimTokens, ReviewTokens, analyze_claim, analyze_review
from app.storage import repositories as repo
from app.storage.tables import Publisher


@dataclass(frozen=True)
class Rejection:
    index: int
    url: str | None
    reason: str  # a Message where it can be: the API sends its English, the web app translates


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    retracted: int = 0  # stored reviews the import's pages no longer carry (not records)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


class RecordRejected(Exception):
    pass


@dataclass(frozen=True)
class Unreadable:
    """An input line that is not JSON, passed along so that it is reported in order."""

    reason: str


def parse_line(number: int, line: bytes) -> Any:
    """One NDJSON line: its document, or an `Unreadable` naming the line."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Unreadable(
            Message("line {number} is not valid JSON: {reason}", number=number, reason=exc.msg)
        )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _validation_reason(exc: ValidationError) -> str:
    parts: list[str] = []
    for error in exc.errors()[:3]:
        where = ".".join(str(p) for p in error["loc"]) or Message("record")
        parts.append(at_field(where, pydantic_message(error)))
    return joined(parts)


_REJECTIONS = (RecordRejected, AppError, ValidationError, InvalidURL, ValueError)


@dataclass(frozen=True)
class _PublisherPlan:
    """Whose review a record is, found without writing: a stored publisher or one to create,
    and the hosts that become its sites."""

    publisher: Publisher | None
    create: PublisherCreate | None
    new_sites: tuple[str, ...]

    @property
    def languages(self) -> list[str]:
        return self.publisher.languages if self.publisher is not None else []


@dataclass
class _Prepared:
    """A record checked and ready to write."""

    index: int
    url: str | None
    plan: _PublisherPlan
    language: str
    url_key: str
    claim: ClaimCreate
    review: ReviewUpdate
    # Worked out in a reader process (`Checked`), or None.
    text_key: str | None = None
    appearance_keys: tuple[str, ...] | None = None
    claim_tokens: ClaimTokens | None = None
    review_tokens: ReviewTokens | None = None


class _Publishers:
    """The publisher lookups of one import, remembered; forgotten whenever a transaction is
    rolled back (a publisher or site it remembers may have gone with it)."""

    def __init__(self) -> None:
        self._owners: dict[str, str | None] = {}
        self._by_id: dict[str, Publisher | None] = {}
        self._by_name: dict[str, Publisher | None] = {}

        # Publisher plans by what a record says of its publisher: the same words, the same
        # plan, until a publisher or a site is added.
        self.plans: dict[tuple[str, str | None, str | None, str | None], _PublisherPlan] = {}

    def clear(self) -> None:
        self._owners.clear()
        self._by_id.clear()
        self._by_name.clear()
        self.plans.clear()

    def owner(self, session: Session, host: str) -> str | None:
        if host not in self._owners:
            self._owners[host] = repo.publisher_owning_site(session, host)
        return self._owners[host]

    def get(self, session: Session, publisher_id: str) -> Publisher | None:
        if publisher_id not in self._by_id:
            self._by_id[publisher_id] = repo.get_publisher(session, publisher_id)
        return self._by_id[publisher_id]

    def by_site(self, session: Session, host: str) -> Publisher | None:
        """The publisher of this host or of a parent domain (factuel.afp.com -> afp.com)."""
        labels = host.split(".")
        for start in range(len(labels) - 1):
            owner = self.owner(session, ".".join(labels[start:]))
            if owner is not None:
                return self.get(session, owner)
        return None

    def by_name(self, session: Session, name: str | None) -> Publisher | None:
        if not name:
            return None
        if name not in self._by_name:
            self._by_name[name] = repo.publisher_by_name(session, name)
        return self._by_name[name]

    def created(self, publisher: Publisher) -> None:
        self._by_id[publisher.id] = publisher
        for host in publisher.sites:
            self._owners[host] = publisher.id
        self._by_name.clear()  # it may be the one a name looked up in vain is now
        self.plans.clear()

    def site_added(self, host: str, publisher: Publisher) -> None:
        self._owners[host] = publisher.id
        self.plans.clear()


@dataclass(frozen=True)
class Checked:
    """What can be known of an extracted record without the database: its URL's key, the
    language detected when it declares none, and whether it passes validation in `language`
    (its own or the detected one); when it does, the keys and search analysis of its claim and
    review in that language. Small and picklable, for worker processes."""

    url_key: str | None
    detected: str | None
    language: str
    valid: bool
    text_key: str  # of the claim's wording
    appearance_keys: tuple[str, ...]  # the appearances' URLs, normalised
    claim_tokens: ClaimTokens | None = None
    review_tokens: ReviewTokens | None = None


def check(record: ParsedReview) -> Checked:
    detected = (
        None
        if record.language
        else detect_language(record.claim_text, record.headline, record.summary)
    )
    language = record.language or detected
    assert language is not None
    try:
        claim, _ = _validate(record, language, _validated)
        keys = tuple(normalize_url(a.url) for a in claim.appearances)
    except _REJECTIONS:
        return Checked(_url_key(record), detected, language, False, "", ())
    return Checked(
        _url_key(record),
        detected,
        language,
        True,
        claim_text_key(record.claim_text),
        keys,
        # As the importer stores them: the claim and the review as the record gives them.
        analyze_claim(record.claim_text, _claim_language(record, language), record.claimant_name),
        analyze_review(record.headline, record.summary, language),
    )


@dataclass(frozen=True)
class ReadDocument:
    """One input document, read: its records in order (each checked when `checked` was
    asked for), or why it could not be used."""

    records: list[tuple[Extracted, Checked | None]]
    unreadable: str | None = None


def read_document(document: Any, *, checked: bool = False) -> ReadDocument:
    """Pure: what an input document holds (the part of an import worth a worker process)."""
    if isinstance(document, Unreadable):
        return ReadDocument([], document.reason)
    found = extract(document)
    if not found:
        return ReadDocument([], Message("no ClaimReview found in this document"))
    return ReadDocument(
        [(e, check(e.review) if checked and e.review is not None else None) for e in found]
    )


Outcome = str | Rejection  # "created", "updated", "unchanged", or why not


class Importer:
    """Applies extracted records for one caller; counts outcomes in `result`.

    Records are written a batch at a time, one unit of work per batch (`units()`, the caller's
    transaction boundary; this class only flushes): the new reviews of a batch
    together (`app.domain.bulk`), a record whose URL is already stored on its own, in a
    savepoint. When a batch fails in the database, it is rolled back and written again record by
    record, each in a savepoint, so that only the record at fault is rejected.
    """

    def __init__(
        self,
        units: Callable[[], AbstractContextManager[Session]],
        principal: Principal,
        *,
        dry_run: bool = False,
        batch_size: int = 500,
        on_record: Callable[[ImportResult], None] | None = None,
    ) -> None:
        self.units = units
        self.principal = principal
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.on_record = on_record
        self.result = ImportResult()
        self._next_index = 0
        self._publishers = _Publishers()
        # Pages seen (hashes of their url keys), and, of those holding stored reviews when first
        # seen, the reviews no record has matched yet: retracted by `finish` unless matched.
        self._seen_pages: set[int] = set()
        self._unmatched: dict[str, set[int]] = {}
        self._incomplete: set[str] = set()  # pages with a rejected record: nothing retracted

    # --- entry points ---------------------------------------------------------------------------

    def import_documents(self, documents: Iterable[Any], *, last: bool = True) -> ImportResult:
        """Parsed JSON documents (one, or one per NDJSON line). Records are numbered across
        calls in the order they are found; an unreadable line is passed as `Unreadable`, and
        a document already read (say, in a worker process) as `ReadDocument`. `last=False`
        when more of the same import follows: `finish` is then the caller's to call."""
        self._apply(self._records(documents))
        return self.finish() if last else self.result

    def _records(self, documents: Iterable[Any]) -> Iterator[tuple[Extracted, Checked | None]]:
        for document in documents:
            read = document if isinstance(document, ReadDocument) else read_document(document)
            if read.unreadable is not None:
                yield Extracted(self._next_index, None, None, read.unreadable), None
                self._next_index += 1
                continue
            for e, checked in read.records:
                yield Extracted(self._next_index + e.index, e.url, e.review, e.error), checked
            self._next_index += len(read.records)

    def finish(self) -> ImportResult:
        """After the last document: retract the stored reviews that the pages this import gave
        no longer carry (a public change, on the change log as `review.retracted`). Reviews the
        importing key may not overwrite, and pages with a rejected record, are left alone."""
        pending = sorted(
            review_id
            for key, ids in self._unmatched.items()
            if key not in self._incomplete
            for review_id in ids
        )
        self._unmatched.clear()
        if not pending:
            return self.result
        with self.units() as session:
            savepoint = session.begin_nested() if self.dry_run else None
            try:
                for review_id in pending:
                    self.result.retracted += self._retract(session, review_id)
            finally:
                if savepoint is not None:
                    savepoint.rollback()
        return self.result

    def _retract(self, session: Session, review_id: int) -> int:
        review = repo.get_review(session, review_id, for_update=True)
        if (
            review is None
            or review.deleted_at is not None
            or review.status != ReviewStatus.PUBLISHED
            or not may_import_over(self.principal, review.publisher_id, review.written_by)
        ):
            return 0
        review_service.update_review(
            session,
            COMMAND_LINE,
            review_id,
            ReviewUpdate(status=ReviewStatus.RETRACTED),
            None,
            written_by=written_by(self.principal, importing=True),
        )
        metrics.IMPORT_RECORDS.labels("retracted").inc()
        return 1

    def _first_sight(self, stored: dict[str, list[repo.PageReview]], keys: Iterable[str]) -> None:
        """Pages met for the first time in this import: their stored public reviews are to be
        matched by the import's records, or retracted."""
        for key in keys:
            if hash(key) in self._seen_pages:
                continue
            self._seen_pages.add(hash(key))
            retractable = {
                r.id
                for r in stored.get(key, ())
                if not r.deleted
                and r.status == ReviewStatus.PUBLISHED
                and may_import_over(self.principal, r.publisher_id, r.written_by)
            }
            if retractable:
                self._unmatched[key] = retractable

    def _matched(self, url_key: str, review_id: int) -> None:
        ids = self._unmatched.get(url_key)
        if ids is not None:
            ids.discard(review_id)

    def _report(self, outcome: Outcome, url_key: str | None = None) -> None:
        if isinstance(outcome, Rejection):
            if url_key is not None:
                self._incomplete.add(url_key)
            self.result.rejected.append(outcome)
            metrics.IMPORT_RECORDS.labels("rejected").inc()
        else:
            setattr(self.result, outcome, getattr(self.result, outcome) + 1)
            metrics.IMPORT_RECORDS.labels(outcome).inc()
        if self.on_record:
            self.on_record(self.result)

    # --- machinery ------------------------------------------------------------------------------

    def _apply(self, records: Iterator[tuple[Extracted, Checked | None]]) -> None:
        batch: list[tuple[Extracted, Checked | None]] = []
        for record in records:
            batch.append(record)
            if len(batch) >= self.batch_size:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)

    def _batch(self, batch: list[tuple[Extracted, Checked | None]]) -> None:
        """One unit of work per batch; when the database refuses the batch, it is written
        again record by record in a new one, each record in a savepoint of its own."""
        try:
            outcomes = self._in_unit(batch, alone=False)
        except (SQLAlchemyError, *_REJECTIONS):
            outcomes = self._in_unit(batch, alone=True)
        for (record, checked), outcome in zip(batch, outcomes, strict=True):
            key = checked.url_key if checked is not None else _url_key(record.review)
            self._report(outcome, key or _page_key(record.url))

    def _in_unit(
        self, batch: list[tuple[Extracted, Checked | None]], *, alone: bool
    ) -> list[Outcome]:
        self._publishers.clear()  # what another transaction saw may have changed since
        with self.units() as session:
            if not self.dry_run:
                return self._write(session, batch, alone=alone)
            # A dry run does everything in a savepoint and takes it back.
            savepoint = session.begin_nested()
            try:
                return self._write(session, batch, alone=alone)
            finally:
                savepoint.rollback()

    def _forget(self, session: Session) -> None:
        """After a rollback: nothing read or written before it is trusted. (The session's
        identity map can keep an object a failed savepoint created.)"""
        session.expunge_all()
        self._publishers.clear()

    def _write(
        self, session: Session, batch: list[tuple[Extracted, Checked | None]], *, alone: bool
    ) -> list[Outcome]:
        """Every record of the batch, in order: the reviews of pages with nothing stored yet
        gathered and written together (unless `alone`), any other record on its own once those
        before it are written."""
        keys = [c.url_key if c is not None else _url_key(r.review) for r, c in batch]
        # What is stored at these pages holds until this unit commits: another import of the
        # same page at the same instant waits here, then finds the claims this one stored.
        repo.lock_pages(session, [k for k in keys if k is not None])
        stored = repo.reviews_at_pages(session, [k for k in keys if k is not None])
        self._first_sight(stored, [k for k in keys if k is not None])
        per_page = Counter(k for k in keys if k is not None)
        outcomes: list[Outcome | None] = [None] * len(batch)
        group: list[NewReview] = []
        group_at: list[int] = []
        group_keys: set[str] = set()
        written: set[str] = set()  # pages this batch wrote reviews at

        def write_group() -> None:
            create_reviews(session, group)
            for position in group_at:
                outcomes[position] = "created"
            written.update(group_keys)
            group.clear()
            group_at.clear()
            group_keys.clear()

        for position, ((record, checked), url_key) in enumerate(zip(batch, keys, strict=True)):
            if record.review is None:
                outcomes[position] = Rejection(
                    record.index, record.url, record.error or Message("not a ClaimReview")
                )
                continue
            try:
                prepared = self._prepare(session, record, url_key, checked)
            except _REJECTIONS as exc:
                outcomes[position] = Rejection(record.index, record.url, _reason(exc))
                continue
            key = prepared.url_key
            if not alone and key not in stored and key not in written:
                group.append(self._new_review(session, prepared))
                group_at.append(position)
                group_keys.add(key)
                continue
            if group:
                write_group()  # a later record of a page sees the reviews written before it
            outcomes[position] = self._alone(session, prepared, per_page[key], alone=alone)
            written.add(key)
        if group:
            write_group()
        assert all(o is not None for o in outcomes)
        return [o for o in outcomes if o is not None]

    def _alone(
        self, session: Session, prepared: _Prepared, page_records: int, *, alone: bool
    ) -> Outcome:
        """One record in a savepoint of its own: rolled back alone when it is rejected.
        `page_records`: how many records of the batch are at its page."""
        savepoint = session.begin_nested()
        failures = (SQLAlchemyError, *_REJECTIONS) if alone else _REJECTIONS
        try:
            at_page = repo.reviews_at_pages(session, [prepared.url_key]).get(prepared.url_key, [])
            existing_id = self._review_at_page(session, prepared, at_page, page_records)
            if existing_id is None:
                new = self._new_review(session, prepared)
                new = replace(new, page_claims=frozenset(r.claim_id for r in at_page))
                create_reviews(session, [new])
                outcome = "created"
            else:
                outcome = self._update(session, prepared, existing_id)
                self._matched(prepared.url_key, existing_id)
            savepoint.commit()
        except failures as exc:
            savepoint.rollback()
            self._forget(session)
            return Rejection(prepared.index, prepared.url, _reason(exc))
        return outcome

    def _review_at_page(
        self,
        session: Session,
        prepared: _Prepared,
        at_page: list[repo.PageReview],
        page_records: int,
    ) -> int | None:
        """The stored review a record of a page is, if any: the page's review of the same claim
        (the same wording in the same language); else, when the page holds one review and the
        batch one record of it, that review, its claim corrected (as when a typo is fixed)."""
        if not at_page:
            return None
        # A publisher the plan creates has no review anywhere yet.
        mine = prepared.plan.publisher.id if prepared.plan.publisher is not None else None
        others = sorted(
            {r.publisher_id for r in at_page if not r.deleted and r.publisher_id != mine}
        )
        if others:
            raise RecordRejected(_other_publishers_page(others[0]))
        worded = claim_matching.page_claims_worded(
            session,
            _ids(at_page),
            claim_matching.wording(prepared.claim, prepared.text_key),
        )
        same = next((r for r in at_page if r.claim_id in worded), None)
        if same is not None:
            return same.id
        live = [r for r in at_page if not r.deleted]
        if len(live) == 1 and page_records == 1:
            return live[0].id
        return None

    # --- one record -----------------------------------------------------------------------------

    def _prepare(
        self, session: Session, record: Extracted, url_key: str | None, checked: Checked | None
    ) -> _Prepared:
        """Everything about a record that can be known without writing; raises when it is to
        be rejected."""
        parsed = record.review
        assert parsed is not None
        plan = self._plan(session, parsed)
        detected = checked.detected if checked is not None else None
        language = (
            parsed.language
            or _only(plan.languages)
            or detected
            or detect_language(parsed.claim_text, parsed.headline, parsed.summary)
        )
        url_key = url_key or normalize_url(parsed.url)
        # Checked already in this very language: validating it again would give the same.
        trusted = checked is not None and checked.valid and language == checked.language
        claim, review = _validate(parsed, language, _construct if trusted else _validated)
        prepared = _Prepared(record.index, record.url, plan, language, url_key, claim, review)
        if trusted:
            assert checked is not None
            prepared.text_key = checked.text_key
            prepared.appearance_keys = checked.appearance_keys
            prepared.claim_tokens = checked.claim_tokens
            prepared.review_tokens = checked.review_tokens
        return prepared

    def _new_review(self, session: Session, prepared: _Prepared) -> NewReview:
        return NewReview(
            publisher=self._settle(session, prepared.plan),
            url_key=prepared.url_key,
            language=prepared.language,
            claim=prepared.claim,
            review=prepared.review,
            text_key=prepared.text_key,
            appearance_keys=prepared.appearance_keys,
            claim_tokens=prepared.claim_tokens,
            review_tokens=prepared.review_tokens,
            written_by=written_by(self.principal, importing=True),
        )

    def _update(self, session: Session, prepared: _Prepared, existing_id: int) -> str:
        publisher = self._settle(session, prepared.plan)
        claim_data, wanted = prepared.claim, prepared.review
        review = review_service.load_review(session, existing_id)
        if review.publisher_id != publisher.id:
            raise RecordRejected(_other_publishers_page(review.publisher_id))
        if review.status == ReviewStatus.RETRACTED:
            raise RecordRejected(
                Message("this review was retracted here; it is not imported again")
            )
        if not may_import_over(self.principal, review.publisher_id, review.written_by):
            raise RecordRejected(
                Message(
                    "review {id} was written by the publisher's editors; an import does not "
                    "overwrite it",
                    id=existing_id,
                )
            )
        current = review_public(review).model_dump()
        changed_review = any(
            current[name] != getattr(wanted, name)
            for name in wanted.model_fields_set - {"rating", "authors"}
        )
        changed_review |= current["rating"] != wanted.rating.model_dump()  # type: ignore[union-attr]
        changed_review |= current["authors"] != [a.model_dump() for a in wanted.authors or []]
        claim = repo.get_claim(session, review.claim_id)
        assert claim is not None
        assert claim.id is not None
        current_claim = claim_public(claim, repo.appearances_of(session, claim.id)).model_dump()
        changed_claim = False
        if any(current_claim[name] != value for name, value in claim_data.model_dump().items()):
            claim_id, changed_claim = self._claim_for(
                session, prepared.url_key, claim_data, publisher.id, keep=claim.id
            )
            if claim_id != review.claim_id:
                wanted.claim_id = claim_id
                changed_review = True
        if changed_review:
            # The importing key's rights were checked above (its publisher, its sites, whose
            # review it is); the update itself is the native one.
            review_service.update_review(
                session,
                COMMAND_LINE,
                existing_id,
                wanted,
                None,
                written_by=written_by(self.principal, importing=True),
            )
        return "updated" if changed_review or changed_claim else "unchanged"

    def _claim_for(
        self, session: Session, page: str, data: ClaimCreate, publisher_id: str, keep: int
    ) -> tuple[int, bool]:
        """The claim a stored review's corrected record reviews, and whether its claim was
        corrected: the same wording in the same language, or a claim sharing an appearance URL,
        else its own claim (corrected in place when no other review shares it)."""
        found = claim_matching.match_claim(session, claim_matching.wanted(page, data))
        if found is not None and found != keep:
            return found, False
        reviews = repo.live_reviews_of_claim(session, keep)
        claim = repo.get_claim(session, keep)
        assert claim is not None
        if len(reviews) == 1 and not others_than(
            publisher_id, claim_owners(session, claim, reviews)
        ):
            # This review's alone, on a claim no other publisher created: correct it in place.
            changed = apply_claim_changes(session, keep, ClaimUpdate(**data.model_dump()))
            return keep, changed
        # Shared with other reviews (same wording or appearance): it stays as it is.
        return keep, False

    # --- publishers -----------------------------------------------------------------------------

    def _plan(self, session: Session, record: ParsedReview) -> _PublisherPlan:
        host = _host(record.url)
        if self.principal.role == Role.EDITOR:
            return _PublisherPlan(self._editors_publisher(session, record.url), None, ())
        key = (host, record.publisher_site, record.publisher_url, record.publisher_name)
        plan = self._publishers.plans.get(key)
        if plan is None:
            plan = self._publishers.plans[key] = self._find_publisher(session, record, host)
        return plan

    def _find_publisher(self, session: Session, record: ParsedReview, host: str) -> _PublisherPlan:
        known = self._publishers
        home = _host(record.publisher_url) if record.publisher_url else ""
        site = record.publisher_site or ""
        publisher = (
            known.by_site(session, host)
            or (known.by_site(session, site) if site else None)
            or (known.by_site(session, home) if home else None)
            or known.by_name(session, record.publisher_name)
        )
        create = None if publisher is not None else self._new_publisher(session, record, host)
        # What the markup ties to this publisher becomes one of its sites, unless another
        # publisher already holds it.
        new_sites = tuple(
            h
            for h in dict.fromkeys((host, site, home))
            if h
            and known.owner(session, h) is None
            and not (create is not None and h in create.sites)
        )
        return _PublisherPlan(publisher, create, new_sites)

    def _settle(self, session: Session, plan: _PublisherPlan) -> Publisher:
        """Write what the plan says: the new publisher, the new sites."""
        publisher = plan.publisher
        if plan.create is not None:
            publisher_service.create_publisher(session, COMMAND_LINE, plan.create)
            publisher = repo.get_publisher(session, plan.create.id)
            assert publisher is not None
            self._publishers.created(publisher)
        assert publisher is not None
        for host in plan.new_sites:
            repo.add_site(session, publisher, host)
            self._publishers.site_added(host, publisher)
        return publisher

    def _editors_publisher(self, session: Session, url: str) -> Publisher:
        """An editor imports its own publisher's reviews: on one of its sites, nothing else."""
        mine = self.principal.publisher_id
        publisher = self._publishers.get(session, mine) if mine else None
        if publisher is None:
            raise RecordRejected(Message("no publisher '{publisher}'", publisher=mine))
        require_site_of(self.principal, publisher.id, publisher.sites, url)
        return publisher

    def _new_publisher(self, session: Session, record: ParsedReview, host: str) -> PublisherCreate:
        base = _slug(record.publisher_name or "") or _slug(host) or "publisher"
        slug, n = base, 1
        while self._publishers.get(session, slug) is not None:
            n += 1
            slug = f"{base}-{n}"
        return PublisherCreate(
            id=slug,
            name=record.publisher_name or host,
            url=record.publisher_url,
            sites=[host] if host else [],
        )


def _url_key(record: ParsedReview | None) -> str | None:
    if record is None:
        return None
    try:
        return normalize_url(record.url)
    except InvalidURL:
        return None  # rejected with the reason when the record is prepared


def _ids(reviews: list[repo.PageReview]) -> list[int]:
    return sorted({r.claim_id for r in reviews})


def _page_key(url: str | None) -> str | None:
    try:
        return normalize_url(url) if url else None
    except InvalidURL:
        return None


def _only(values: list[str]) -> str | None:
    return values[0] if len(values) == 1 else None


M = TypeVar("M", bound=BaseModel)


class _Make(Protocol):
    def __call__(self, model: type[M], /, **fields: Any) -> M: ...


def _validated(model: type[M], /, **fields: Any) -> M:
    return model(**fields)


def _construct(model: type[M], /, **fields: Any) -> M:
    """For values that passed validation already: `extract` hands them over normalised
    (trimmed text, UTC dates, canonical language tags), so validation would return them as
    they are."""
    return model.model_construct(**fields)


def _claim_language(record: ParsedReview, language: str) -> str:
    """The claim's language: its own, else the review's."""
    return record.claim_language or language


def _validate(record: ParsedReview, language: str, make: _Make) -> tuple[ClaimCreate, ReviewUpdate]:
    return (
        _claim(record, _claim_language(record, language), make),
        make(ReviewUpdate, **_review_fields(record, language, make)),
    )


def _claim(record: ParsedReview, language: str, make: _Make) -> ClaimCreate:
    return make(
        ClaimCreate,
        text=record.claim_text,
        language=language,
        claimant=(
            make(
                Claimant,
                name=record.claimant_name,
                type=record.claimant_type or "Person",
                url=record.claimant_url,
            )
            if record.claimant_name
            else None
        ),
        claim_date=record.claim_date,
        appearances=[make(AppearanceIn, url=u, archived_url=a) for u, a in record.appearances],
        first_appearance=(
            make(FirstAppearance, url=record.first_appearance) if record.first_appearance else None
        ),
    )


def _review_fields(record: ParsedReview, language: str, make: _Make) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "url": record.url,
        "headline": record.headline,
        "language": language,
        "rating": make(
            RatingIn,
            label=record.rating_label,
            value=record.rating_value,
            best=record.rating_best,
            worst=record.rating_worst,
            explanation=record.rating_explanation,
        ),
        "summary": record.summary,
        "authors": [make(AuthorIn, name=a.name, url=a.url) for a in record.authors],
        "status": ReviewStatus.PUBLISHED,
    }
    # Dates the markup does not give are left to the service (publication: when first seen).
    if record.date_published is not None:
        fields["date_published"] = record.date_published
    if record.date_modified is not None:
        fields["date_modified"] = record.date_modified
    return fields


def _other_publishers_page(publisher: str) -> Message:
    return Message("this page holds reviews of publisher '{publisher}'", publisher=publisher)


def _reason(exc: Exception) -> str:
    """Why a record is rejected: the Message it was raised with, where it was."""
    if isinstance(exc, ValidationError):
        return _validation_reason(exc)
    if isinstance(exc, AppError):
        return exc.detail
    if isinstance(exc, DBAPIError):
        return Message(
            "the database refused it: {error}", error=str(exc.orig).strip().splitlines()[0]
        )
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc)
