from fastapi import APIRouter, Path, Response

from app.api.deps import KeyDep, SessionDep, WriteSessionDep
from app.api.problems import WRITE, problems
from app.domain import keys
from app.domain.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyList

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


@router.post("", status_code=201, summary="Create an API key (admin)", responses=problems(*WRITE))
def create_key(data: ApiKeyCreate, principal: KeyDep, session: WriteSessionDep) -> ApiKeyCreated:
    return keys.create_key(session, principal, data)


@router.get("", summary="List API keys (admin)", responses=problems(401, 403))
def list_keys(principal: KeyDep, session: SessionDep) -> ApiKeyList:
    return keys.list_keys(session, principal)


@router.delete(
    "/{key_id}",
    status_code=204,
    summary="Revoke an API key (admin, or the key itself)",
    responses=problems(401, 403, 404),
)
def revoke_key(
    principal: KeyDep,
    session: WriteSessionDep,
    key_id: str = Path(description="The key's id (not the secret).", max_length=32),
) -> Response:
    keys.revoke_key(session, principal, key_id)
    return Response(status_code=204)
