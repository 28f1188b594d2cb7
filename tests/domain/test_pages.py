"""`sync_page`: a page's reviews made what its markup gives, through the review use cases, and
seen as such by the HTTP API (lookup, the change log)."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.domain.access import Principal
from app.domain.pages import (
    GooglePage,
    GoogleRating,
    PageSync,
    delete_page,
    google_page,
    page_name,
    read_page,
    save_google_page,
    sync_page,
)
from app.domain.schemas import ReviewCreate, Role
from app.errors import Conflict, Forbidden, NotFound, PreconditionFailed, Unprocessable
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


def google(*markups: tuple[str, str], version: str | None = None) -> GooglePage:
    return GooglePage.model_validate(
        {
            "pageUrl": PAGE,
            "publishDate": "2024-03-05",
            "claimReviewMarkups": [
                {
                    "claimReviewed": claim,
                    "claimAuthor": {"name": "A viral post"},
                    "claimAppearances": ["https://x.com/a/status/1"],
                    "rating": {
                        "textualRating": label,
                        "ratingValue": 1,
                        "bestRating": 5,
                        "worstRating": 1,
                    },
                }
                for claim, label in markups
            ],
            "versionId": version,
        }
    )


class TestGooglePages:
    def test_a_page_created_reads_back_in_googles_shape(self, db: Database) -> None:
        with db.unit_of_work() as session:
            saved = save_google_page(
                session,
                EDITOR,
                google(("The moon is cheese", "False"), ("The sun is cold", "False")),
                create=True,
            )
        assert saved.pageUrl == PAGE
        assert saved.name is not None
        assert saved.publishDate == "2024-03-05"
        assert saved.claimReviewAuthor is not None
        assert saved.claimReviewAuthor.name == "Verifact"
        assert [m.claimReviewed for m in saved.claimReviewMarkups] == [
            "The moon is cheese",
            "The sun is cold",
        ]
        first = saved.claimReviewMarkups[0]
        assert first.claimAppearances == ["https://x.com/a/status/1"]
        assert first.claimAuthor is not None
        assert first.claimAuthor.name == "A viral post"
        assert first.rating == GoogleRating(
            textualRating="False", ratingValue=1, bestRating=5, worstRating=1
        )
        with db.unit_of_work() as session:
            assert google_page(session, PAGE, None) == saved

    def test_put_with_the_current_version_replaces_a_stale_one_is_refused(
        self, db: Database
    ) -> None:
        with db.unit_of_work() as session:
            saved = save_google_page(
                session, EDITOR, google(("The moon is cheese", "False")), create=True
            )
        assert saved.name is not None
        assert saved.versionId is not None
        with db.unit_of_work() as session:
            put = save_google_page(
                session,
                EDITOR,
                google(("The moon is cheese", "Mostly false"), version=saved.versionId),
                name=saved.name,
            )
        assert put.versionId != saved.versionId
        assert [m.rating.textualRating for m in put.claimReviewMarkups if m.rating] == [
            "Mostly false"
        ]
        with pytest.raises(PreconditionFailed), db.unit_of_work() as session:
            save_google_page(
                session,
                EDITOR,
                google(("The moon is cheese", "True"), version=saved.versionId),
                name=saved.name,
            )

    def test_creating_an_existing_page_is_a_conflict(self, db: Database) -> None:
        with db.unit_of_work() as session:
            save_google_page(session, EDITOR, google(("The moon is cheese", "False")), create=True)
        with pytest.raises(Conflict), db.unit_of_work() as session:
            save_google_page(session, EDITOR, google(("The moon is cheese", "False")), create=True)

    def test_deleting_a_page_retracts_its_reviews(self, db: Database, client: httpx.Client) -> None:
        with db.unit_of_work() as session:
            saved = save_google_page(
                session, EDITOR, google(("The moon is cheese", "False")), create=True
            )
        assert saved.name is not None
        with db.unit_of_work() as session:
            delete_page(session, EDITOR, saved.name)
        assert client.get("/v1/lookup", params={"url": PAGE}).json()["matches"][PAGE] == []
        with pytest.raises(NotFound), db.unit_of_work() as session:
            google_page(session, PAGE, None)

    def test_a_bad_markup_names_its_field(self, db: Database) -> None:
        page = google(("The moon is cheese", "False"))
        assert page.claimReviewMarkups[0].rating is not None
        page.claimReviewMarkups[0].rating.textualRating = None
        with (
            pytest.raises(Unprocessable, match=r"claimReviewMarkups\[0\]\.rating"),
            db.unit_of_work() as session,
        ):
            save_google_page(session, EDITOR, page, create=True)

    def test_a_name_that_is_no_page_is_not_found(self, db: Database) -> None:
        with pytest.raises(NotFound), db.unit_of_work() as session:
            delete_page(session, EDITOR, page_name("verifact.example/nothing-here"))
