"""The one door from the web app to the domain: every read and write of a page goes through a
function here, calling the same use cases as the API in one unit of work each."""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from app.claimreview.validate import validate
from app.domain import claims, keys, newsroom, publishers, reviews, web_sessions
from app.domain.access import Principal
from app.domain.importing import Importer, ImportResult, parse_line
from app.domain.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    PublisherCreate,
    PublisherPublic,
    ReviewCreate,
    ReviewPublic,
    ReviewStatus,
    ReviewUpdate,
    Role,
)
from app.errors import AppError, Forbidden
from app.messages import N_, Message
from app.storage.database import Database
from app.web import forms
from app.web.forms import FieldErrors, ReviewForm

WRITERS = (Role.EDITOR, Role.ADMIN)


class FormRefused(Exception):
    """The domain (or the form) refused a submission: messages at their fields ("" for the
    form as a whole), and whether it was refused for being stale."""

    def __init__(self, errors: FieldErrors, *, stale: bool = False) -> None:
        super().__init__(errors)
        self.errors = errors
        self.stale = stale


def _refused(exc: AppError) -> FormRefused:
    """The domain's messages as it raised them: Messages, which the page translates."""
    errors: FieldErrors = {}
    for item in exc.errors or []:
        message = item.get("message", "")
        forms.add_error(
            errors,
            str(item.get("field", "")),
            message if isinstance(message, str) else str(message),
        )
    if not errors:
        errors[""] = [exc.detail]
    return FormRefused(errors, stale=exc.status == 412)


# --- sessions -----------------------------------------------------------------------------------


def sign_in(db: Database, secret: str, nonce: str, expires_at: datetime) -> Principal:
    """The editor or admin holding this key (Unauthorized or Forbidden otherwise), with a
    session opened under this nonce until `expires_at`."""
    with db.unit_of_work() as session:
        principal = keys.authenticate(session, secret.strip())
        if principal.role not in WRITERS:
            raise Forbidden(N_("Only editor and admin keys can sign in."))
        web_sessions.open_session(session, principal, nonce, expires_at)
    return principal


def principal_of(db: Database, nonce: str, key_id: str) -> Principal | None:
    """A session's key, while the session is open and its key unrevoked and may sign in."""
    with db.session() as session:
        try:
            principal = web_sessions.session_principal(session, nonce, key_id)
        except AppError:
            return None
    return principal if principal.role in WRITERS else None


def sign_out(db: Database, nonce: str) -> None:
    with db.unit_of_work() as session:
        web_sessions.close_session(session, nonce)


# --- fact-checks --------------------------------------------------------------------------------


def dashboard(
    db: Database, principal: Principal, words: str, status: ReviewStatus | None, page: int
) -> newsroom.ReviewPage:
    with db.session() as session:
        return newsroom.list_reviews(
            session, principal, words=words or None, status=status, page=page
        )


def editable(db: Database, principal: Principal, review_id: int) -> newsroom.EditableReview:
    with db.session() as session:
        return newsroom.editable_review(session, principal, review_id)


def _validated(form: ReviewForm, status: ReviewStatus) -> ReviewCreate:
    data, errors = form.to_create(status)
    if data is None:
        raise FormRefused(errors)
    return data


def create(db: Database, principal: Principal, form: ReviewForm, status: ReviewStatus) -> int:
    data = _validated(form, status)
    try:
        with db.unit_of_work() as session:
            return reviews.create_review(session, principal, data).id
    except AppError as exc:
        raise _refused(exc) from exc


def _apply(
    session: Any,
    principal: Principal,
    review_id: int,
    data: ReviewCreate,
    etag: str | None,
) -> ReviewPublic:
    """The review first (it checks the ETag under its row lock), then its claim if it changed."""
    current = newsroom.editable_review(session, principal, review_id)
    review = reviews.update_review(session, principal, review_id, forms.review_update(data), etag)
    if forms.claim_changed(data, current.claim):
        claims.update_claim(
            session, principal, current.claim.id, forms.claim_update(data, current.claim)
        )
    return review


def update(
    db: Database,
    principal: Principal,
    review_id: int,
    form: ReviewForm,
    status: ReviewStatus,
    etag: str,
) -> None:
    """A correction: refused (stale) when the review changed since the form was read."""
    data = _validated(form, status)
    try:
        with db.unit_of_work() as session:
            _apply(session, principal, review_id, data, etag or None)
    except AppError as exc:
        raise _refused(exc) from exc


def retract(
    db: Database, principal: Principal, review_id: int, etag: str, reason: str | None
) -> None:
    try:
        with db.unit_of_work() as session:
            reviews.update_review(
                session,
                principal,
                review_id,
                ReviewUpdate(status=ReviewStatus.RETRACTED, retraction_reason=reason),
                etag or None,
            )
    except AppError as exc:
        raise _refused(exc) from exc


@dataclass
class Preview:
    """What the form would publish: the review, its JSON-LD and Google's rules about it."""

    review: ReviewPublic | None = None
    claim_text: str = ""
    claimant: str = ""
    publisher: str = ""
    jsonld: str = ""
    errors: FieldErrors = field(default_factory=dict)
    warnings: FieldErrors = field(default_factory=dict)


def preview(
    db: Database, principal: Principal, form: ReviewForm, review_id: int | None = None
) -> Preview:
    """Runs the very use case that publishing runs, then rolls it back: the card and the
    JSON-LD are the renderer's, the errors the domain's, the warnings the validator's."""
    try:
        data = _validated(form, ReviewStatus.PUBLISHED)
    except FormRefused as refused:
        return Preview(errors=refused.errors)
    result = Preview(
        claim_text=data.claim.text if data.claim else "",
        claimant=form.claimant,
    )
    session = db.session()
    try:
        if review_id is None:
            review = reviews.create_review(session, principal, data)
        else:
            review = _apply(session, principal, review_id, data, None)
        document = newsroom.rendered_document(session, review.id)
        result.review = review
        result.publisher = newsroom.publisher_name(session, review.publisher_id)
    except AppError as exc:
        return Preview(errors=_refused(exc).errors)
    finally:
        session.rollback()
        session.close()
    if document is not None:
        parsed = orjson.loads(document)
        result.jsonld = orjson.dumps(parsed, option=orjson.OPT_INDENT_2).decode()
        report = validate(parsed)
        for finding in report.errors:
            result.errors.setdefault(forms.markup_field(finding.path), []).append(finding.message)
        for finding in report.warnings:
            result.warnings.setdefault(forms.markup_field(finding.path), []).append(finding.message)
    return result


# --- import -------------------------------------------------------------------------------------


def _documents(content: bytes) -> list[Any]:
    """One JSON document, or NDJSON (one document a line, a bad line reported in order)."""
    try:
        return [orjson.loads(content)]
    except orjson.JSONDecodeError as exc:
        lines = [line for line in content.splitlines() if line.strip()]
        if len(lines) < 2:
            raise FormRefused(
                {"": [Message("The file is not JSON ({reason}).", reason=exc.msg)]}
            ) from exc
    return [
        parse_line(number, line)
        for number, line in enumerate(content.splitlines(), start=1)
        if line.strip()
    ]


def import_file(db: Database, principal: Principal, content: bytes) -> ImportResult:
    """The same import as POST /v1/import: upserted by review URL, a transaction a batch."""
    importer = Importer(db.unit_of_work, principal)
    try:
        return importer.import_documents(_documents(content))
    except AppError as exc:
        raise _refused(exc) from exc


# --- administration -----------------------------------------------------------------------------


def all_publishers(db: Database) -> Sequence[PublisherPublic]:
    with db.session() as session:
        return publishers.list_publishers(session).publishers


def all_keys(db: Database, principal: Principal) -> Sequence[ApiKeyPublic]:
    with db.session() as session:
        return keys.list_keys(session, principal).api_keys


def create_publisher(db: Database, principal: Principal, values: dict[str, Any]) -> None:
    try:
        data = PublisherCreate.model_validate(values)
        with db.unit_of_work() as session:
            publishers.create_publisher(session, principal, data)
    except AppError as exc:
        raise _refused(exc) from exc
    except ValueError as exc:  # pydantic's ValidationError
        raise FormRefused(_model_errors(exc)) from exc


def create_key(db: Database, principal: Principal, values: dict[str, Any]) -> ApiKeyCreated:
    try:
        data = ApiKeyCreate.model_validate(values)
        with db.unit_of_work() as session:
            return keys.create_key(session, principal, data)
    except AppError as exc:
        raise _refused(exc) from exc
    except ValueError as exc:
        raise FormRefused(_model_errors(exc)) from exc


def revoke_key(db: Database, principal: Principal, key_id: str) -> None:
    try:
        with db.unit_of_work() as session:
            keys.revoke_key(session, principal, key_id)
    except AppError as exc:
        raise _refused(exc) from exc


def _model_errors(exc: ValueError) -> FieldErrors:
    errors: FieldErrors = {}
    for error in getattr(exc, "errors", list)():
        path, message = forms.error_path(error)
        errors.setdefault(path.split(".")[0], []).append(message)
    return errors


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
