from fastapi import APIRouter, Path, Response

from app.api.deps import KeyDep, MaybeKeyDep, SessionDep, WriteSessionDep
from app.api.problems import WRITE, problems
from app.domain import claims
from app.domain.schemas import ClaimCreate, ClaimPublic, ClaimUpdate, ClaimWithReviews
from app.rules.fields import MAX_ID

router = APIRouter(prefix="/v1/claims", tags=["claims"])
ClaimId = Path(description="The claim's id.", ge=1, le=MAX_ID)


@router.post("", status_code=201, summary="Record a claim", responses=problems(*WRITE))
def create_claim(data: ClaimCreate, principal: KeyDep, session: WriteSessionDep) -> ClaimPublic:
    return claims.create_claim(session, principal, data)


@router.get(
    "/{claim_id}",
    summary="A claim with its published reviews (one that only drafts refer to: its publishers' "
    "keys only)",
    responses=problems(401, 404, 410),
)
def get_claim(
    session: SessionDep, principal: MaybeKeyDep, claim_id: int = ClaimId
) -> ClaimWithReviews:
    return claims.get_claim(session, claim_id, principal)


@router.patch("/{claim_id}", summary="Change a claim", responses=problems(*WRITE, 404, 410))
def update_claim(
    data: ClaimUpdate, principal: KeyDep, session: WriteSessionDep, claim_id: int = ClaimId
) -> ClaimPublic:
    return claims.update_claim(session, principal, claim_id, data)


@router.delete(
    "/{claim_id}",
    status_code=204,
    summary="Delete a claim that has no reviews",
    responses=problems(401, 403, 404, 409, 410),
)
def delete_claim(principal: KeyDep, session: WriteSessionDep, claim_id: int = ClaimId) -> Response:
    claims.delete_claim(session, principal, claim_id)
    return Response(status_code=204)
