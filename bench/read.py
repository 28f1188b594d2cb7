"""`make bench`: GET /v1/reviews/{id}/claimreview over many ids, under load and one at a time.

    python -m bench.read [--engine sqlite|postgresql|both] [--reviews 100000] [--seconds 15]
                         [--connections 32] [--requests 2000] [--pin] [--no-cache]

Loads the corpus through the service's import (cached), serves it with one uvicorn worker, then
drives the ids in a shuffled rotation with wrk and, one at a time, from one keep-alive client.
"""

import random

from bench import data, harness


def main() -> None:
    parser = harness.arguments(__doc__, engine="sqlite")
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2_000, help="sequential requests")
    args = parser.parse_args()
    rows = []
    for engine in harness.engines(args):
        corpus = data.corpus(engine, args.reviews, args.seed, args.pg_url)
        ids = random.Random(args.seed).sample(corpus.review_ids, len(corpus.review_ids))
        requests = [harness.get(f"/v1/reviews/{i}/claimreview") for i in ids]
        file = harness.write_requests(f"read-{engine}", requests)
        env = harness.service_env(corpus.database_url, cache=not args.no_cache)
        with harness.serve("app.main:app", env, pin=args.pin) as server:
            latency = harness.sequential(server.base, requests, args.requests)
            load = harness.throughput(
                server.base,
                file,
                connections=args.connections,
                seconds=args.seconds,
                warmup=args.warmup,
                pin=args.pin,
            )
        row = {"engine": engine, "reviews": len(ids)} | harness.wrk_row(load)
        rows.append(row | {f"seq {k}": v for k, v in latency.items()})
    harness.report("read", rows, harness.settings(args))


if __name__ == "__main__":
    main()
