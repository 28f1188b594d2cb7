"""The ClaimReview serialiser is a pure function: stored rows in, JSON-LD out, held to golden
files written by hand (tests/golden: never rewritten by a test run) and to the oracle in
tests/oracles."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.render import build_claimreview, document_etag, render_document
from app.storage.tables import Appearance, Claim, Publisher, Review
from tests.conftest import REFERENCE, load_json
from tests.jsonld import assert_valid

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


def _netflix() -> tuple[Review, Claim, list[Appearance], Publisher]:
    publisher = Publisher(
        id="journal-du-geek",
        name="Journal du Geek",
        url="https://www.journaldugeek.com/",
        sites=["journaldugeek.com"],
        languages=["fr"],
        verdict_overrides={},
    )
    claim = Claim(
        id=1,
        text="Netflix a écrit à un abonné pour vérifier qu'il allait bien après qu'il a regardé "
        "les 188 épisodes de The Office en une semaine",
        text_key="k",
        language="fr",
        claimant_name="Utilisateur de Reddit",
        claimant_type="Person",
        claim_date=datetime(2018, 1, 15, tzinfo=UTC),
    )
    appearances = [
        Appearance(claim_id=1, url="https://www.reddit.com/r/DunderMifflin/", url_key="k")
    ]
    review = Review(
        id=7,
        claim_id=1,
        publisher_id="journal-du-geek",
        url="https://www.journaldugeek.com/non-netflix-ne-contacte-pas-ses-abonnes-pour-savoir-sils-vont-bien/",
        url_key="k",
        headline="Non, Netflix ne contacte pas ses abonnés pour savoir s'ils vont bien",
        language="fr",
        rating_label="Faux",
        rating_value=1.0,
        rating_best=5.0,
        rating_worst=1.0,
        rating_explanation="Netflix France affirme ne jamais contacter ses membres pour prendre de "
        "leurs nouvelles à partir de leurs habitudes de visionnage ; l'histoire reprend un canular "
        "déjà publié par un site parodique avec une autre série.",
        verdict="false",
        authors=[],
        date_published=datetime(2018, 1, 31, tzinfo=UTC),
        status="published",
    )
    return review, claim, appearances, publisher


def _full() -> tuple[Review, Claim, list[Appearance], Publisher]:
    """Every optional part filled in, the appearances stored out of order, a scale off 1-5."""
    publisher = Publisher(
        id="verifact",
        name="Verifact",
        url="https://verifact.example/",
        logo_url="https://verifact.example/logo.png",
        sites=["verifact.example"],
        languages=["en"],
        verdict_overrides={},
    )
    claim = Claim(
        id=2,
        text="The moon is made of cheese",
        text_key="k",
        language="en",
        claimant_name="Cheese Facts Weekly",
        claimant_type="Organization",
        claimant_url="https://cheese-facts.example/",
        claim_date=datetime(2024, 3, 1, tzinfo=UTC),
        first_appearance_url="https://cheese-facts.example/moon",
    )
    appearances = [
        Appearance(claim_id=2, position=1, url="https://cheese-facts.example/moon", url_key="b"),
        Appearance(
            claim_id=2,
            position=0,
            url="https://x.com/someone/status/1234567890",
            archived_url="https://web.archive.org/web/2024/https://x.com/someone/status/1234567890",
            url_key="a",
        ),
    ]
    review = Review(
        id=8,
        claim_id=2,
        publisher_id="verifact",
        url="https://verifact.example/checks/moon-cheese",
        url_key="k",
        headline="No, the moon is not made of cheese",
        language="en",
        summary="Lunar samples are basalt and breccia; none is dairy.",
        rating_label="Pants on fire",
        rating_value=2.5,
        rating_best=10.0,
        rating_worst=1.0,
        rating_explanation="Samples returned by Apollo missions are rock.",
        verdict="false",
        authors=[
            {"name": "Ada Checker", "url": "https://verifact.example/staff/ada"},
            {"name": "Bo Reviewer"},
        ],
        date_published=datetime(2024, 3, 5, 10, tzinfo=UTC),
        date_modified=datetime(2024, 3, 6, 8, 30, tzinfo=UTC),
        status="published",
    )
    return review, claim, appearances, publisher


def _golden(name: str, body: bytes) -> None:
    """The golden files are written by hand from the markup they describe; a difference is a
    change of output to review, never a file to regenerate."""
    expected = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    assert json.loads(body) == expected
    assert list(json.loads(body)) == list(expected), "schema.org order of the top-level keys"


class TestRender:
    def test_reference_fact_check_matches_golden_file(self) -> None:
        body = render_document(build_claimreview(*_netflix()))
        assert_valid(json.loads(body))
        _golden("netflix.claimreview.json", body)

    def test_every_optional_part_matches_golden_file(self) -> None:
        body = render_document(build_claimreview(*_full()))
        assert_valid(json.loads(body))
        _golden("full.claimreview.json", body)

    def test_netflix_golden_says_what_the_publishers_own_markup_says(self) -> None:
        # The real page's markup (tests/data) is the source; the service writes dates as UTC
        # date-times and gives the claim's language, and changes nothing else.
        source = load_json(REFERENCE)
        golden = json.loads((GOLDEN / "netflix.claimreview.json").read_text(encoding="utf-8"))
        source["datePublished"] += "T00:00:00Z"
        source["itemReviewed"]["datePublished"] += "T00:00:00Z"
        source["itemReviewed"]["inLanguage"] = "fr"
        assert golden == source

    def test_invalid_scale_is_left_out_entirely(self) -> None:
        review, claim, appearances, publisher = _netflix()
        review.rating_value, review.rating_best, review.rating_worst = -1, -1, -1
        document = json.loads(
            render_document(build_claimreview(review, claim, appearances, publisher))
        )
        assert document["reviewRating"] == {
            "@type": "Rating",
            "alternateName": "Faux",
            "ratingExplanation": review.rating_explanation,
        }

    def test_empty_optional_parts_are_omitted(self) -> None:
        review, claim, _, publisher = _netflix()
        claim.claimant_name = claim.claim_date = None
        review.headline = None
        document = json.loads(render_document(build_claimreview(review, claim, [], publisher)))
        assert_valid(document)
        assert "name" not in document
        assert document["itemReviewed"] == {"@type": "Claim", "inLanguage": "fr"}

    def test_rendering_is_deterministic(self) -> None:
        first = render_document(build_claimreview(*_netflix()))
        second = render_document(build_claimreview(*_netflix()))
        assert first == second
        assert document_etag(first) == document_etag(second)

    def test_unpublished_review_without_date_is_refused(self) -> None:
        review, claim, appearances, publisher = _netflix()
        review.date_published = None
        with pytest.raises(ValueError, match="publication date"):
            build_claimreview(review, claim, appearances, publisher)
