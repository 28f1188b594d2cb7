"""`make bench-lookup`: GET /v1/lookup?url= (one URL) and POST /v1/lookup (100 URLs) over HTTP.

    python -m bench.lookup [--engine sqlite|postgresql|both] [--reviews 100000] [--urls 50000]
                           [--hit-share 0.1] [--seconds 15] [--connections 16] [--requests 1000]
                           [--pin] [--no-cache]

Addresses are written in other forms than stored (tracking parameters, m./www., twitter.com for
x.com, youtu.be...); a tenth are hits by default. First a check that every batch finds exactly
its hits, then latency one request at a time and throughput with wrk, rotating through them.
"""

import json
from typing import Any

from bench import data, harness

BATCH = 100


def main() -> None:
    parser = harness.arguments(__doc__, engine="sqlite")
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--urls", type=int, default=data.LOOKUP_URLS)
    parser.add_argument("--hit-share", type=float, default=0.1)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--requests", type=int, default=1_000, help="sequential requests")
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for engine in harness.engines(args):
        corpus = data.corpus(engine, args.reviews, args.seed, args.pg_url)
        urls = data.lookup_urls(corpus, args.urls, args.hit_share)
        batches = [urls[i : i + BATCH] for i in range(0, len(urls) - BATCH + 1, BATCH)]
        cases: dict[str, list[harness.Request]] = {
            "GET 1 URL": [harness.get(harness.lookup_path(url)) for url, _ in urls],
            f"POST {BATCH} URLs": [
                ("POST", "/v1/lookup", json.dumps({"urls": [url for url, _ in batch]}))
                for batch in batches
            ],
        }
        env = harness.service_env(corpus.database_url, cache=not args.no_cache)
        with harness.serve("app.main:app", env, pin=args.pin) as server:
            _check(server.base, batches, cases[f"POST {BATCH} URLs"])
            for case, requests in cases.items():
                file = harness.write_requests(f"lookup-{engine}-{len(rows)}", requests)
                latency = harness.sequential(server.base, requests, args.requests)
                load = harness.throughput(
                    server.base,
                    file,
                    connections=args.connections,
                    seconds=args.seconds,
                    warmup=args.warmup,
                    pin=args.pin,
                )
                row = {"engine": engine, "case": case} | harness.wrk_row(load)
                rows.append(row | {f"seq {k}": v for k, v in latency.items()})
    harness.report("lookup", rows, harness.settings(args))


def _check(
    base: str, batches: list[list[tuple[str, bool]]], requests: list[harness.Request]
) -> None:
    """Every hit, and only the hits, found (so that the figures are of lookups that work)."""
    for batch, request in zip(batches[:20], requests, strict=False):
        status, body = harness.fetch(base, request)
        matches = json.loads(body)["matches"] if status == 200 else {}
        found = {url for url, reviews in matches.items() if reviews}
        if status != 200 or found != {url for url, hit in batch if hit}:
            raise SystemExit(f"lookup answered {status}, not the expected matches: {body[:300]!r}")


if __name__ == "__main__":
    main()
