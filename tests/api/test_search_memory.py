"""Searches ranked in memory (app.api.search_mirror) answer as the database does, and the copy
follows every write: this instance's at once (through the database until a poll has read it),
another's at the next poll.

The corpus: the CLEF 2020 claims and the real multilingual markup of tests/data, imported over
HTTP. Each search is run both ways in the server's process (`search_hits` with the server's
index in memory, and with a session), and over HTTP with the copy usable and then not."""

import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection

from app import main as app_main
from app.api.mirror import Mirror
from app.api.search import ranked_answer
from app.api.search_mirror import SearchMirror
from app.domain import search
from app.domain.page_tokens import PageTokens
from app.search.passages import is_passage
from app.storage import repositories as repo
from app.storage.database import Database
from tests.api.test_match import clef_markup, dev_tweets
from tests.conftest import LiveServer, auth, load_json, serve

REAL = (
    "claimreview-real/afp_factuel_raw.json",
    "claimreview-real/aajtak_india_today_raw.json",
    "claimreview-real/hindi_boom_live_raw.json",
    "claimreview-real/afp_checamos_raw.json",
    "claimreview-real/newtral_api_index_es.json",
    "claimreview-real/google_factcheck_claim_ur.json",
    "claimreview-real/tfc_taiwan_missing_page.json",
)


def _mirror(live_server: LiveServer) -> SearchMirror:
    mirror: SearchMirror = live_server.app.state.search_mirror
    return mirror


def _caught_up(live_server: LiveServer, db: Database) -> SearchMirror:
    """The server's copy once a poll has read the newest change."""
    with db.engine.connect() as connection:
        latest = repo.latest_cursor(connection)
    mirror = _mirror(live_server)
    deadline = time.monotonic() + 10
    while not (mirror.usable() and mirror.cursor == latest):
        assert time.monotonic() < deadline, "the search index in memory never caught up"
        time.sleep(0.01)
    return mirror


@pytest.fixture
def corpus(client: httpx.Client, admin_key: str) -> None:
    markup = clef_markup()
    for relative in REAL:
        document = load_json(relative)
        document = document.get("jsonld", document)
        markup += document if isinstance(document, list) else [document]
    response = client.post("/v1/import", json=markup, headers=auth(admin_key))
    assert response.status_code == 200, response.text
    assert response.json()["created"] >= 2000


def _queries() -> list[dict[str, Any]]:
    """Words in a row from stored claims (1 to 3, in several languages), tweets as passages,
    with and without the filters the memory answers."""
    rng = random.Random(7)
    texts = [m["claimReviewed"] for m in clef_markup()]
    for relative in REAL:
        document = load_json(relative)
        document = document.get("jsonld", document)
        for item in document if isinstance(document, list) else [document]:
            reviewed = item.get("claimReviewed") or item.get("text")
            if isinstance(reviewed, str):
                texts.append(reviewed)
    queries: list[dict[str, Any]] = []
    for text in rng.sample(texts, 60) + texts[len(clef_markup()) :]:
        words = re.findall(r"\w+", text)
        if not words:
            continue
        size = rng.randint(1, 3)
        start = rng.randrange(max(1, len(words) - size + 1))
        queries.append({"q": " ".join(words[start : start + size])})
    tweets, _ = dev_tweets()
    queries += [{"q": t} for t in sorted(tweets.values())[:40]]
    queries += [{"q": "vaccine", "language": "en"}, {"q": "covid", "language": "en-GB"}]
    queries += [{"q": "obama", "since": datetime(2019, 1, 1, tzinfo=UTC)}]
    queries += [{"q": "trump", "until": datetime(2020, 1, 1, tzinfo=UTC), "page_size": 3}]
    queries += [{"q": t, "language": "en"} for t in sorted(tweets.values())[40:50]]
    queries += [{"q": "the", "page_size": 4}, {"q": "video shows", "page_size": 2}]
    return queries


@pytest.mark.usefixtures("corpus")
class TestSameAnswers:
    def test_hits_scores_and_page_tokens_are_the_databases(
        self, live_server: LiveServer, db: Database
    ) -> None:
        mirror = _caught_up(live_server, db)
        tokens: PageTokens = live_server.app.state.page_tokens
        assert len(mirror.index) > 1900
        compared = pages = 0
        for params in _queries():
            query = search.SearchQuery(**params)
            for _ in range(3):  # the first three pages
                assert search.in_memory(query, True)
                in_memory = search.search_hits(None, query, tokens, memory=mirror.index)
                with db.session() as session:
                    in_database = search.search_hits(session, query, tokens)
                assert in_memory == in_database, params
                compared += len(in_database.hits)
                if in_database.next_page_token is None:
                    break
                pages += 1
                query = search.SearchQuery(**params, page_token=in_database.next_page_token)
        assert compared > 1000
        assert pages > 50

    def test_the_response_is_the_same_byte_for_byte(
        self, client: httpx.Client, live_server: LiveServer, db: Database
    ) -> None:
        tokens: PageTokens = live_server.app.state.page_tokens
        answered = 0
        for params in _queries()[::5]:
            mirror = _caught_up(live_server, db)
            params = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in params.items()}
            cache = live_server.app.state.read_cache
            fast = client.get("/v1/search", params=params)
            cache.forget()
            again = client.get("/v1/search", params=params)  # rendered results from memory
            mirror.committed()  # as after a write: the route asks the database
            cache.forget()
            slow = client.get("/v1/search", params=params)
            assert fast.status_code == again.status_code == slow.status_code == 200
            assert fast.content == again.content == slow.content, params
            for header in ("content-type", "cache-control", "vary", "content-length"):
                assert again.headers.get(header) == slow.headers.get(header), header
            if set(params) <= {"q", "page_size"} and not is_passage(params["q"]):
                # Words alone, every claim rendered: answered before routing, the same bytes.
                raw = again.request.url.query
                assert ranked_answer(raw, _caught_up(live_server, db), tokens) == slow.content
                answered += 1
        assert answered > 10

    def test_googles_claims_search_is_the_same_either_way(
        self, client: httpx.Client, live_server: LiveServer, db: Database
    ) -> None:
        cache = live_server.app.state.read_cache
        for params in _queries()[::9]:
            if set(params) - {"q", "page_size"}:
                continue
            query = {"query": params["q"], "pageSize": params.get("page_size", 10)}
            mirror = _caught_up(live_server, db)
            cache.forget()
            fast = client.get("/v1alpha1/claims:search", params=query)
            mirror.committed()  # the route asks the database
            cache.forget()
            slow = client.get("/v1alpha1/claims:search", params=query)
            assert fast.status_code == slow.status_code == 200
            assert fast.content == slow.content, query

    def test_what_filters_on_reviews_goes_to_the_database(self) -> None:
        for filters in (
            {"publisher": "snopes.com"},
            {"verdict": "false"},
            {"claimant": "Trump"},
            {"review_language": "en"},
            {"only_matching_reviews": True, "review_language": "en"},
        ):
            assert not search.in_memory(search.SearchQuery(q="vaccine", **filters), True)
        assert not search.in_memory(search.SearchQuery(language="en"), False)


def _found(client: httpx.Client, q: str) -> list[str]:
    response = client.get("/v1/search", params={"q": q})
    assert response.status_code == 200, response.text
    return [r["claim"]["text"] for r in response.json()["results"]]


def _memory_hits(mirror: SearchMirror, q: str) -> list[int]:
    """The claims the copy alone ranks for `q`."""
    page = search.search_hits(
        None, search.SearchQuery(q=q), PageTokens(b"k" * 32), memory=mirror.index
    )
    return [hit.claim_id for hit in page.hits]


class TestKeptCurrent:
    def test_a_write_is_found_at_once_and_then_from_memory(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        editor_key: str,
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        publish("Zorblat water cures every fever")
        mirror = _caught_up(live_server, db)
        assert len(mirror.index) == 1
        review = publish("Zorblat crystals charge phones overnight")
        # This instance's write: the copy is not used until a poll has read it.
        assert not mirror.usable()
        assert _found(client, "zorblat crystals") == ["Zorblat crystals charge phones overnight"]
        mirror = _caught_up(live_server, db)
        assert len(mirror.index) == 2
        assert _found(client, "zorblat crystals") == ["Zorblat crystals charge phones overnight"]

        edited = client.patch(
            f"/v1/claims/{review['claim_id']}",
            json={"text": "Quibbly crystals charge phones overnight"},
            headers=auth(editor_key),
        )
        assert edited.status_code == 200, edited.text
        assert _found(client, "quibbly crystals") == ["Quibbly crystals charge phones overnight"]
        _caught_up(live_server, db)
        assert _found(client, "zorblat crystals") == []
        assert _found(client, "quibbly crystals") == ["Quibbly crystals charge phones overnight"]
        assert _found(client, "zorblat fever") == ["Zorblat water cures every fever"]

    def test_another_instances_write_is_read_at_the_next_poll(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        editor_key: str,
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        review = publish("Plonkish vinegar dissolves kidney stones")
        publish("Plonkish salt melts ice on roads")
        mirror = _caught_up(live_server, db)
        assert sorted(_found(client, "plonkish")) == [
            "Plonkish salt melts ice on roads",
            "Plonkish vinegar dissolves kidney stones",
        ]
        with serve(live_server.settings) as other, httpx.Client(base_url=other.url) as second:
            retracted = second.patch(
                f"/v1/reviews/{review['id']}",
                json={"status": "retracted"},
                headers=auth(editor_key),
            )
            assert retracted.status_code == 200, retracted.text
        mirror = _caught_up(live_server, db)
        assert len(mirror.index) == 1
        assert _found(client, "plonkish") == ["Plonkish salt melts ice on roads"]

    def test_a_review_moved_to_another_claim_leaves_the_claim_it_left(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        editor_key: str,
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        kept = publish("Wobbly bridges sing at night", headline="Bridges do not sing")
        moved = publish("Wobbly towers hum at dawn", headline="Zeppelinesque humming explained")
        other = publish("Wobbly tunnels whistle", headline="Tunnels are quiet")
        # Two reviews on one claim: moving one away leaves the claim as many claims and words.
        for review, claim in ((moved, kept), (other, moved)):
            response = client.patch(
                f"/v1/reviews/{review['id']}",
                json={"claim_id": claim["claim_id"]},
                headers=auth(editor_key),
            )
            assert response.status_code == 200, response.text
        _caught_up(live_server, db)
        assert _found(client, "zeppelinesque") == ["Wobbly bridges sing at night"]
        response = client.patch(
            f"/v1/reviews/{moved['id']}",
            json={"claim_id": moved["claim_id"]},
            headers=auth(editor_key),
        )
        assert response.status_code == 200, response.text
        mirror = _caught_up(live_server, db)
        assert _found(client, "zeppelinesque") == ["Wobbly towers hum at dawn"]
        with db.session() as session:
            query = search.SearchQuery(q="zeppelinesque")
            tokens: PageTokens = live_server.app.state.page_tokens
            assert search.search_hits(None, query, tokens, memory=mirror.index) == (
                search.search_hits(session, query, tokens)
            )

    def test_a_copy_that_disagrees_with_the_tables_is_loaded_again(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        db: Database,
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        publish("Snorkel tea reverses baldness")
        mirror = _caught_up(live_server, db)
        mirror.index.remove(next(iter(mirror.index.docs)))  # as a change the log never named
        deadline = time.monotonic() + 10
        while len(mirror.index) != 1:
            assert time.monotonic() < deadline, "the copy was never loaded again"
            time.sleep(0.01)
        assert _found(client, "snorkel tea") == ["Snorkel tea reverses baldness"]

    def test_a_commit_between_two_reads_of_one_poll_is_read_or_waited_for(
        self,
        client: httpx.Client,
        db: Database,
        editor_key: str,
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        """A poll reads one copy after another. This instance commits while the first is read:
        the search copy, read after it, holds the commit or is not used until the next poll."""
        review = publish("Frumious hats cure hiccups")
        mirror = SearchMirror(enabled=True, max_claims=1_000)
        app_main._watch(db, [mirror])
        assert mirror.usable()
        assert _memory_hits(mirror, "frumious") == [review["claim_id"]]

        class CommitsWhileRead(Mirror):
            def load(self, connection: Connection) -> None:
                repo.latest_cursor(connection)  # a read before the commit, as a real copy's
                edited = client.patch(
                    f"/v1/claims/{review['claim_id']}",
                    json={"text": "Vorpal hats cure hiccups"},
                    headers=auth(editor_key),
                )
                assert edited.status_code == 200, edited.text
                mirror.committed()  # as this instance's unit of work does after it

        app_main._watch(db, [CommitsWhileRead(enabled=True), mirror])
        if mirror.usable():
            assert _memory_hits(mirror, "frumious") == []
            assert _memory_hits(mirror, "vorpal") == [review["claim_id"]]
        app_main._watch(db, [mirror])
        assert mirror.usable()
        assert _memory_hits(mirror, "frumious") == []

    def test_past_its_limit_the_copy_is_not_kept_and_the_database_answers(
        self,
        live_server: LiveServer,
        db: Database,
        publish: Callable[..., dict[str, Any]],
    ) -> None:
        publish("Gronkle milk prevents colds")
        publish("Gronkle cheese prevents flu")
        settings = live_server.settings.model_copy(update={"search_memory_claims": 1})
        with serve(settings) as small, httpx.Client(base_url=small.url) as client:
            mirror = _mirror(small)
            deadline = time.monotonic() + 10
            while mirror.cursor is None:  # its first poll
                assert time.monotonic() < deadline, "the server never polled"
                time.sleep(0.01)
            assert len(mirror.index) == 0
            assert not mirror.usable()
            assert sorted(_found(client, "gronkle")) == [
                "Gronkle cheese prevents flu",
                "Gronkle milk prevents colds",
            ]
        held = _caught_up(live_server, db)
        assert len(held.index) == 2
