"""The search index in memory (app.search.ranking.MemoryIndex): loading, changes, statistics."""

from datetime import UTC, datetime

from app.search.analysis import QueryTerm
from app.search.ranking import DocRow, Filters, MemoryIndex, Postings, idf

DAY = datetime(2024, 1, 1, tzinfo=UTC)


def _loaded() -> MemoryIndex:
    index = MemoryIndex()
    postings = [
        ("cheese", 1, 2.0),
        ("cheese", 3, 1.0),
        ("cheese", 9, 1.0),  # claim 9 has no document: deleted between the two reads
        ("moon", 1, 2.0),
        ("moon", 2, 1.0),
        ("wall", 9, 1.0),
    ]
    docs = [(1, 4, DAY, "en", ["nasa"]), (2, 3, DAY, "en", []), (3, 2, DAY, "fr", [])]
    index.load(iter(postings), lambda: iter(docs))
    return index


def _ids(index: MemoryIndex, *words: str, language: str | None = None) -> list[int]:
    terms = [QueryTerm((w,)) for w in words]
    stats = index.stats(words)
    hits = index.search(terms, Filters(language=language), stats, None, 10)
    return [h.claim_id for h in hits]


def test_a_load_keeps_only_claims_with_a_document() -> None:
    index = _loaded()
    assert sorted(index.docs) == [1, 2, 3]
    assert list(index.postings["cheese"]) == [1, 3]
    assert "wall" not in index.postings
    assert index.length == 9
    stats = index.stats(["cheese", "moon", "wall"])
    assert stats.df == {"cheese": 2, "moon": 2}
    assert stats.idf["cheese"] == idf(3, 2)
    assert stats.avg_length == 3


def test_every_word_must_match_in_the_text_or_the_claimant() -> None:
    index = _loaded()
    assert _ids(index, "cheese", "moon") == [1]
    assert _ids(index, "moon") == [1, 2]
    assert _ids(index, "cheese", "nasa") == [1]  # "nasa" is claim 1's claimant
    assert _ids(index, "cheese", language="fr") == [3]
    assert _ids(index, "cheese", "wall") == []


def test_changes_replace_a_claim_whole() -> None:
    index = _loaded()
    index.replace([1], [DocRow(1, 2, DAY, "en", {"wall": 1.0}, ())])
    assert _ids(index, "cheese") == [3]
    assert _ids(index, "wall") == [1]
    assert _ids(index, "cheese", "nasa") == []
    index.replace([3], [])  # no longer indexed
    assert sorted(index.docs) == [1, 2]
    assert "cheese" not in index.postings
    assert index.length == 5


def test_postings_stay_in_claim_order() -> None:
    postings = Postings([(5, 1.0), (2, 2.0)])
    postings.put(3, 0.5)
    postings.put(2, 4.0)
    assert list(postings.items()) == [(2, 4.0), (3, 0.5), (5, 1.0)]
    postings.discard(3)
    postings.discard(7)
    assert list(postings) == [2, 5]
    assert 5 in postings
    assert 3 not in postings
    assert postings.get(2) == 4.0
    assert postings.get(3) is None
