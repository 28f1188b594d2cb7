"""Imports written a batch at a time behave as record-by-record imports: shared claims, repeated
URLs, a record the database refuses, dry runs, and what the importer remembers of publishers."""

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import insert, text
from sqlmodel import SQLModel, select

from app.domain import bulk, publishing
from app.domain.access import COMMAND_LINE
from app.domain.importing import Importer, ImportResult, read_document
from app.domain.indexing import reindex_all
from app.domain.render import document_etag
from app.import_cli import run_import
from app.storage import repositories as repo
from app.storage.database import Database
from app.storage.tables import Appearance, Change, Claim, Review
from tests.api.test_access import snapshot
from tests.ingest.test_import_behaviour import claimreview
from tests.search.test_reindex import index_state


def run(db: Database, records: list[Any], **options: Any) -> ImportResult:
    return Importer(db.unit_of_work, COMMAND_LINE, **options).import_documents(records)


def counts(result: ImportResult) -> tuple[int, int, int, list[int]]:
    return (
        result.created,
        result.updated,
        result.unchanged,
        [r.index for r in result.rejected],
    )


def rows(db: Database, sql: str) -> list[tuple[Any, ...]]:
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


def seen_at(url: str) -> dict[str, Any]:
    return {"@type": "Claim", "appearance": [{"@type": "CreativeWork", "url": url}]}


def publisher(name: str, home: str) -> dict[str, Any]:
    return {"@type": "Organization", "name": name, "url": home}


@pytest.fixture
def refusing_trigger(db: Database) -> Iterator[None]:
    """The database itself refuses any review whose URL contains "refused"."""
    if db.is_sqlite:
        create = [
            "CREATE TRIGGER refuse_review BEFORE INSERT ON review WHEN NEW.url LIKE '%refused%' "
            "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        ]
        drop = ["DROP TRIGGER refuse_review"]
    else:
        create = [
            "CREATE FUNCTION refuse_review() RETURNS trigger AS $$ BEGIN "
            "IF NEW.url LIKE '%refused%' THEN RAISE EXCEPTION 'refused by a trigger'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_review BEFORE INSERT ON review "
            "FOR EACH ROW EXECUTE FUNCTION refuse_review()",
        ]
        drop = ["DROP TRIGGER refuse_review ON review", "DROP FUNCTION refuse_review()"]
    with db.engine.begin() as connection:
        for statement in create:
            connection.execute(text(statement))
    yield
    with db.engine.begin() as connection:
        for statement in drop:
            connection.execute(text(statement))


class TestClaimsWithinABatch:
    def test_records_of_one_batch_share_claims_by_wording_and_appearance(
        self, db: Database
    ) -> None:
        records = [
            claimreview("https://verifact.example/b/1", claim="Bananas are BLUE!"),
            claimreview(
                "https://other.example/b/2",
                claim="bananas are blue",
                author=publisher("Other", "https://other.example/"),
            ),
            claimreview("https://verifact.example/b/3", claim="Blue bananas exist"),
            claimreview(
                "https://verifact.example/b/4",
                claim="Something else entirely",
                itemReviewed={"@type": "Claim", "appearance": [{"url": "https://x.com/b/9"}]},
            ),
        ]
        assert counts(run(db, records)) == (4, 0, 0, [])
        by_url = dict(rows(db, "SELECT url, claim_id FROM review"))
        # 1 and 2 share the wording, 3 shares 1's appearance; 4 is on its own.
        shared = ["verifact.example/b/1", "other.example/b/2", "verifact.example/b/3"]
        assert len({by_url[f"https://{u}"] for u in shared}) == 1
        assert len(set(by_url.values())) == 2
        assert rows(db, "SELECT count(*) FROM claim") == [(2,)]

    def test_a_new_review_of_a_stored_claim_joins_it_and_the_index_matches_a_reindex(
        self, db: Database
    ) -> None:
        run(db, [claimreview("https://verifact.example/s/1", claim="Cats can fly")])
        run(
            db,
            [
                claimreview(
                    "https://other.example/s/2",
                    claim="cats can fly",
                    reviewBody="They cannot.",
                    author=publisher("Other", "https://other.example/"),
                    itemReviewed=seen_at("https://x.com/s/2"),
                ),
                claimreview(
                    "https://verifact.example/s/3",
                    claim="Dogs can sing",
                    itemReviewed=seen_at("https://x.com/s/3"),
                ),
                claimreview(
                    "https://verifact.example/s/4",
                    claim="DOGS can sing",
                    itemReviewed=seen_at("https://x.com/s/4"),
                ),
            ],
        )
        assert rows(db, "SELECT count(*) FROM claim") == [(2,)]
        incremental = index_state(db)
        reindex_all(db)
        assert index_state(db) == incremental

    def test_a_batch_boundary_changes_nothing(self, db: Database) -> None:
        records = [
            claimreview(f"https://verifact.example/k/{i}", claim=f"Claim {i % 3}") for i in range(7)
        ]
        assert counts(run(db, records, batch_size=2)) == (7, 0, 0, [])
        assert rows(db, "SELECT count(DISTINCT claim_id) FROM review") == [(1,)]  # appearance
        assert rows(db, 'SELECT count(*) FROM "change"') == [(7,)]


class TestRepeatedURLs:
    def test_the_first_creates_and_the_later_ones_update_or_are_unchanged(
        self, db: Database
    ) -> None:
        first = claimreview("https://verifact.example/r/1")
        corrected = copy.deepcopy(first)
        corrected["reviewRating"]["alternateName"] = "Misleading"
        again = copy.deepcopy(corrected)
        other = claimreview("https://verifact.example/r/2", claim="Another claim")
        result = run(db, [first, other, corrected, again])
        assert counts(result) == (2, 1, 1, [])
        assert rows(db, "SELECT rating_label, version FROM review WHERE url LIKE '%/r/1'") == [
            ("Misleading", 2)
        ]
        assert sorted(rows(db, 'SELECT type FROM "change"')) == [
            ("review.published",),
            ("review.published",),
            ("review.updated",),
        ]
        assert rows(db, "SELECT count(*) FROM review_revision") == [(1,)]


class TestRefusedByTheDatabase:
    @pytest.mark.usefixtures("refusing_trigger")
    def test_the_rest_of_the_batch_lands(self, db: Database) -> None:
        nouveau = publisher("Nouveau Check", "https://nouveau.example/")
        records = [
            claimreview(
                url, claim=f"Claim {i}", itemReviewed=seen_at(f"https://x.com/t/{i}"), **extra
            )
            for i, (url, extra) in enumerate(
                [
                    ("https://verifact.example/t/0", {}),
                    ("https://nouveau.example/t/refused", {"author": nouveau}),
                    ("https://nouveau.example/t/2", {"author": nouveau}),
                    ("https://verifact.example/t/3", {}),
                ]
            )
        ]
        result = run(db, records)
        assert counts(result) == (3, 0, 0, [1])
        assert result.rejected[0].url == "https://nouveau.example/t/refused"
        assert "refused by a trigger" in result.rejected[0].reason
        # The publisher the refused record created went with it; the next record created it
        # again, rather than using a publisher the importer remembered but the database lost.
        assert rows(
            db,
            "SELECT r.url, p.name FROM review r JOIN publisher p "
            "ON p.id = r.publisher_id WHERE p.id = 'nouveau-check'",
        ) == [("https://nouveau.example/t/2", "Nouveau Check")]
        assert rows(db, "SELECT count(*) FROM search_doc") == [(3,)]
        assert rows(db, 'SELECT count(*) FROM "change"') == [(3,)]


class TestRememberedPublishers:
    def test_sites_of_a_rejected_record_are_forgotten(self, db: Database) -> None:
        run(db, [claimreview("https://verifact.example/p/1")])
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE review SET status = 'retracted'"))
        moved = claimreview(
            "https://verifact.example/p/1", author=publisher("VeriFact", "https://moved.example/")
        )
        elsewhere = claimreview(
            "https://moved.example/p/2",
            claim="Another claim",
            author={"@type": "Organization", "name": "Moved Check"},
        )
        result = run(db, [moved, elsewhere])
        assert counts(result) == (1, 0, 0, [0])
        assert "retracted" in result.rejected[0].reason
        assert rows(db, "SELECT publisher_id FROM publisher_site WHERE host = 'moved.example'") == [
            ("moved-check",)
        ]


class TestDryRun:
    def test_counts_as_a_real_import_and_stores_nothing(self, db: Database) -> None:
        records = [
            claimreview("https://verifact.example/d/1"),
            claimreview("https://new.example/d/2", author=publisher("New", "https://new.example/")),
            claimreview("https://verifact.example/d/1", label="Misleading"),
            {"@type": "ClaimReview", "url": "https://verifact.example/d/bad"},
        ]
        before = snapshot(db)
        dry = counts(run(db, records, dry_run=True))
        assert snapshot(db) == before
        assert dry == counts(run(db, records)) == (2, 1, 0, [3])

    def test_progress_is_reported_for_every_record(self, db: Database) -> None:
        seen: list[int] = []
        records = [claimreview(f"https://verifact.example/o/{i}") for i in range(5)]
        run(db, records, dry_run=True, on_record=lambda r: seen.append(r.total))
        assert seen == [1, 2, 3, 4, 5]


class TestWorkerProcesses:
    def test_they_store_what_one_process_stores(
        self, db: Database, tmp_path: Path, make_publisher: Callable[..., str]
    ) -> None:
        def record(n: int, claim: str, **extra: Any) -> dict[str, Any]:
            url = extra.pop("url", f"https://verifact.example/w/{n}")
            return claimreview(url, claim, itemReviewed=seen_at(f"https://x.com/w/{n}"), **extra)

        undeclared = record(2, "Die Regierung hat das Wasser verboten")
        del undeclared["inLanguage"]
        french = record(
            3,
            "Le gouvernement a interdit l'eau",
            url="https://lefaux.example/w/3",
            author=publisher("Le Faux", "https://lefaux.example/"),
        )
        del french["inLanguage"]  # the publisher's only language, not the detected one
        lines = [
            orjson.dumps(record(1, "Water is wet")),
            orjson.dumps(undeclared),
            b"{not json",
            orjson.dumps(french),
            orjson.dumps(record(1, "Water is wet", label="Misleading", dateModified="2024-04-01")),
            orjson.dumps(record(5, "Later", datePublished="2999-01-01")),
        ]
        path = tmp_path / "mixed.ndjson"
        path.write_bytes(b"\n".join(lines) + b"\n")
        stored = "SELECT url, language, status, version, jsonld FROM review ORDER BY url"
        outcomes = []
        for workers in (1, 0):
            make_publisher("le-faux", sites=["lefaux.example"], languages=["fr"])
            result = run_import(db, str(path), workers=workers)
            outcomes.append((counts(result), result.rejected, rows(db, stored)))
            with db.engine.begin() as connection:
                for table in ("search_posting", "search_term", "search_stats", "search_doc"):
                    connection.execute(text(f'DELETE FROM "{table}"'))
                if db.is_sqlite:
                    connection.execute(
                        text("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
                    )
                connection.execute(text('DELETE FROM "change"'))
                connection.execute(text("DELETE FROM review_revision"))
                connection.execute(text("DELETE FROM review"))
                connection.execute(text("DELETE FROM appearance"))
                connection.execute(text("DELETE FROM claim"))
                connection.execute(text("DELETE FROM publisher_site"))
                connection.execute(text("DELETE FROM publisher"))
        assert outcomes[0] == outcomes[1]
        assert outcomes[0][0] == (3, 1, 0, [2, 5])
        languages = {url: language for url, language, *_ in outcomes[0][2]}
        assert languages["https://verifact.example/w/2"] == "de"
        assert languages["https://lefaux.example/w/3"] == "fr"


class TestRenderedDocuments:
    def test_stored_bytes_are_what_publishing_renders(self, db: Database) -> None:
        run(db, [claimreview("https://verifact.example/j/1", claim="Stored before")])
        shared = claimreview(
            "https://other.example/j/2",
            claim="stored BEFORE",
            reviewBody="Shares the stored claim.",
            author=publisher("Other", "https://other.example/"),
        )
        shared["author"] = [
            shared["author"],
            {"@type": "Person", "name": "A. Writer", "url": "/authors/a"},
        ]
        scaled = claimreview(
            "https://verifact.example/j/3",
            claim="Rated on a scale",
            itemReviewed={
                **seen_at("https://x.com/j/3"),
                "author": {"@type": "Person", "name": "Someone"},
                "datePublished": "2024-01-02",
            },
            reviewRating={
                "@type": "Rating",
                "alternateName": "Mostly false",
                "ratingValue": 2,
                "bestRating": 5,
                "worstRating": 1,
            },
        )
        del scaled["datePublished"]  # published "now"
        run(db, [shared, scaled])
        with db.unit_of_work() as session:
            reviews = session.exec(select(Review)).all()
            assert len(reviews) == 3
            for review in reviews:
                stored, etag = review.jsonld, review.jsonld_etag
                assert stored is not None
                publishing.render(session, review)
                assert review.jsonld == stored
                assert etag == document_etag(stored)
            session.rollback()


class TestSearchAnalysisInReaders:
    def test_assembled_documents_are_those_a_reindex_builds(
        self, db: Database, make_publisher: Callable[..., str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A new claim's search document is assembled from the fields its reader analysed,
        unless the record's final language is not the one they were analysed in."""
        make_publisher("le-faux", sites=["lefaux.example"], languages=["fr-CA"])

        def claim(n: int, **extra: Any) -> dict[str, Any]:
            return {**seen_at(f"https://x.com/z/{n}"), **extra}

        def person(name: str) -> dict[str, Any]:
            return {"@type": "Person", "name": name}

        stored = claimreview(
            "https://verifact.example/z/0", "The river turned red overnight", name="Red river?"
        )
        records = [
            claimreview(
                "https://verifact.example/z/1",
                "Vaccines contain tracking microchips",
                name="No, vaccines do not contain microchips",
                reviewBody="Microchips cannot pass through a needle.",
                itemReviewed=claim(1, author=person("Jean-Luc Dupont"), datePublished="2025-02-01"),
            ),
            claimreview(
                "https://other.example/z/2",
                "vaccines contain TRACKING microchips",  # the same claim: two analysed reviews
                reviewBody="Checked again, with the manufacturers.",
                author=publisher("Other", "https://other.example/"),
                itemReviewed=claim(2),
            ),
            claimreview(
                "https://verifact.example/z/3",
                "Die Regierung hat das Leitungswasser verboten",
                inLanguage="de",
                name="Kein Verbot des Leitungswassers",
                itemReviewed=claim(
                    3, author={"@type": "Organization", "name": "Bundesamt für Wasser"}
                ),
            ),
            claimreview(
                "https://verifact.example/z/4",
                "El gobierno prohibió las bicicletas eléctricas",
                inLanguage="es",
                reviewBody="Ninguna ley prohíbe las bicicletas eléctricas.",
                itemReviewed=claim(4, author=person("María José Álvarez")),
            ),
            claimreview(
                "https://lefaux.example/z/5",  # in the publisher's only language, not "fr"
                "Le gouvernement a interdit les vélos électriques",
                name="Les vélos électriques ne sont pas interdits",
                author=publisher("Le Faux", "https://lefaux.example/"),
                itemReviewed=claim(5, author=person("Émile Zola")),
            ),
            claimreview(
                "https://verifact.example/z/6",
                "O governo proibiu as bicicletas elétricas em todas as cidades do país",
                reviewBody="Nenhuma lei proíbe as bicicletas elétricas nas cidades.",
                itemReviewed=claim(6),
            ),
            claimreview(  # joins the stored claim
                "https://other.example/z/7",
                "the river turned RED overnight",
                reviewBody="It was algae.",
                author=publisher("Other", "https://other.example/"),
                itemReviewed=claim(7),
            ),
        ]
        for record in records[4:6]:
            del record["inLanguage"]
        run(db, [stored])
        analysed_here: list[str] = []
        original = bulk.claim_document

        def spy(claim_id: int, claim: Any, published: Any) -> Any:
            analysed_here.append(claim.text)
            return original(claim_id, claim, published)

        monkeypatch.setattr(bulk, "claim_document", spy)
        result = run(db, [read_document(r, checked=True) for r in records])
        assert counts(result) == (7, 0, 0, [])
        assert analysed_here == ["Le gouvernement a interdit les vélos électriques"]
        assert rows(db, "SELECT language FROM review WHERE url LIKE '%/z/6'") == [("pt",)]
        incremental = index_state(db)
        assert len(incremental["search_doc"]) == 6
        reindex_all(db)
        assert index_state(db) == incremental


class TestDriverInserts:
    def test_they_store_what_sqlalchemy_stores(
        self, db: Database, make_publisher: Callable[..., str]
    ) -> None:
        """`insert_rows` hands tuples to the driver on SQLite: every column, defaults
        included, is stored as SQLAlchemy's own insert stores it."""
        make_publisher("verifact")
        now = datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=UTC)
        claim = {
            "text": "Tuples to the driver",
            "text_key": "k",
            "language": "pt-BR",
            "claimant_name": "Émile",
            "claimant_type": "Person",
            "claimant_url": None,
            "claim_date": datetime(2020, 1, 1, 1, tzinfo=timezone(timedelta(hours=2))),
            "first_appearance_url": "https://x.com/d/1",
            "created_by": "verifact",
            "created_at": now,
            "updated_at": now,
        }

        def review(claim_id: int, n: int) -> dict[str, Any]:
            return {
                "claim_id": claim_id,
                "publisher_id": "verifact",
                "url": f"https://verifact.example/d/{n}",
                "url_key": f"verifact.example/d/{n}",
                "headline": None,
                "language": "en",
                "summary": "Ça dépend.",
                "authors": [{"name": "A. Writer", "url": None}],
                "date_published": now,
                "date_modified": None,
                "status": "published",
                "rating_label": "False",
                "rating_value": 1.5,
                "rating_best": 5.0,
                "rating_worst": None,
                "rating_explanation": None,
                "verdict": "false",
                "created_at": now,
                "updated_at": now,
                "jsonld": b'{"@type":"ClaimReview"}',
                "jsonld_etag": "e",
                "rendered_at": now,
            }

        tables = SQLModel.metadata.tables
        with db.unit_of_work() as session:
            ours = repo.insert_rows(session, Claim, tuple(claim), [tuple(claim.values())], ids=True)
            session.execute(insert(tables["claim"]), [claim])
            row = review(ours[0], 1)
            review_ids = repo.insert_rows(
                session, Review, tuple(row), [tuple(row.values())], ids=True
            )
            session.execute(insert(tables["review"]), [review(ours[0], 2)])
            seen = {"claim_id": ours[0], "position": 0, "url": "https://x.com/d/1"}
            seen |= {"url_key": "x.com/d/1", "archived_url": None}
            repo.insert_rows(session, Appearance, tuple(seen), [tuple(seen.values())] * 2)
            session.execute(insert(tables["appearance"]), [seen])
            at = {
                "type": "review.published",
                "review_id": review_ids[0],
                "publisher_id": "verifact",
            }
            at |= {"language": "pt-BR", "verdict": "false", "at": now}
            repo.insert_rows(session, Change, tuple(at), [tuple(at.values())])
            session.execute(insert(tables["change"]), [at])
        appearances = rows(db, f"SELECT {', '.join(seen)} FROM appearance")
        assert appearances == [tuple(seen.values())] * 3
        changes = rows(db, "SELECT " + ", ".join(f'"{c}"' for c in at) + ' FROM "change"')
        assert changes[0] == changes[1]
        claims = rows(db, f"SELECT id, {', '.join(claim)}, deleted_at FROM claim ORDER BY id")
        assert [c[0] for c in claims] == [ours[0], ours[0] + 1]
        assert claims[0][1:] == claims[1][1:]
        same = [c for c in row if c not in ("url", "url_key")] + ["version", "deleted_at"]
        reviews = rows(db, f"SELECT id, {', '.join(same)} FROM review ORDER BY id")
        assert [r[0] for r in reviews] == [review_ids[0], review_ids[0] + 1]
        assert reviews[0][1:] == reviews[1][1:]
        assert reviews[0][-2:] == (1, None)
