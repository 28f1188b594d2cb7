from fastapi import APIRouter, Query, Response

from app.api.deps import SessionDep
from app.api.problems import problems
from app.domain import lookup
from app.domain.schemas import LookupRequest, LookupResponse

router = APIRouter(prefix="/v1/lookup", tags=["lookup"])
CACHE = "public, max-age=300"


@router.get("", summary="The fact-checks that concern one web address", responses=problems(422))
def lookup_one(
    session: SessionDep,
    response: Response,
    url: str = Query(max_length=2048, description="The address, as the page links it."),
) -> LookupResponse:
    response.headers["Cache-Control"] = CACHE
    return lookup.lookup(session, [url], field="url")


@router.post(
    "",
    summary="The fact-checks that concern each of up to 100 web addresses, in one request",
    responses=problems(400, 413, 422),
)
def lookup_many(session: SessionDep, response: Response, data: LookupRequest) -> LookupResponse:
    response.headers["Cache-Control"] = CACHE
    return lookup.lookup(session, data.urls)
