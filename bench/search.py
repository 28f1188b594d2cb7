"""`make bench-search`: GET /v1/search latency over HTTP, by query shape.

    python -m bench.search [--engine sqlite|postgresql|both] [--reviews 100000]
                           [--requests 200] [--pin] [--no-cache]

Shapes: 1, 2 and 3 words x `claim` (words in a row from a stored claim: at least one result),
`common` (ranks 10-60 of a language's vocabulary) and `rare` (ranks 1,000-3,000). Each case sends
--requests distinct queries one at a time from one keep-alive client; "hit%" is the share of
queries with at least one result.
"""

import json
from urllib.parse import urlencode

from bench import data, harness

BANDS = ("claim", "common", "rare")


def search_path(q: str) -> str:
    return "/v1/search?" + urlencode({"q": q})


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="queries per case")
    args = parser.parse_args()
    rows = []
    for engine in harness.engines(args):
        corpus = data.corpus(engine, args.reviews, args.seed, args.pg_url)
        env = harness.service_env(corpus.database_url, cache=not args.no_cache)
        with harness.serve("app.main:app", env, pin=args.pin) as server:
            for words in (1, 2, 3):
                for band in BANDS:
                    queries = data.queries(corpus, args.requests, words, band)
                    requests = [harness.get(search_path(q)) for q in queries]
                    latency = harness.sequential(server.base, requests, len(requests))
                    rows.append(
                        {"engine": engine, "case": f"{words}w {band}"}
                        | latency
                        | {"hit%": _hits(server.base, requests[:50])}
                    )
    harness.report("search", rows, harness.settings(args))


def _hits(base: str, requests: list[harness.Request]) -> float:
    found = sum(bool(json.loads(harness.fetch(base, r)[1])["results"]) for r in requests)
    return 100 * found / len(requests)


if __name__ == "__main__":
    main()
