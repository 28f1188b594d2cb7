from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic_core import to_json
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.deps import DatabaseDep, read_json
from app.api.problems import problems
from app.api.read_cache import keep_briefly
from app.api.search_mirror import SearchMirror
from app.domain import search
from app.domain.page_tokens import PageTokens
from app.domain.schemas import SearchResponse, SearchResult
from app.errors import AppError
from app.rules.fields import LanguageTag, QueryDate
from app.rules.verdicts import Verdict
from app.search.passages import is_passage
from app.search.ranking import Hit
from app.storage.database import Database

router = APIRouter(tags=["search"])
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


async def get_tokens(request: Request) -> PageTokens:
    tokens: PageTokens = request.app.state.page_tokens
    return tokens


TokensDep = Annotated[PageTokens, Depends(get_tokens)]
MAX_Q = 20_000
Q = Query(default=None, max_length=MAX_Q, description="Free text, any language.")
LANGUAGE = Query(default=None, description="Only claims in this language (BCP 47; region ignored).")
MAX_AGE = Query(
    default=None, ge=1, le=36_500, description="Only claims whose claim or review date is newer."
)
MAX_PAGE_TOKEN = 4000
PAGE_TOKEN = Query(default=None, max_length=MAX_PAGE_TOKEN, description="From the previous page.")


PATH = "/v1/search"


@router.get(
    PATH,
    summary="Search claims and their verdicts",
    response_model=SearchResponse,
    responses=problems(400, 422),
)
async def search_claims(
    request: Request,
    db: DatabaseDep,
    tokens: TokensDep,
    q: str | None = Q,
    language: LanguageTag | None = LANGUAGE,
    publisher: str | None = Query(
        default=None, max_length=253, description="Publisher id or site host (subdomains too)."
    ),
    verdict: Verdict | None = Query(default=None, description="Only claims with this verdict."),
    claimant: str | None = Query(default=None, max_length=500, description="Who made the claim."),
    max_age_days: int | None = MAX_AGE,
    since: QueryDate | None = Query(default=None, description="Claim or review date from."),
    until: QueryDate | None = Query(default=None, description="Claim or review date until."),
    page_size: int = Query(default=10, ge=1, le=100, description="Results per page."),
    page_token: str | None = PAGE_TOKEN,
) -> Response:
    query = search.SearchQuery(
        q=q,
        language=language,
        publisher=publisher,
        verdict=verdict.value if verdict else None,
        claimant=claimant,
        max_age_days=max_age_days,
        since=since,
        until=until,
        page_size=page_size,
        page_token=page_token,
    )
    if max_age_days is not None or publisher is not None:
        keep_briefly(request.scope)  # the clock, or a publisher's sites, may change the answer
    mirror: SearchMirror = request.app.state.search_mirror
    if mirror.usable() and search.in_memory(query, bool(q and q.strip())):
        generation = mirror.generation
        if is_passage(q or ""):  # analysis and scoring take milliseconds: off the loop
            page = await run_in_threadpool(_ranked, mirror, query, tokens)
        else:
            page = _ranked(mirror, query, tokens)
        # The claims rendered already are not read again. Each is looked up once, never
        # iterated: the poller drops changed claims from another thread meanwhile.
        fragments = [mirror.fragments.get(h.claim_id) for h in page.hits]
        missing = [h.claim_id for h, f in zip(page.hits, fragments, strict=True) if f is None]
        if missing:
            rendered = dict(await run_in_threadpool(_render, db, missing))
            mirror.keep(generation, rendered)
            fragments = [
                f or rendered.get(h.claim_id) for h, f in zip(page.hits, fragments, strict=True)
            ]
        return Response(_body(page, fragments), media_type="application/json")
    return await read_json(db, _search, query, tokens)


def _search(session: Session, query: search.SearchQuery, tokens: PageTokens) -> SearchResponse:
    page = search.search(session, query, tokens)
    return SearchResponse(
        results=[
            SearchResult(claim=r.claim, reviews=r.reviews, score=r.score) for r in page.results
        ],
        next_page_token=page.next_page_token,
    )


def _ranked(mirror: SearchMirror, query: search.SearchQuery, tokens: PageTokens) -> search.HitPage:
    return search.search_hits(None, query, tokens, memory=mirror.index)


# A result rendered without its score: `{"claim":…,"reviews":[…]}`, by claim id. The score is
# the search's own, put in by `_body`; the bytes are those SearchResponse renders.
def _render(db: Database, claim_ids: list[int]) -> list[tuple[int, bytes]]:
    with db.session() as session:
        results = search.load_results(session, [Hit(i, 0.0, _EPOCH) for i in claim_ids])
    return [
        (
            r.claim.id,
            SearchResult(claim=r.claim, reviews=r.reviews, score=0.0)
            .model_dump_json(by_alias=True, exclude={"score"})
            .encode(),
        )
        for r in results
    ]


def _body(page: search.HitPage, fragments: list[bytes | None]) -> bytes:
    # A claim deleted since it was ranked has no fragment: left out, as `load_results` does.
    results = b",".join(
        fragment[:-1] + b',"score":' + to_json(hit.score) + b"}"
        for hit, fragment in zip(page.hits, fragments, strict=True)
        if fragment is not None
    )
    token = (
        b""
        if page.next_page_token is None
        else b',"next_page_token":' + to_json(page.next_page_token)
    )
    return b'{"results":[' + results + b"]" + token + b"}"


# Query parameters the middleware answers; any other goes to the route.
_PLAIN = frozenset({"q", "page_size", "page_token"})


def ranked_answer(query_string: bytes, mirror: SearchMirror, tokens: PageTokens) -> bytes | None:
    """The body of `GET /v1/search` for a query of words alone (`q`, and `page_size` or
    `page_token`) that the index in memory ranks and whose claims are all rendered already,
    as the route answers it; None for any other request (the route answers those, errors
    included)."""
    if not mirror.usable():
        return None
    params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    names = [name for name, _ in params]
    if "q" not in names or len(set(names)) != len(names) or not _PLAIN.issuperset(names):
        return None
    values = dict(params)
    q = values["q"]  # decoded as Starlette decodes it for the route
    size = values.get("page_size", "10")
    if (
        not q.strip()
        or len(q) > MAX_Q
        or is_passage(q)
        or not (size.isascii() and size.isdigit() and 1 <= int(size) <= 100)
        or len(values.get("page_token", "")) > MAX_PAGE_TOKEN
    ):
        return None
    query = search.SearchQuery(q=q, page_size=int(size), page_token=values.get("page_token"))
    try:
        page = _ranked(mirror, query, tokens)
    except AppError:
        return None
    fragments = [mirror.fragments.get(h.claim_id) for h in page.hits]
    if None in fragments:
        return None
    return _body(page, fragments)


class RankedInMemoryMiddleware:
    """Answers a search of words alone whose claims are rendered already (most searches, once
    the instance has served a while) before routing, the read cache and admission: it needs
    no database. Over 5,000 claims, routing and its dependencies took about a quarter of the
    service's time of such a search. Rate limits, CORS and metrics, outside it, apply as to
    any request."""

    def __init__(self, app: ASGIApp, mirror: SearchMirror, tokens: PageTokens) -> None:
        self.app = app
        self.mirror = mirror
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH:
            body = ranked_answer(scope["query_string"], self.mirror, self.tokens)
            if body is not None:
                headers = [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]
                await send({"type": "http.response.start", "status": 200, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
