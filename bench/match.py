"""Claim matching benchmark: quality on CLEF 2020 CheckThat! Task 2, and POST /v1/match speed.

    python -m bench.match [--engine sqlite|postgresql|both] [--claims 100000] [--requests 200]
                          [--pg-url URL] [--skip-quality] [--skip-speed] [--data DIR]

Quality (SQLite): the 10,373 verified claims (claim text and article title) are imported through
the service's own `Importer`, as the ClaimReview JSON-LD of one publisher; the service is started
with uvicorn on 127.0.0.1 and the training and development tweets are sent as they are:

* `GET /v1/search?q=<tweet>&page_size=5`, and `POST /v1/match` (20 tweets a request, limit 5):
  MAP@5 (the task's measure), MRR@5 and P@1;
* the 100 everyday sentences of tests/data/match/everyday-sentences.txt through `/v1/match`:
  the share that gets no match;
* precision and recall of the configured threshold on the development tweets, and a sweep of
  thresholds over the scores `/v1/match` gives (from the same ranking as `/v1/search`).

Speed (each engine): `--claims` claims (the 10,373 real ones and made-up ones spliced from
halves of two real claims, so that words and lengths stay those of real claims), imported
through the `Importer` (SQLite: cached in bench/results/ by size; PostgreSQL: reused when the
database already holds them), then `--requests` sequential `POST /v1/match` requests of 20
tweet-length texts (random training and development tweets) after a warm-up: p50, p95, max.

Reads ../shared/data/clef2020-checkthat-task2 (or --data); it is not shipped with the project.
"""

import argparse
import csv
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from app.domain.access import COMMAND_LINE
from app.domain.importing import Importer
from app.storage.database import make_database
from app.storage.migrate import upgrade
from bench.data import create_missing
from bench.harness import serve, service_env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT.parent / "shared" / "data" / "clef2020-checkthat-task2"
EVERYDAY = ROOT / "tests" / "data" / "match" / "everyday-sentences.txt"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_match"
SITE = "https://www.snopes.com"
TARGET_MAP = 0.76
TARGET_NO_MATCH = 0.90
TARGET_P95_MS = 100.0
BATCH = 20

csv.field_size_limit(1 << 24)


# --- data --------------------------------------------------------------------------------------


def _tsv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[1:]


def load_claims(data: Path) -> list[tuple[str, str, str]]:
    return [(r[0], r[1], r[2]) for r in _tsv(data / "verified_claims.docs.tsv")]


def load_split(data: Path, split: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    tweets = {r[0]: r[1] for r in _tsv(data / split / "tweets.queries.tsv")}
    qrels: dict[str, set[str]] = defaultdict(set)
    for line in (data / split / "tweet-vclaim-pairs.qrels").read_text().splitlines():
        parts = line.split()
        if len(parts) == 4:
            qrels[parts[0]].add(parts[2])
    return tweets, dict(qrels)


def everyday() -> list[str]:
    lines = EVERYDAY.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def review_url(vclaim_id: str) -> str:
    return f"{SITE}/fact-check/clef-{vclaim_id}/"


def claimreview(vclaim_id: str, claim: str, title: str) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": review_url(vclaim_id),
        "claimReviewed": claim,
        "name": title,
        "inLanguage": "en",
        "datePublished": "2020-01-01",
        "author": {"@type": "Organization", "name": "Snopes", "url": SITE},
        "reviewRating": {"@type": "Rating", "alternateName": "Checked"},
    }


def corpus(claims: Sequence[tuple[str, str, str]], size: int) -> Iterator[dict[str, Any]]:
    """The real claims, then made-up ones up to `size`: the first half of one real claim's
    words and the second half of another's, the title likewise (seeded: always the same)."""
    for vclaim_id, claim, title in claims:
        yield claimreview(vclaim_id, claim, title)
    rng = random.Random(14)
    for n in range(size - len(claims)):
        a, b, c, d = (rng.choice(claims) for _ in range(4))
        wa, wb, ta, tb = a[1].split(), b[1].split(), c[2].split(), d[2].split()
        text_ = " ".join(wa[: len(wa) // 2] + wb[len(wb) // 2 :])
        title = " ".join(ta[: len(ta) // 2] + tb[len(tb) // 2 :])
        yield claimreview(f"made-up-{n}", text_, title)


def import_corpus(url: str, documents: Iterator[dict[str, Any]]) -> float:
    """Through the service's own import use case, as `claimreview import` does."""
    upgrade(url)
    db = make_database(url)
    started = time.perf_counter()
    try:
        result = Importer(db.unit_of_work, COMMAND_LINE).import_documents(documents)
    finally:
        db.dispose()
    if result.rejected:
        raise SystemExit(f"import rejected {len(result.rejected)}: {result.rejected[:3]}")
    return time.perf_counter() - started


def review_count(url: str) -> int:
    """Reviews, one per record (claims of the same text are one claim)."""
    db = make_database(url)
    try:
        with db.session() as session:
            return int(
                session.connection().execute(text("SELECT count(*) FROM review")).scalar_one()
            )
    except Exception:
        return -1
    finally:
        db.dispose()


# --- server ------------------------------------------------------------------------------------


# --- measures ----------------------------------------------------------------------------------


def average_precision(ranked: Sequence[str], relevant: set[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for i, item in enumerate(ranked[:k]):
        if item in relevant:
            hits += 1
            total += hits / (i + 1)
    return total / min(len(relevant), k)


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int = 5) -> float:
    return next((1 / (i + 1) for i, item in enumerate(ranked[:k]) if item in relevant), 0.0)


def measures(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    ids = list(qrels)
    return {
        "MAP@5": statistics.mean(average_precision(rankings[i], qrels[i]) for i in ids),
        "MRR": statistics.mean(reciprocal_rank(rankings[i], qrels[i]) for i in ids),
        "P@1": statistics.mean(
            1.0 if rankings[i][:1] and rankings[i][0] in qrels[i] else 0.0 for i in ids
        ),
    }


def vclaim_of(result: dict[str, Any]) -> str:
    url: str = result["reviews"][0]["url"]
    return url.rstrip("/").rsplit("/clef-", 1)[-1]


def via_search(client: httpx.Client, tweets: dict[str, str]) -> dict[str, list[str]]:
    ranked = {}
    for tweet_id, tweet in tweets.items():
        response = client.get("/v1/search", params={"q": tweet, "page_size": 5})
        response.raise_for_status()
        ranked[tweet_id] = [vclaim_of(r) for r in response.json()["results"]]
    return ranked


def via_match(client: httpx.Client, texts: dict[str, str]) -> dict[str, list[tuple[str, float]]]:
    ids = list(texts)
    found: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        response = client.post("/v1/match", json={"texts": [texts[i] for i in chunk]})
        response.raise_for_status()
        for tweet_id, matches in zip(chunk, response.json()["matches"], strict=True):
            found[tweet_id] = [(vclaim_of(m), m["score"]) for m in matches]
    return found


def threshold_figures(
    found: dict[str, list[tuple[str, float]]], qrels: dict[str, set[str]], threshold: float
) -> dict[str, float]:
    kept = {i: [c for c, s in found[i] if s >= threshold] for i in qrels}
    returned = sum(len(v) for v in kept.values())
    right = sum(sum(c in qrels[i] for c in v) for i, v in kept.items())
    firsts = [i for i, v in kept.items() if v]
    return {
        "recall": sum(any(c in qrels[i] for c in v) for i, v in kept.items()) / len(qrels),
        "precision (first match)": (
            sum(kept[i][0] in qrels[i] for i in firsts) / len(firsts) if firsts else 0.0
        ),
        "precision (all matches)": right / returned if returned else 0.0,
    }


def quality(data: Path, claims: Sequence[tuple[str, str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/clef.db"
        seconds = import_corpus(url, corpus(claims, len(claims)))
        print(f"imported {len(claims):,} claims through the Importer in {seconds:.1f} s")
        threshold = float(os.environ.get("CLAIMREVIEW_MATCH_THRESHOLD", "0.5"))
        env = service_env(url, CLAIMREVIEW_MATCH_THRESHOLD=str(threshold))
        # The same ranking with no threshold: every candidate's score, for the sweep.
        with (
            serve("app.main:app", env) as server,
            serve("app.main:app", env | {"CLAIMREVIEW_MATCH_THRESHOLD": "0"}) as unfiltered,
            httpx.Client(base_url=server.base, timeout=60) as client,
            httpx.Client(base_url=unfiltered.base, timeout=60) as open_client,
        ):
            sentences = {str(i): s for i, s in enumerate(everyday())}
            silent = sum(not v for v in via_match(client, sentences).values())
            everyday_best = [
                max((s for _, s in v), default=0.0)
                for v in via_match(open_client, sentences).values()
            ]
            for split in ("train", "dev"):
                tweets, qrels = load_split(data, split)
                ranked = via_search(client, tweets)
                found = via_match(client, tweets)
                every = via_match(open_client, tweets)
                print(f"\n{split} ({len(qrels)} tweets)")
                for name, rankings in (
                    ("/v1/search", ranked),
                    ("/v1/match", {i: [c for c, _ in v] for i, v in found.items()}),
                    ("(no threshold)", {i: [c for c, _ in v] for i, v in every.items()}),
                ):
                    figures = measures(rankings, qrels)
                    print(f"  {name:<15}" + "  ".join(f"{k} {v:.3f}" for k, v in figures.items()))
                figures = threshold_figures(found, qrels, threshold)
                print(
                    f"  threshold {threshold}: "
                    + "  ".join(f"{k} {v:.3f}" for k, v in figures.items())
                )
                print(
                    "  sweep: threshold, recall, precision (first match), precision (all), "
                    "everyday sentences without a match"
                )
                for t in (0.40, 0.45, 0.48, 0.50, 0.52, 0.55, 0.60):
                    f = threshold_figures(every, qrels, t)
                    none = sum(s < t for s in everyday_best) / len(everyday_best)
                    print(
                        f"    {t:.2f}  {f['recall']:.3f}  {f['precision (first match)']:.3f}"
                        f"  {f['precision (all matches)']:.3f}  {none:.2f}"
                    )
            print(
                f"\neveryday sentences without a match: {silent}/{len(sentences)} "
                f"({silent / len(sentences):.0%}; target {TARGET_NO_MATCH:.0%})"
            )


# --- speed -------------------------------------------------------------------------------------


def speed(
    engine: str,
    url: str,
    data: Path,
    claims: Sequence[tuple[str, str, str]],
    size: int,
    requests: int,
) -> None:
    if engine == "postgresql":
        create_missing(url)
    if review_count(url) != size:
        if engine == "postgresql":
            db = make_database(url)
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            db.dispose()
        print(f"{engine}: importing {size:,} claims through the Importer...", flush=True)
        seconds = import_corpus(url, corpus(claims, size))
        print(f"{engine}: imported in {seconds:.0f} s ({size / seconds:,.0f} claims/s)")
    tweets = [t for split in ("train", "dev") for t in load_split(data, split)[0].values()]
    rng = random.Random(20)
    with (
        serve("app.main:app", service_env(url)) as server,
        httpx.Client(base_url=server.base, timeout=60) as client,
    ):
        # Each instance loads its copy of the search index at start (seconds for 100,000
        # claims, the database answering meanwhile): measured once it holds them.
        _wait_for_memory_index(client, size)
        timings = []
        for n in range(requests + 10):
            body = {"texts": rng.sample(tweets, BATCH)}
            started = time.perf_counter()
            response = client.post("/v1/match", json=body)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if n >= 10:  # warm-up
                timings.append(elapsed)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"{engine}: POST /v1/match, {BATCH} tweets, {size:,} claims, {requests} requests: "
        f"p50 {statistics.median(timings):.1f} ms  p95 {p95:.1f} ms  max {timings[-1]:.1f} ms "
        f"(target p95 < {TARGET_P95_MS:.0f} ms: {'met' if p95 < TARGET_P95_MS else 'missed'})"
    )


def _wait_for_memory_index(client: httpx.Client, size: int) -> None:
    started = time.monotonic()
    while time.monotonic() - started < 120:
        for line in client.get("/metrics").text.splitlines():
            if (
                line.startswith("claimreview_search_memory_claims ")
                and float(line.split()[1]) >= 0.99 * size
            ):
                print(f"search index in memory after {time.monotonic() - started:.0f} s")
                return
        time.sleep(0.5)
    print("the search index was not held in memory after 120 s: measured on the database")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    if not (args.data / "verified_claims.docs.tsv").is_file():
        raise SystemExit(
            f"CLEF 2020 CheckThat! Task 2 data not found in {args.data}: it comes with the "
            "project's shared data (../shared/data); give its folder with --data"
        )
    claims = load_claims(args.data)
    if not args.skip_quality:
        quality(args.data, claims)
    if not args.skip_speed:
        RESULTS.mkdir(exist_ok=True)
        if args.engine in ("sqlite", "both"):
            path = RESULTS / f"match-{args.claims}.db"
            speed("sqlite", f"sqlite:///{path}", args.data, claims, args.claims, args.requests)
        if args.engine in ("postgresql", "both"):
            speed("postgresql", args.pg_url, args.data, claims, args.claims, args.requests)


if __name__ == "__main__":
    main()
