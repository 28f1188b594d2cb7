"""POST /v1/match, and passages as `q`: has what this post says been fact-checked?

The quality tests use the CLEF 2020 CheckThat! Task 2 development tweets against their verified
claims and 1,800 others (tests/data/clef2020-checkthat-task2, see NOTICE.md), imported over HTTP
as the ClaimReview markup of one publisher."""

import csv
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.main import create_app
from app.search.embeddings import Embed
from tests.conftest import DATA, LiveServer, auth, load_json

CLEF = DATA / "clef2020-checkthat-task2"
SITE = "https://www.snopes.com"


def _tsv(name: str) -> list[list[str]]:
    with (CLEF / name).open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t"))[1:]


def clef_markup() -> list[dict[str, Any]]:
    return [
        {
            "@context": "https://schema.org",
            "@type": "ClaimReview",
            "url": f"{SITE}/fact-check/clef-{vclaim_id}/",
            "claimReviewed": claim,
            "name": title,
            "inLanguage": "en",
            "datePublished": "2020-01-01",
            "author": {"@type": "Organization", "name": "Snopes", "url": SITE},
            "reviewRating": {"@type": "Rating", "alternateName": "Checked"},
        }
        for vclaim_id, claim, title in _tsv("verified_claims.docs.tsv")
    ]


def dev_tweets() -> tuple[dict[str, str], dict[str, set[str]]]:
    tweets = {r[0]: r[1] for r in _tsv("dev/tweets.queries.tsv")}
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in (CLEF / "dev" / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:
            qrels[parts[0]].add(parts[2])
    return tweets, qrels


def everyday_sentences() -> list[str]:
    lines = (DATA / "match" / "everyday-sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def vclaim(result: dict[str, Any]) -> str:
    url: str = result["reviews"][0]["url"]
    return url.rstrip("/").rsplit("/clef-", 1)[-1]


def average_precision(ranked: Sequence[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, item in enumerate(ranked[:5]):
        if item in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / min(len(relevant), 5)


def match(client: httpx.Client, texts: list[str], **body: Any) -> list[list[dict[str, Any]]]:
    response = client.post("/v1/match", json={"texts": texts, **body})
    assert response.status_code == 200, response.text
    found: list[list[dict[str, Any]]] = response.json()["matches"]
    return found


def match_all(client: httpx.Client, texts: list[str]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(texts), 20):
        yield from match(client, texts[start : start + 20])


@pytest.fixture
def clef(client: httpx.Client, admin_key: str) -> None:
    response = client.post("/v1/import", json=clef_markup(), headers=auth(admin_key))
    assert response.status_code == 200, response.text
    assert not response.json()["rejected"]


def import_file(client: httpx.Client, key: str, relative: str) -> None:
    document = load_json(relative)
    response = client.post("/v1/import", json=document.get("jsonld", document), headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.json()["created"] >= 1, response.text


class TestQualityOnClef:
    @pytest.mark.usefixtures("clef")
    def test_tweets_find_their_fact_check_through_search_and_match(
        self, client: httpx.Client
    ) -> None:
        tweets, qrels = dev_tweets()
        ids = sorted(qrels)
        searched = []
        for tweet_id in ids:
            response = client.get("/v1/search", params={"q": tweets[tweet_id], "page_size": 5})
            assert response.status_code == 200, response.text
            searched.append([vclaim(r) for r in response.json()["results"]])
        matched = [
            [vclaim(m) for m in found] for found in match_all(client, [tweets[i] for i in ids])
        ]
        map_search = statistics.mean(
            average_precision(r, qrels[i]) for r, i in zip(searched, ids, strict=True)
        )
        map_match = statistics.mean(
            average_precision(r, qrels[i]) for r, i in zip(matched, ids, strict=True)
        )
        assert map_search >= 0.76
        # The threshold leaves out the right claim of some tweets, never reorders them.
        assert map_match >= 0.70
        assert all(m == s[: len(m)] for m, s in zip(matched, searched, strict=True))

    @pytest.mark.usefixtures("clef")
    def test_everyday_sentences_get_no_match(self, client: httpx.Client) -> None:
        sentences = everyday_sentences()
        assert len(sentences) == 100
        silent = sum(not found for found in match_all(client, sentences))
        assert silent >= 90


class TestMatchRequest:
    def test_one_list_per_text_in_order_best_first(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        publish("Drinking hot water with lemon cures the flu in a day", "en")
        publish("Bill Gates implants microchips with the coronavirus vaccine", "en")
        found = match(
            client,
            [
                "My aunt swears that drinking hot water with lemon cures flu overnight!!",
                "Nice weather today",
                "Gates wants to put microchips in all of us through the vaccine #covid #BillGates",
            ],
        )
        assert [[m["claim"]["text"] for m in f] for f in found] == [
            ["Drinking hot water with lemon cures the flu in a day"],
            [],
            ["Bill Gates implants microchips with the coronavirus vaccine"],
        ]
        for f in found:
            for m in f:
                assert 0.5 <= m["score"] <= 1
                assert m["reviews"][0]["rating"]["label"]

    def test_limit_and_order_of_scores(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        for n in range(4):
            publish(f"Vaccines contain microchips that track people {'everywhere ' * n}", "en")
        found = match(client, ["vaccines contain microchips that track people"], limit=2)[0]
        assert len(found) == 2
        assert found[0]["score"] >= found[1]["score"]

    def test_blank_text_matches_nothing(self, client: httpx.Client) -> None:
        assert match(client, ["   ", ""]) == [[], []]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"texts": ["x"] * 21}, "texts"),
            ({"texts": []}, "texts"),
            ({"texts": ["x"], "limit": 0}, "limit"),
            ({"texts": ["x"], "other": 1}, "other"),
            ({}, "texts"),
        ],
    )
    def test_invalid_body_is_422_naming_the_field(
        self, client: httpx.Client, body: dict[str, Any], field: str
    ) -> None:
        response = client.post("/v1/match", json=body)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert any(field in e["field"] for e in response.json()["errors"])


class TestPassagesAsQueries:
    def test_a_post_finds_claims_without_holding_every_word(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        publish("5G towers spread the coronavirus", "en")
        publish("Garlic water cures COVID-19", "en")
        post = (
            "They don't want you to know the truth: 5G towers are spreading the coronavirus!! "
            "https://t.co/abc123 #StopThe5G — Jane Doe (@janedoe) March 3, 2020"
        )
        response = client.get("/v1/search", params={"q": post})
        assert [r["claim"]["text"] for r in response.json()["results"]] == [
            "5G towers spread the coronavirus"
        ]
        google = client.get("/v1alpha1/claims:search", params={"query": post})
        assert [c["text"] for c in google.json()["claims"]] == ["5G towers spread the coronavirus"]

    def test_a_short_query_still_needs_every_word(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        publish("5G towers spread the coronavirus", "en")
        assert client.get("/v1/search", params={"q": "5G towers cure"}).json()["results"] == []


class TestLanguages:
    def test_french_post_finds_the_netflix_fact_check(
        self, client: httpx.Client, admin_key: str
    ) -> None:
        import_file(client, admin_key, "examples/netflix-binge-watch-hoax.fr.jsonld")
        post = (
            "Incroyable 😳 Netflix a envoyé un mail à un abonné pour savoir s'il allait bien "
            "après avoir regardé The Office en boucle !! #Netflix https://t.co/xyz"
        )
        found = match(client, [post])[0]
        assert found
        assert "Netflix" in found[0]["claim"]["text"]
        assert found[0]["claim"]["language"].startswith("fr")

    @pytest.mark.parametrize(
        ("relative", "post"),
        [
            (
                "claimreview-real/hindi_boom_live_raw.json",
                "सिरोही के पीपलेश्वर महादेव मंदिर में रात को पुजारी के पास चीता परिवार आकर रहता है, "
                "देखिए वीडियो 🙏",
            ),
            (
                "claimreview-real/tfc_taiwan_missing_page.json",
                "震驚！安倍晉三患的是癌症，而且已經轉移到肝臟了，大家快轉發",
            ),
            (
                "claimreview-real/google_factcheck_claim_ur.json",
                "دیکھیں کانپور کے ہیلٹ اسپتال میں ڈاکٹر مریض کی پٹائی کر رہا ہے",
            ),
        ],
        ids=["hindi", "chinese", "urdu-arabic-script"],
    )
    def test_post_finds_its_fact_check(
        self, client: httpx.Client, admin_key: str, relative: str, post: str
    ) -> None:
        import_file(client, admin_key, "examples/netflix-binge-watch-hoax.fr.jsonld")
        import_file(client, admin_key, relative)
        found = match(client, [post])[0]
        assert len(found) == 1
        assert "Netflix" not in found[0]["claim"]["text"]

    def test_arabic_post_finds_its_fact_check(
        self, client: httpx.Client, publish: Callable[..., dict[str, Any]]
    ) -> None:
        # The shared data holds no Arabic fact-check; these are the demo data's Arabic claims.
        publish("صورة تظهر الثلوج على أهرامات الجيزة", "ar")
        publish("الماء الساخن مع الليمون يقتل الخلايا السرطانية", "ar")
        post = "سبحان الله 😍 شاهدوا الثلوج تغطي أهرامات الجيزة اليوم! #مصر https://t.co/abc"
        found = match(client, [post])[0]
        assert [m["claim"]["text"] for m in found] == ["صورة تظهر الثلوج على أهرامات الجيزة"]


class TestSemanticReranking:
    def test_embedding_reorders_the_lexical_candidates(
        self,
        client: httpx.Client,
        live_server: LiveServer,
        publish: Callable[..., dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        publish("A shark swam down a flooded highway during the hurricane in Houston", "en")
        publish("Photo shows a shark on a flooded highway, taken after a Houston hurricane", "en")
        post = "shark on the flooded highway in Houston after the hurricane!! unbelievable"
        lexical = [m["claim"]["text"] for m in match(client, [post])[0]]
        assert len(lexical) == 2

        seen: list[Sequence[str]] = []

        def embed(texts: Sequence[str]) -> list[list[float]]:
            # Puts the lexical runner-up next to the post, the lexical first far from it.
            seen.append(texts)
            return [[1.0, 0.0] if t == lexical[0] else [0.0, 1.0] for t in texts]

        supplied: Embed = embed
        monkeypatch.setattr(live_server.app.state, "embed", supplied)
        reranked = match(client, [post])[0]
        assert reranked[0]["claim"]["text"] == lexical[1]
        assert seen == [[post, *lexical]]
        assert all(0 <= m["score"] <= 1 for m in reranked)

    def test_a_configured_model_that_is_not_there_stops_the_start(self, tmp_path: Path) -> None:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path}/x.db", embedding_model=str(tmp_path / "none")
        )
        with pytest.raises(RuntimeError, match="no model directory"):
            create_app(settings)
