from typing import Annotated, Any

import orjson
from anyio import to_thread
from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, Field

from app.api import ndjson
from app.api.deps import DatabaseDep, KeyDep
from app.api.problems import problems
from app.claimreview.validate import validate
from app.domain.access import Principal
from app.domain.importing import Importer, ImportResult, parse_line
from app.domain.schemas import Role
from app.errors import BadRequest, Forbidden

router = APIRouter(tags=["ingest"])
NDJSON_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")
BATCH = 500  # lines per call of the importer: one batch, one transaction


class RejectedRecord(BaseModel):
    index: int = Field(description="Position of the record in the input, from 0.")
    url: str | None = Field(description="Its review URL, when one could be read.")
    reason: str = Field(description="Why it was not stored.")


class ImportReport(BaseModel):
    created: int = Field(description="New reviews stored.")
    updated: int = Field(description="Stored reviews that changed (earlier state kept).")
    unchanged: int = Field(description="Records identical to what is stored: nothing written.")
    rejected: list[RejectedRecord] = Field(description="Records not stored, with the reason.")
    retracted: int = Field(
        default=0,
        description="Stored reviews retracted because their page, as imported, no longer carries "
        "them (an import gives the whole of each page it mentions).",
    )


class Finding(BaseModel):
    path: str = Field(description="Where in the document, e.g. `reviewRating.ratingValue`.")
    message: str = Field(description="What is wrong.")


class ValidationReport(BaseModel):
    valid: bool = Field(description="True when there is no error.")
    errors: list[Finding] = Field(description="Breaks schema.org or Google's ClaimReview rules.")
    warnings: list[Finding] = Field(description="Allowed, but not recommended.")
    claimreviews: int = Field(description="How many ClaimReviews the document holds.")


def _report(result: ImportResult) -> ImportReport:
    return ImportReport(
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        retracted=result.retracted,
        rejected=[
            RejectedRecord(index=r.index, url=r.url, reason=r.reason) for r in result.rejected
        ],
    )


def _may_import(principal: Principal) -> None:
    if principal.role not in (Role.IMPORTER, Role.ADMIN, Role.EDITOR):
        raise Forbidden(f"A {principal.role.value} key cannot import.")


def _import_lines(importer: Importer, batch: list[tuple[int, bytes]]) -> None:
    """Parsed in the worker thread: a long line's JSON never holds the event loop."""
    importer.import_documents([parse_line(number, line) for number, line in batch], last=False)


@router.post(
    "/v1/import",
    summary="Import ClaimReview markup (object, list, @graph, DataFeed, Google response, NDJSON)",
    responses=problems(400, 401, 403, 413),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {}},
                "application/ld+json": {"schema": {}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_markup(
    request: Request,
    principal: KeyDep,
    db: DatabaseDep,
    dry_run: bool = Query(default=False, description="Check every record but store nothing."),
) -> ImportReport:
    _may_import(principal)
    importer = Importer(db.unit_of_work, principal, dry_run=dry_run)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in NDJSON_TYPES:
        batch: list[tuple[int, bytes]] = []
        async for number, line in ndjson.lines(request.stream()):
            if line.strip():
                batch.append((number, line))
            if len(batch) >= BATCH:
                await to_thread.run_sync(_import_lines, importer, batch)
                batch = []
        if batch:
            await to_thread.run_sync(_import_lines, importer, batch)
        await to_thread.run_sync(importer.finish)
    else:
        body = await request.body()
        try:
            document = await to_thread.run_sync(orjson.loads, body)  # off the event loop
        except orjson.JSONDecodeError as exc:
            raise BadRequest(
                f"The body is not valid JSON ({exc.msg}); send NDJSON as application/x-ndjson."
            ) from exc
        await to_thread.run_sync(importer.import_documents, [document])
    return _report(importer.result)


@router.post(
    "/v1/validate",
    summary="Check ClaimReview markup against schema.org and Google's rules; stores nothing",
    responses=problems(400, 413),
)
def validate_markup(
    document: Annotated[Any, Body(description="A ClaimReview, a page's JSON-LD, or a feed.")],
) -> ValidationReport:
    report = validate(document)
    return ValidationReport(
        valid=report.valid,
        errors=[Finding(path=f.path, message=f.message) for f in report.errors],
        warnings=[Finding(path=f.path, message=f.message) for f in report.warnings],
        claimreviews=report.claimreviews,
    )
