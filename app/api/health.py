from fastapi import APIRouter
from sqlalchemy import text

from app.api.deps import DatabaseDep
from app.api.problems import problems
from app.errors import AppError

router = APIRouter(tags=["operations"])


class Unavailable(AppError):
    status, code, title = 503, "unavailable", "Service unavailable"


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The database answers",
    responses={503: {**problems(422)[422], "description": "The database does not answer"}},
)
def readyz(db: DatabaseDep) -> dict[str, str]:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        raise Unavailable(f"The database does not answer: {type(exc).__name__}") from exc
    return {"status": "ok", "database": db.engine.dialect.name}
