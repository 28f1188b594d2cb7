"""`make bench-hot`: the hot reads against FastAPI's floor, side by side in one run (issue 13,
item 2).

    python -m bench.hot [--engine sqlite|postgresql|both] [--reviews 5000] [--seconds 10]
                        [--connections 32] [--pin] [--no-cache]

Targets, each driven by wrk after a warm-up, with the same connections and duration:
* bare: bench/apps.py `bare`, fixed bytes (one of the service's documents);
* floor (PostgreSQL): bench/apps.py `floor`, one primary-key query through psycopg's async pool;
* the service on each engine: GET /v1/reviews/{id}/claimreview (rotating ids), GET /v1/lookup?url=
  with one URL (rotating through 10,000, a tenth hits), GET /v1/search with 3 words of a stored
  claim (rotating through 2,000 queries).
Ratios as the issue defines its targets: on SQLite of the bare app; on PostgreSQL of the floor
for the ClaimReview GET and the lookup, of the bare app for search.
"""

import random
from typing import Any

from bench import data, harness
from bench.search import search_path

# (engine, case): (what it is compared with, the least ratio)
TARGETS = {
    ("sqlite", "claimreview"): ("bare", 0.8),
    ("sqlite", "lookup"): ("bare", 0.5),
    ("sqlite", "search"): ("bare", 0.2),
    ("postgresql", "floor"): ("bare", None),
    ("postgresql", "claimreview"): ("floor", 0.8),
    ("postgresql", "lookup"): ("floor", 0.5),
    ("postgresql", "search"): ("bare", 0.1),
}


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--reviews", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()

    def measure(base: str, name: str, requests: list[harness.Request]) -> harness.WrkResult:
        file = harness.write_requests(f"hot-{name}", requests)
        return harness.throughput(
            base,
            file,
            connections=args.connections,
            seconds=args.seconds,
            warmup=args.warmup,
            pin=args.pin,
        )

    results: dict[tuple[str, str], harness.WrkResult] = {}
    body = b""
    for engine in harness.engines(args):
        corpus = data.corpus(engine, args.reviews, args.seed, args.pg_url)
        ids = random.Random(args.seed).sample(corpus.review_ids, len(corpus.review_ids))
        cases = {
            "claimreview": [harness.get(f"/v1/reviews/{i}/claimreview") for i in ids],
            "lookup": [
                harness.get(harness.lookup_path(u)) for u, _ in data.lookup_urls(corpus, 10_000)
            ],
            "search": [
                harness.get(search_path(q)) for q in data.queries(corpus, 2_000, 3, "claim")
            ],
        }
        if engine == "postgresql":
            app, floor_env = harness.floor_app(corpus.database_url)
            with harness.serve(app, floor_env, pin=args.pin) as server:
                floor = [harness.get(f"/floor/{i}") for i in ids]
                results[engine, "floor"] = measure(server.base, "floor", floor)
        env = harness.service_env(corpus.database_url, cache=not args.no_cache)
        with harness.serve("app.main:app", env, pin=args.pin) as server:
            body = body or harness.fetch(server.base, cases["claimreview"][0])[1]
            for case, requests in cases.items():
                results[engine, case] = measure(server.base, f"{engine}-{case}", requests)
    with harness.serve(*harness.bare_app(body), pin=args.pin) as server:
        results["-", "bare"] = measure(server.base, "bare", [harness.get("/fixed")])

    rows: list[dict[str, Any]] = []
    for (engine, case), result in results.items():
        versus, least = TARGETS.get((engine, case), (None, None))
        reference = results.get(("-", "bare") if versus == "bare" else (engine, "floor"))
        ratio = result.served / reference.served if versus and reference else None
        verdict = "" if least is None or ratio is None else ("met" if ratio >= least else "MISSED")
        rows.append(
            {"engine": engine, "target": case}
            | harness.wrk_row(result)
            | {"ratio": ratio, "of": versus or "", "least": least, "": verdict}
        )
    harness.report("hot", rows, harness.settings(args))


if __name__ == "__main__":
    main()
