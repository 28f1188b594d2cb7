"""Publisher use cases."""

from sqlmodel import Session

from app.domain.access import Principal, require_admin
from app.domain.schemas import PublisherCreate, PublisherList, PublisherPublic
from app.domain.views import publisher_public
from app.errors import Conflict, NotFound
from app.messages import Message
from app.storage import repositories as repo
from app.storage.tables import Publisher


def create_publisher(
    session: Session, principal: Principal, data: PublisherCreate
) -> PublisherPublic:
    require_admin(principal)
    if repo.get_publisher(session, data.id) is not None:
        raise Conflict(Message("Publisher '{id}' already exists.", id=data.id))
    for host in data.sites:
        owner = repo.publisher_owning_site(session, host)
        if owner is not None:
            raise Conflict(
                Message(
                    "The site {host} already belongs to publisher '{owner}'.",
                    host=host,
                    owner=owner,
                ),
                errors=[
                    {
                        "field": "sites",
                        "message": Message("{host} belongs to '{owner}'", host=host, owner=owner),
                    }
                ],
            )
    publisher = Publisher(
        id=data.id,
        name=data.name,
        url=data.url,
        logo_url=data.logo_url,
        sites=list(dict.fromkeys(data.sites)),
        languages=list(dict.fromkeys(data.languages)),
        verdict_overrides={k: v.value for k, v in data.verdict_overrides.items()},
    )
    repo.add_publisher(session, publisher)
    session.flush()
    return publisher_public(publisher, None)


def get_publisher(session: Session, publisher_id: str) -> PublisherPublic:
    publisher = repo.get_publisher(session, publisher_id)
    if publisher is None:
        raise NotFound(Message("No publisher '{id}'.", id=publisher_id))
    stats = repo.publisher_stats(session, [publisher_id])
    return publisher_public(publisher, stats.get(publisher_id))


def list_publishers(session: Session) -> PublisherList:
    publishers = repo.list_publishers(session)
    stats = repo.publisher_stats(session, [p.id for p in publishers])
    return PublisherList(publishers=[publisher_public(p, stats.get(p.id)) for p in publishers])
