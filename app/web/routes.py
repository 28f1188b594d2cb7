"""The newsroom web app's pages: thin routes that read the form, check the session and the
cross-site rules, call `app.web.service` and render a template."""

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData, UploadFile

from app import i18n
from app.config import Settings
from app.domain.access import Principal
from app.domain.schemas import ReviewStatus, Role
from app.errors import AppError
from app.storage.database import Database
from app.web import service
from app.web.forms import ReviewForm
from app.web.security import (
    COOKIE_PATH,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGN_IN_COOKIE,
    Signer,
    WebSession,
    same_origin,
)

HERE = Path(__file__).parent
router = APIRouter(prefix="/app", include_in_schema=False)
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.globals["verdict_label"] = i18n.verdict_label

# Messages shown after a redirect, chosen by a fixed name in the query (never text from it).
DONE = {
    "draft": i18n.N_("Draft saved."),
    "published": i18n.N_("Published."),
    "retracted": i18n.N_("Retracted."),
    "signed-out": i18n.N_("You are signed out."),
}
STALE = i18n.N_(
    "Someone changed this fact-check after you opened it. Nothing was saved: open it again to "
    "see their version, then make your change."
)


class SignInRequired(Exception):
    pass


class CrossSite(Exception):
    pass


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _signer(request: Request) -> Signer:
    signer: Signer = request.app.state.web_signer
    return signer


def _language(request: Request) -> str:
    chosen = i18n.base_language(request.query_params.get("lang"))
    return (
        chosen
        or i18n.base_language(request.cookies.get(LANGUAGE_COOKIE))
        or i18n.negotiate(request.headers.get("accept-language"))
    )


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure="https"
        in (request.url.scheme, urlsplit(_settings(request).public_url or "").scheme),
    )


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    web: WebSession | None = None,
    principal: Principal | None = None,
) -> HTMLResponse:
    language = _language(request)
    body = templates.get_template(template).render(
        {
            # The page's strings and the domain's messages alike (app.i18n.Message).
            "_": lambda message: i18n.translate(message, language),
            "lang": language,
            "languages": i18n.languages(),
            "path": request.url.path,
            "csrf": _signer(request).csrf_token(web.token) if web else "",
            "principal": principal,
            **context,
        }
    )
    response = HTMLResponse(body, status_code=status)
    if request.query_params.get("lang") == language:
        _cookie(response, request, LANGUAGE_COOKIE, language, 365 * 24 * 3600)
    return response


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


async def _signed_in(request: Request) -> tuple[Principal, WebSession]:
    web = _signer(request).read_session(request.cookies.get(SESSION_COOKIE))
    if web is None:
        raise SignInRequired
    principal = await run_in_threadpool(service.principal_of, _db(request), web.nonce, web.key_id)
    if principal is None:
        raise SignInRequired
    return principal, web


async def _posted(request: Request, bound_to: str | None) -> FormData:
    """The form of a POST that comes from this site and carries this session's token."""
    if not same_origin(request, _settings(request).public_url):
        raise CrossSite
    form = await request.form()
    token = form.get("csrf")
    if not _signer(request).csrf_valid(bound_to, token if isinstance(token, str) else None):
        await form.close()
        raise CrossSite
    return form


def _error_page(
    request: Request, exc: AppError, web: WebSession, principal: Principal
) -> HTMLResponse:
    return _page(
        request,
        "error.html",
        {"message": exc.detail},
        status=exc.status,
        web=web,
        principal=principal,
    )


# --- sign in and out ----------------------------------------------------------------------------


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    nonce = request.cookies.get(SIGN_IN_COOKIE) or service.new_nonce()
    response = _sign_in_form(request, nonce, error=None, status=200)
    _cookie(response, request, SIGN_IN_COOKIE, nonce, 3600)
    return response


def _sign_in_form(request: Request, nonce: str, error: str | None, status: int) -> HTMLResponse:
    done = request.query_params.get("done", "")
    return _page(
        request,
        "sign_in.html",
        {
            "sign_in_csrf": _signer(request).csrf_token(nonce),
            "error": error,
            "done": DONE.get(done),
        },
        status=status,
    )


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    form = await _posted(request, nonce)
    assert nonce is not None
    secret = form.get("key")
    lifetime = _settings(request).web_session_hours * 3600
    expires = int(time.time() + lifetime)
    session_nonce = service.new_nonce()
    try:
        principal = await run_in_threadpool(
            service.sign_in,
            _db(request),
            secret if isinstance(secret, str) else "",
            session_nonce,
            datetime.fromtimestamp(expires, UTC),
        )
    except AppError:
        return _sign_in_form(
            request,
            nonce,
            error=i18n.N_(
                "This key cannot sign in: it is unknown, revoked, or not an editor or admin key."
            ),
            status=401,
        )
    response = _see("/app/")
    _cookie(
        response,
        request,
        SESSION_COOKIE,
        _signer(request).new_session(principal.key_id, expires, session_nonce),
        int(lifetime),
    )
    response.delete_cookie(SIGN_IN_COOKIE, path=COOKIE_PATH)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    web = _signer(request).read_session(request.cookies.get(SESSION_COOKIE))
    await _posted(request, web.token if web else None)
    assert web is not None  # the CSRF check needs a session
    # Ended in the database, not only in this browser: a copy of the cookie is refused too.
    await run_in_threadpool(service.sign_out, _db(request), web.nonce)
    response = _see("/app/sign-in?done=signed-out")
    response.delete_cookie(SESSION_COOKIE, path=COOKIE_PATH)
    return response


# --- the dashboard ------------------------------------------------------------------------------


@router.get("/")
async def dashboard(request: Request) -> Response:
    principal, web = await _signed_in(request)
    words = request.query_params.get("q", "")[:200]
    status_name = request.query_params.get("status", "")
    status = ReviewStatus(status_name) if status_name in set(ReviewStatus) else None
    page_text = request.query_params.get("page", "1")
    page = min(int(page_text), 10_000) if page_text.isdigit() and page_text != "0" else 1
    listing = await run_in_threadpool(
        service.dashboard, _db(request), principal, words, status, page
    )
    return _page(
        request,
        "dashboard.html",
        {"listing": listing, "q": words, "status": status.value if status else ""},
        web=web,
        principal=principal,
    )


# --- the fact-check form ------------------------------------------------------------------------


async def _publisher_choices(request: Request, principal: Principal) -> list[Any]:
    if not principal.is_admin:
        return []
    return list(await run_in_threadpool(service.all_publishers, _db(request)))


@router.get("/reviews/new")
async def new_review(request: Request) -> Response:
    principal, web = await _signed_in(request)
    return _page(
        request,
        "review.html",
        {
            "form": ReviewForm().values(),
            "errors": {},
            "warnings": {},
            "preview": None,
            "editing": None,
            "publishers": await _publisher_choices(request, principal),
        },
        web=web,
        principal=principal,
    )


def _status(form: FormData) -> ReviewStatus:
    return ReviewStatus.PUBLISHED if form.get("action") == "publish" else ReviewStatus.DRAFT


@router.post("/reviews/new")
async def create_review(request: Request) -> Response:
    principal, web = await _signed_in(request)
    form = await _posted(request, web.token)
    fields = ReviewForm.from_form(form)
    status = _status(form)
    try:
        review_id = await run_in_threadpool(service.create, _db(request), principal, fields, status)
    except service.FormRefused as refused:
        return _page(
            request,
            "review.html",
            {
                "form": fields.values(),
                "errors": refused.errors,
                "warnings": {},
                "preview": None,
                "editing": None,
                "publishers": await _publisher_choices(request, principal),
            },
            status=422,
            web=web,
            principal=principal,
        )
    return _see(f"/app/reviews/{review_id}?done={status.value}")


@router.get("/reviews/{review_id}")
async def edit_review(request: Request, review_id: int) -> Response:
    principal, web = await _signed_in(request)
    try:
        editing = await run_in_threadpool(service.editable, _db(request), principal, review_id)
    except AppError as exc:
        return _error_page(request, exc, web, principal)
    fields = ReviewForm.from_stored(editing.review, editing.claim)
    preview = await run_in_threadpool(service.preview, _db(request), principal, fields, review_id)
    return _page(
        request,
        "review.html",
        {
            "form": fields.values(),
            "errors": {},
            "warnings": preview.warnings,
            "preview": preview,
            "editing": editing,
            "etag": editing.review.etag,
            "done": DONE.get(request.query_params.get("done", "")),
            "publishers": [],
        },
        web=web,
        principal=principal,
    )


@router.post("/reviews/{review_id}")
async def update_review(request: Request, review_id: int) -> Response:
    principal, web = await _signed_in(request)
    form = await _posted(request, web.token)
    fields = ReviewForm.from_form(form)
    status = _status(form)
    etag = str(form.get("etag") or "")
    try:
        await run_in_threadpool(
            service.update, _db(request), principal, review_id, fields, status, etag
        )
    except service.FormRefused as refused:
        return await _refused_edit(request, principal, web, review_id, fields, refused, etag)
    return _see(f"/app/reviews/{review_id}?done={status.value}")


async def _refused_edit(
    request: Request,
    principal: Principal,
    web: WebSession,
    review_id: int,
    fields: ReviewForm,
    refused: service.FormRefused,
    etag: str,
) -> Response:
    try:
        editing = await run_in_threadpool(service.editable, _db(request), principal, review_id)
    except AppError as exc:
        return _error_page(request, exc, web, principal)
    errors = refused.errors
    if refused.stale:
        errors = {"": [STALE]}
    return _page(
        request,
        "review.html",
        {
            "form": fields.values(),
            "errors": errors,
            "warnings": {},
            "preview": None,
            "editing": editing,
            # A stale form keeps the ETag it was read with: sending it again is refused again.
            "etag": etag,
            "stale": refused.stale,
            "publishers": [],
        },
        status=409 if refused.stale else 422,
        web=web,
        principal=principal,
    )


@router.post("/reviews/{review_id}/retract")
async def retract_review(request: Request, review_id: int) -> Response:
    principal, web = await _signed_in(request)
    form = await _posted(request, web.token)
    etag = str(form.get("etag") or "")
    reason = str(form.get("reason") or "").strip() or None
    try:
        await run_in_threadpool(service.retract, _db(request), principal, review_id, etag, reason)
    except service.FormRefused as refused:
        editing = await run_in_threadpool(service.editable, _db(request), principal, review_id)
        return await _refused_edit(
            request,
            principal,
            web,
            review_id,
            ReviewForm.from_stored(editing.review, editing.claim),
            refused,
            etag,
        )
    return _see(f"/app/reviews/{review_id}?done=retracted")


@router.post("/preview")
async def preview_new(request: Request) -> Response:
    return await _preview(request, None)


@router.post("/reviews/{review_id}/preview")
async def preview_existing(request: Request, review_id: int) -> Response:
    return await _preview(request, review_id)


async def _preview(request: Request, review_id: int | None) -> Response:
    principal, web = await _signed_in(request)
    form = await _posted(request, web.token)
    result = await run_in_threadpool(
        service.preview, _db(request), principal, ReviewForm.from_form(form), review_id
    )
    return _page(request, "preview.html", {"preview": result}, web=web, principal=principal)


# --- import -------------------------------------------------------------------------------------


@router.get("/import")
async def import_page(request: Request) -> Response:
    principal, web = await _signed_in(request)
    return _page(
        request, "import.html", {"report": None, "errors": {}}, web=web, principal=principal
    )


@router.post("/import")
async def import_upload(request: Request) -> Response:
    principal, web = await _signed_in(request)
    form = await _posted(request, web.token)
    upload = form.get("file")
    try:
        content = await upload.read() if isinstance(upload, UploadFile) else b""
    finally:
        await form.close()
    try:
        report = await run_in_threadpool(service.import_file, _db(request), principal, content)
    except service.FormRefused as refused:
        return _page(
            request,
            "import.html",
            {"report": None, "errors": refused.errors},
            status=422,
            web=web,
            principal=principal,
        )
    return _page(
        request, "import.html", {"report": report, "errors": {}}, web=web, principal=principal
    )


# --- administration -----------------------------------------------------------------------------


async def _admin(request: Request) -> tuple[Principal, WebSession]:
    principal, web = await _signed_in(request)
    if not principal.is_admin:
        raise SignInRequired
    return principal, web


async def _admin_page(
    request: Request,
    principal: Principal,
    web: WebSession,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    db = _db(request)
    return _page(
        request,
        "admin.html",
        {
            "publishers": await run_in_threadpool(service.all_publishers, db),
            "keys": await run_in_threadpool(service.all_keys, db, principal),
            "roles": [role.value for role in Role],
            "publisher_errors": {},
            "key_errors": {},
            "created_key": None,
            "done": None,
            **context,
        },
        status=status,
        web=web,
        principal=principal,
    )


@router.get("/admin")
async def admin(request: Request) -> Response:
    principal, web = await _admin(request)
    return await _admin_page(request, principal, web)


def _lines(value: Any) -> list[str]:
    return [
        part.strip() for part in str(value or "").replace(",", "\n").splitlines() if part.strip()
    ]


@router.post("/admin/publishers")
async def create_publisher(request: Request) -> Response:
    principal, web = await _admin(request)
    form = await _posted(request, web.token)
    values: dict[str, Any] = {
        "id": str(form.get("id") or "").strip(),
        "name": str(form.get("name") or "").strip(),
        "url": str(form.get("url") or "").strip() or None,
        "sites": _lines(form.get("sites")),
        "languages": _lines(form.get("languages")),
    }
    try:
        await run_in_threadpool(service.create_publisher, _db(request), principal, values)
    except service.FormRefused as refused:
        return await _admin_page(
            request, principal, web, status=422, publisher_errors=refused.errors
        )
    return await _admin_page(request, principal, web, done=i18n.N_("Publisher created."))


@router.post("/admin/keys")
async def create_key(request: Request) -> Response:
    principal, web = await _admin(request)
    form = await _posted(request, web.token)
    values: dict[str, Any] = {
        "role": str(form.get("role") or ""),
        "publisher_id": str(form.get("publisher_id") or "") or None,
        "name": str(form.get("name") or "").strip() or None,
    }
    try:
        created = await run_in_threadpool(service.create_key, _db(request), principal, values)
    except service.FormRefused as refused:
        return await _admin_page(request, principal, web, status=422, key_errors=refused.errors)
    # Shown in this response only: never in a URL, never again.
    return await _admin_page(request, principal, web, created_key=created)


@router.post("/admin/keys/{key_id}/revoke")
async def revoke_key(request: Request, key_id: str) -> Response:
    principal, web = await _admin(request)
    await _posted(request, web.token)
    try:
        await run_in_threadpool(service.revoke_key, _db(request), principal, key_id)
    except service.FormRefused as refused:
        return await _admin_page(request, principal, web, status=422, key_errors=refused.errors)
    return _see("/app/admin")


# --- installation -------------------------------------------------------------------------------


def install(app: FastAPI, secret: bytes) -> None:
    """Mounts the app at /app/ with its static files and its error pages."""
    app.state.web_signer = Signer(secret)

    async def sign_in_required(request: Request, _: Exception) -> Response:
        return _see("/app/sign-in")

    async def cross_site(request: Request, _: Exception) -> Response:
        return _page(
            request,
            "error.html",
            {
                "message": i18n.N_(
                    "This form was not sent from this site, or it expired: "
                    "nothing was changed. Reload the page and try again."
                )
            },
            status=403,
        )

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CrossSite, cross_site)
    app.include_router(router)
    app.mount("/app/static", StaticFiles(directory=HERE / "static"), name="app-static")
