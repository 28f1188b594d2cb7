from fastapi import APIRouter, Query, Response

from app.api.deps import DatabaseDep, read_json
from app.api.problems import problems
from app.domain import lookup
from app.domain.schemas import LookupRequest, LookupResponse

router = APIRouter(prefix="/v1/lookup", tags=["lookup"])
CACHE = "public, max-age=300"


@router.get(
    "",
    summary="The fact-checks that concern one web address",
    response_model=LookupResponse,
    responses=problems(422),
)
async def lookup_one(
    db: DatabaseDep,
    url: str = Query(max_length=2048, description="The address, as the page links it."),
) -> Response:
    return await read_json(db, lookup.lookup, [url], field="url", headers={"Cache-Control": CACHE})


@router.post(
    "",
    summary="The fact-checks that concern each of up to 100 web addresses, in one request",
    response_model=LookupResponse,
    responses=problems(400, 413, 422),
)
async def lookup_many(db: DatabaseDep, data: LookupRequest) -> Response:
    return await read_json(db, lookup.lookup, data.urls, headers={"Cache-Control": CACHE})
