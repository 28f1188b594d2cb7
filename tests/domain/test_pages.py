"""`sync_page`: a page's reviews made what its markup gives, through the review use cases, and
seen as such by the HTTP API (lookup, the change log)."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.domain.access import Principal
from app.domain.pages import PageSync, read_page, sync_page
from app.domain.schemas import ReviewCreate, Role
from app.errors import Forbidden, PreconditionFailed, Unprocessable
from app.storage.database import Database

PAGE = "https://verifact.example/checks/page"
EDITOR = Principal("key_editor", Role.EDITOR, "verifact")


def item(claim: str, label: str = "False", url: str = PAGE, **extra: Any) -> ReviewCreate:
    return ReviewCreate.model_validate(
        {
            "url": url,
            "claim": {"text": claim, "language": "en"},
            "rating": {"label": label},
            "status": "published",
            **extra,
        }
    )


def sync(db: Database, items: list[ReviewCreate], **options: Any) -> PageSync:
    principal = options.pop("principal", EDITOR)
    with db.unit_of_work() as session:
        return sync_page(session, principal, PAGE, items, **options)


@pytest.fixture(autouse=True)
def verifact(make_publisher: Callable[..., str]) -> str:
    return make_publisher("verifact")


class TestSyncPage:
    def test_creates_one_review_per_claim_then_finds_them_unchanged(
        self, db: Database, client: httpx.Client
    ) -> None:
        first = sync(db, [item("The moon is cheese"), item("The sun is cold")])
        assert len(first.created) == 2
        assert [r.id for r in first.page.reviews] == first.created
        again = sync(db, [item("The moon is cheese"), item("The sun is cold")])
        assert (again.created, again.updated, again.retracted) == ([], [], [])
        assert again.unchanged == first.created
        assert again.page.version == first.page.version
        lookup = client.get("/v1/lookup", params={"url": PAGE}).json()["matches"][PAGE]
        assert sorted(m["id"] for m in lookup) == first.created

    def test_a_changed_rating_updates_that_review_and_the_version(self, db: Database) -> None:
        first = sync(db, [item("The moon is cheese"), item("The sun is cold")])
        second = sync(db, [item("The moon is cheese", "Mostly false"), item("The sun is cold")])
        assert second.updated == first.created[:1]
        assert second.unchanged == first.created[1:]
        assert second.page.reviews[0].rating.label == "Mostly false"
        assert second.page.version != first.page.version

    def test_a_claim_left_out_is_retracted_on_the_record(
        self, db: Database, client: httpx.Client
    ) -> None:
        first = sync(db, [item("The moon is cheese"), item("The sun is cold")])
        after = client.get("/v1/changes").json()["next_cursor"]
        second = sync(db, [item("The moon is cheese")])
        assert second.retracted == first.created[1:]
        assert [r.id for r in second.page.published] == first.created[:1]
        changes = client.get("/v1/changes", params={"after": after}).json()["changes"]
        assert [(c["type"], c["review_id"]) for c in changes] == [
            ("review.retracted", first.created[1])
        ]

    def test_a_stale_version_is_refused_and_writes_nothing(self, db: Database) -> None:
        first = sync(db, [item("The moon is cheese")])
        sync(db, [item("The moon is cheese", "Mostly false")])
        with pytest.raises(PreconditionFailed):
            sync(db, [item("The moon is cheese", "True")], if_version=first.page.version)
        with db.unit_of_work() as session:
            page = read_page(session, PAGE, None)
        assert page.reviews[0].rating.label == "Mostly false"

    def test_the_same_claim_twice_is_refused(self, db: Database) -> None:
        sync(db, [item("The moon is cheese")])
        with pytest.raises(Unprocessable):
            sync(db, [item("The moon is cheese"), item("The moon is cheese", "True")])

    def test_an_item_at_another_url_is_refused(self, db: Database) -> None:
        with pytest.raises(Unprocessable):
            sync(db, [item("The moon is cheese", url="https://verifact.example/other")])


class TestOwnership:
    def test_another_publishers_editor_cannot_touch_the_page(
        self, db: Database, make_publisher: Callable[..., str]
    ) -> None:
        sync(db, [item("The moon is cheese")])
        make_publisher("other")
        other = Principal("key_other", Role.EDITOR, "other")
        with pytest.raises(Forbidden):
            sync(db, [], principal=other)
        with db.unit_of_work() as session:
            assert len(read_page(session, PAGE, None).published) == 1

    def test_an_editor_writes_only_on_its_sites(
        self, db: Database, make_publisher: Callable[..., str]
    ) -> None:
        make_publisher("other")
        other = Principal("key_other", Role.EDITOR, "other")
        with pytest.raises(Forbidden):
            sync(db, [item("The moon is cheese")], principal=other)

    def test_an_importer_key_cannot_sync_a_page(self, db: Database) -> None:
        importer = Principal("key_importer", Role.IMPORTER, None)
        with pytest.raises(Forbidden):
            sync(db, [item("The moon is cheese", publisher_id="verifact")], principal=importer)

    def test_drafts_are_read_only_by_their_publishers_keys(self, db: Database) -> None:
        sync(db, [item("The moon is cheese", status="draft")])
        with db.unit_of_work() as session:
            assert len(read_page(session, PAGE, EDITOR).reviews) == 1
            with pytest.raises(Exception, match="No fact-check"):
                read_page(session, PAGE, None)
