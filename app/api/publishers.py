from fastapi import APIRouter, Path

from app.api.deps import KeyDep, SessionDep, WriteSessionDep
from app.api.problems import WRITE, problems
from app.domain import publishers
from app.domain.schemas import PublisherCreate, PublisherList, PublisherPublic

router = APIRouter(prefix="/v1/publishers", tags=["publishers"])
PublisherId = Path(description="The publisher's id (slug).", max_length=64)


@router.post(
    "", status_code=201, summary="Add a publisher (admin)", responses=problems(*WRITE, 409)
)
def create_publisher(
    data: PublisherCreate, principal: KeyDep, session: WriteSessionDep
) -> PublisherPublic:
    return publishers.create_publisher(session, principal, data)


@router.get("", summary="List publishers")
def list_publishers(session: SessionDep) -> PublisherList:
    return publishers.list_publishers(session)


@router.get(
    "/{publisher_id}", summary="A publisher, with review counts and dates", responses=problems(404)
)
def get_publisher(session: SessionDep, publisher_id: str = PublisherId) -> PublisherPublic:
    return publishers.get_publisher(session, publisher_id)
