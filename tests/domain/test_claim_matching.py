"""The claim-matching rule the native API, page sync and import share: wording first, then the
oldest claim at a specific appearance the page does not review already, else a new claim."""

from sqlmodel import Session

from app.domain.claim_matching import Found, match_claim, match_claims, wanted
from app.domain.claims import new_claim
from app.domain.schemas import AppearanceIn, ClaimCreate
from app.storage.database import Database


def claim(text: str, *seen_at: str, language: str = "en") -> ClaimCreate:
    return ClaimCreate(
        text=text, language=language, appearances=[AppearanceIn(url=u) for u in seen_at]
    )


def stored(session: Session, data: ClaimCreate) -> int:
    created = new_claim(session, data, None)
    assert created.id is not None
    return created.id


class TestOneRecord:
    def test_wording_comes_before_appearances(self, db: Database) -> None:
        with db.unit_of_work() as session:
            by_post = stored(session, claim("Something else", "https://x.com/p/1"))
            by_words = stored(session, claim("The moon is made of cheese"))
            record = claim("the MOON is made of cheese!", "https://x.com/p/1")
            assert match_claim(session, wanted("site.example/a", record)) == by_words
            assert by_post != by_words
            session.rollback()

    def test_the_same_words_in_another_language_are_another_claim(self, db: Database) -> None:
        with db.unit_of_work() as session:
            english = stored(session, claim("Gift", language="en"))
            assert match_claim(session, wanted("site.example/a", claim("gift", language="en"))) == (
                english
            )
            assert (
                match_claim(session, wanted("site.example/a", claim("Gift", language="de"))) is None
            )
            session.rollback()

    def test_the_oldest_claim_at_a_specific_appearance(self, db: Database) -> None:
        with db.unit_of_work() as session:
            older = stored(session, claim("One wording", "https://x.com/p/2"))
            stored(session, claim("Another wording", "https://x.com/p/2", "https://x.com/p/3"))
            record = claim("A third wording", "https://x.com/p/3", "https://www.x.com/p/2/")
            assert match_claim(session, wanted("site.example/a", record)) == older
            session.rollback()

    def test_a_site_home_is_no_appearance_to_match_by(self, db: Database) -> None:
        with db.unit_of_work() as session:
            stored(session, claim("Seen on the home page", "https://facebook.com/"))
            record = claim("Something else seen there", "https://www.facebook.com")
            assert match_claim(session, wanted("site.example/a", record)) is None
            session.rollback()

    def test_a_claim_its_page_reviews_already_is_not_matched_by_appearance(
        self, db: Database
    ) -> None:
        with db.unit_of_work() as session:
            first = stored(session, claim("First claim of the post", "https://x.com/p/4"))
            second = stored(session, claim("Seen in another post", "https://x.com/p/8"))
            record = claim("Third claim", "https://x.com/p/4", "https://x.com/p/8")
            assert match_claim(session, wanted("site.example/a", record)) == first
            at_page = wanted("site.example/a", record, page_claims=[first])
            assert match_claim(session, at_page) == second
            session.rollback()


class TestAGroup:
    def test_claims_of_earlier_records_count_after_the_stored_ones(self, db: Database) -> None:
        with db.unit_of_work() as session:
            old = stored(session, claim("Stored already", "https://x.com/p/5"))
            found = match_claims(
                session,
                [
                    wanted("a.example/1", claim("New here", "https://x.com/p/6")),
                    wanted("a.example/2", claim("new HERE")),  # the first one's wording
                    wanted("a.example/3", claim("Other", "https://x.com/p/6")),  # its appearance
                    wanted(
                        "a.example/4", claim("Other two", "https://x.com/p/5", "https://x.com/p/6")
                    ),
                    wanted("a.example/5", claim("Brand new")),
                ],
            )
            assert found == [
                Found(None, 0, creates=True),
                Found(None, 0),
                Found(None, 0),
                Found(old, None),
                Found(None, 1, creates=True),
            ]
            session.rollback()

    def test_one_page_does_not_review_one_claim_twice_by_appearance(self, db: Database) -> None:
        with db.unit_of_work() as session:
            found = match_claims(
                session,
                [
                    wanted("a.example/1", claim("First of the post", "https://x.com/p/7")),
                    wanted("a.example/1", claim("Second of the post", "https://x.com/p/7")),
                    wanted("a.example/2", claim("Elsewhere", "https://x.com/p/7")),
                ],
            )
            assert found == [
                Found(None, 0, creates=True),
                Found(None, 1, creates=True),
                Found(None, 0),
            ]
            session.rollback()
