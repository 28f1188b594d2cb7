"""`make bench-hot`: the hot reads against FastAPI's floor, side by side in one run (issue 13,
item 2).

    python -m bench.hot [--engine sqlite|postgresql|both] [--reviews 5000] [--seconds 10]
                        [--connections 32] [--rounds 3] [--pin] [--no-cache]

All servers run at once; each round drives every target in turn with wrk (after a warm-up,
with the same connections and duration), and the median round of each is reported:
* bare: bench/apps.py `bare`, fixed bytes (one of the service's documents);
* floor (PostgreSQL): bench/apps.py `floor`, one primary-key query through psycopg's async pool;
* the service on each engine: GET /v1/reviews/{id}/claimreview (rotating ids), GET /v1/lookup?url=
  with one URL (rotating through 50,000, a tenth hits), GET /v1/search with 3 words of a stored
  claim (every distinct one, 64,000 over 5,000 claims; the share the read cache answered is
  reported as cached%).
Ratios as the issue defines its targets: on SQLite of the bare app; on PostgreSQL of the floor
for the ClaimReview GET and the lookup, of the bare app for search.
"""

import random
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import data, harness
from bench.search import search_path

CACHE_HITS = "claimreview_read_cache_hits_total"

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
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    targets: dict[tuple[str, str], tuple[str, Path]] = {}  # what: (server, its requests)
    with ExitStack() as servers:

        def start(app: str, env: dict[str, str]) -> str:
            return servers.enter_context(harness.serve(app, env, pin=args.pin)).base

        def target(key: tuple[str, str], base: str, requests: list[harness.Request]) -> None:
            targets[key] = (base, harness.write_requests("hot-" + "-".join(key), requests))

        body = b""
        for engine in harness.engines(args):
            corpus = data.corpus(engine, args.reviews, args.seed, args.pg_url)
            ids = random.Random(args.seed).sample(corpus.review_ids, len(corpus.review_ids))
            if engine == "postgresql":
                floor = start(*harness.floor_app(corpus.database_url))
                target((engine, "floor"), floor, [harness.get(f"/floor/{i}") for i in ids])
            env = harness.service_env(corpus.database_url, cache=not args.no_cache)
            base = start("app.main:app", env)
            reads = [harness.get(f"/v1/reviews/{i}/claimreview") for i in ids]
            body = body or harness.fetch(base, reads[0])[1]
            target((engine, "claimreview"), base, reads)
            urls = data.lookup_urls(corpus, data.LOOKUP_URLS)
            target((engine, "lookup"), base, [harness.get(harness.lookup_path(u)) for u, _ in urls])
            # Distinct queries (64,000 of the 200,000 drawn over 5,000 claims), so that a run
            # seldom asks one the read cache may have kept; the share it answered is reported
            # ("cached%": hits during a round's warm-up and run, over the run's requests).
            queries = list(dict.fromkeys(data.queries(corpus, 200_000, 3, "claim")))
            target((engine, "search"), base, [harness.get(search_path(q)) for q in queries])
        target(("-", "bare"), start(*harness.bare_app(body)), [harness.get("/fixed")])

        # All servers stay up and every round drives each in turn, so that what else runs on
        # the machine weighs on all targets alike; the median round of each is reported.
        runs: dict[tuple[str, str], list[harness.WrkResult]] = {key: [] for key in targets}
        cached: dict[tuple[str, str], list[float]] = {key: [] for key in targets}
        for _ in range(args.rounds):
            for key, (base, file) in targets.items():
                hits = harness.metric(base, CACHE_HITS) if key[1] == "search" else 0.0
                run = harness.throughput(
                    base,
                    file,
                    connections=args.connections,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    pin=args.pin,
                )
                runs[key].append(run)
                if key[1] == "search":  # the measured run's and its warm-up's answers
                    share = (harness.metric(base, CACHE_HITS) - hits) / max(1, run.requests)
                    cached[key].append(share)
    results = {key: sorted(r, key=lambda x: x.served)[len(r) // 2] for key, r in runs.items()}

    rows: list[dict[str, Any]] = []
    for engine, case in sorted(results, key=lambda key: key[0] != "-"):  # the bare app first
        result = results[engine, case]
        versus, least = TARGETS.get((engine, case), (None, None))
        reference = results.get(("-", "bare") if versus == "bare" else (engine, "floor"))
        ratio = result.served / reference.served if versus and reference else None
        verdict = "" if least is None or ratio is None else ("met" if ratio >= least else "MISSED")
        rows.append(
            {"engine": engine, "target": case}
            | harness.wrk_row(result)
            | {"ratio": ratio, "of": versus or "", "least": least, "": verdict}
            | ({"cached%": 100 * max(cached[engine, case])} if cached.get((engine, case)) else {})
        )
    harness.report("hot", rows, harness.settings(args))


if __name__ == "__main__":
    main()
