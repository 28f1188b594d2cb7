"""`make bench-load`: a crowd never takes the service down (issue 13, item 1).

    python -m bench.load [--engine sqlite|postgresql|both] [--reviews 5000] [--seconds 10]
                         [--warmup 2] [--lookup-crowd 256] [--search-crowd 128] [--pin]
                         [--no-cache]

On each engine: GET /v1/lookup?url= (one URL, rotating through 50,000 addresses, a tenth hits)
and GET /v1/search (3 words of a stored claim, rotating) with wrk, first at 16 connections, then
with the crowd. While each runs and for 2 s after, GET /healthz every 0.2 s on new connections.
Printed: requests served (2xx) per second, crowd/16, 5xx other than 503 (must be 0), 503s
(deliberate back-pressure), socket errors and time-outs, the worst /healthz latency during and
after the run, and whether the issue's targets are met (ratio >= 0.6, no other 5xx, /healthz
within 1 s).
"""

from typing import Any

from bench import data, harness
from bench.search import search_path

BASE_CONNECTIONS = 16


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--reviews", type=int, default=5_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--lookup-crowd", type=int, default=256)
    parser.add_argument("--search-crowd", type=int, default=128)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for engine in harness.engines(args):
        corpus = data.corpus(engine, args.reviews, args.seed, args.pg_url)
        urls = [
            harness.get(harness.lookup_path(u))
            for u, _ in data.lookup_urls(corpus, data.LOOKUP_URLS)
        ]
        queries = [
            harness.get(search_path(q))
            for q in data.queries(corpus, data.SEARCH_QUERIES, 3, "claim")
        ]
        cases = (("lookup", urls, args.lookup_crowd), ("search", queries, args.search_crowd))
        env = harness.service_env(corpus.database_url, cache=not args.no_cache)
        for case, requests, crowd in cases:
            file = harness.write_requests(f"load-{engine}-{case}", requests)
            # A server per case, so that one case's collapse does not count against the next.
            with harness.serve("app.main:app", env, pin=args.pin) as server:
                # Warm pools and threads first; the crowd then arrives on a warm server at once.
                harness.wrk(server.base, file, connections=BASE_CONNECTIONS, seconds=args.warmup)
                base = None
                for connections in (BASE_CONNECTIONS, crowd):
                    probe = harness.HealthProbe(server.base)
                    with probe.during():
                        result = harness.wrk(
                            server.base,
                            file,
                            connections=connections,
                            seconds=args.seconds,
                            pin=args.pin,
                        )
                    base = base or result.served
                    rows.append(_row(engine, case, connections, result, base, probe))
    harness.report("load", rows, harness.settings(args))


def _row(
    engine: str,
    case: str,
    connections: int,
    result: harness.WrkResult,
    base: float,
    probe: harness.HealthProbe,
) -> dict[str, Any]:
    ratio = result.served / base if base else 0.0
    during, after = probe.worst(after=False), probe.worst(after=True)
    met = result.s5xx == 0 and ratio >= 0.6 and max(during, after) < 1000
    return {
        "engine": engine,
        "case": case,
        "conns": connections,
        "served/s": result.served,
        "ratio": ratio,
        "5xx": result.s5xx,
        "503": result.s503,
        "429": result.s429,
        "sock err": result.socket_errors,
        "p99 ms": result.p99_ms,
        "healthz max ms": _shown(during, probe),
        "after ms": _shown(after, probe),
        "target": "met" if met else "MISSED",
    }


def _shown(ms: float, probe: harness.HealthProbe) -> float | str:
    return "no answer" if ms >= probe.timeout * 1000 else ms


if __name__ == "__main__":
    main()
