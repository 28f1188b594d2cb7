"""The ClaimReview serialiser is a pure function: stored rows in, JSON-LD out, held to golden
files."""

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.render import build_claimreview, document_etag, render_document
from app.storage.tables import Appearance, Claim, Publisher, Review
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


def _golden(name: str, body: bytes) -> None:
    path = GOLDEN / name
    pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(pretty, encoding="utf-8")
    assert pretty == path.read_text(encoding="utf-8"), (
        f"run UPDATE_GOLDEN=1 pytest to refresh {name}"
    )


class TestRender:
    def test_reference_fact_check_matches_golden_file(self) -> None:
        body = render_document(build_claimreview(*_netflix()))
        assert_valid(json.loads(body))
        _golden("netflix.claimreview.json", body)

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
