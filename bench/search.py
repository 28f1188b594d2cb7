"""Search benchmark: latency and throughput of GET /v1/search against the engine's own time.

    python -m bench.search [--claims 1000000] [--pg-claims 200000] [--engine sqlite|postgresql|both]
                           [--requests-per-case 200] [--rebuild] ...

For each engine: a synthetic multilingual corpus (`bench.search_corpus`) is loaded (SQLite: cached
in bench/results/ by size, seed and a fingerprint of the corpus and analysis code; PostgreSQL: a
schema of its own), a sample of the stored index is checked against what the service's
`build_document` makes, the service is started as `uvicorn app.main:app --workers 1` on
127.0.0.1, and each query case is measured three ways:

* HTTP ("service"): sequential requests from one keep-alive client, the round trip timed;
* in-process ("engine"): the same query through the same calls `app.domain.search.search` makes
  (`analyze_query`, `index.stats`, `index.search`, `_load`), each phase timed; "engine" is the
  `index.search` SQL alone;
* throughput: the case's queries from `--concurrency` client threads for `--throughput-seconds`.

Cases: 1, 2 and 3 words x rare (ranks 5,000-20,000), middling (200-2,000) and common (5-50)
words x no filter / language / verdict=false / publisher. Each query takes its words from one
language, drawn by the corpus's language shares; only the `language` cases send the language
parameter (the others search across languages, so each word also matches its stems in every
stemmer's language).
"""

import argparse
import http.client
import json
import math
import os
import random
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from app.storage.migrate import upgrade
from bench import search_corpus as corpus
from bench import server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FILTERS = ("none", "language", "verdict", "publisher")
BANDS = ("rare", "middling", "common")
TARGET_P95_MS = 50.0
TARGET_RATIO = 1.5
TARGET_RSS_MB = 300.0


# --- cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    q: str
    language: str | None = None
    verdict: str | None = None
    publisher: str | None = None

    def params(self) -> dict[str, str]:
        out = {"q": self.q}
        if self.language:
            out["language"] = self.language
        if self.verdict:
            out["verdict"] = self.verdict
        if self.publisher:
            out["publisher"] = self.publisher
        return out


@dataclass(frozen=True)
class Case:
    words: int
    band: str
    filter: str
    queries: tuple[Query, ...]

    @property
    def name(self) -> str:
        return f"{self.words}w {self.band:<8} {self.filter}"


def make_cases(seed: int, per_case: int) -> list[Case]:
    vocabulary = corpus.vocabulary(seed)
    codes = [language.code for language in corpus.LANGUAGES]
    shares = [language.share for language in corpus.LANGUAGES]
    cases = []
    for words in (1, 2, 3):
        for band in BANDS:
            for kind in FILTERS:
                rng = random.Random(f"{seed}:{words}:{band}:{kind}")
                queries = []
                for _ in range(per_case):
                    code = rng.choices(codes, weights=shares)[0]
                    q = " ".join(rng.sample(vocabulary[code].band(band), words))
                    if kind == "language":
                        queries.append(Query(q, language=code))
                    elif kind == "verdict":
                        queries.append(Query(q, verdict="false"))
                    elif kind == "publisher":
                        queries.append(
                            Query(q, publisher=rng.choice(corpus.publishers_for(code)).id)
                        )
                    else:
                        queries.append(Query(q))
                cases.append(Case(words, band, kind, tuple(queries)))
    return cases


# --- the server ----------------------------------------------------------------------------------


def start_server(database_url: str) -> server.Server:
    return server.Server(
        {
            **os.environ,
            "CLAIMREVIEW_DATABASE_URL": database_url,
            "CLAIMREVIEW_TOKEN_SECRET": "bench-search",
            "CLAIMREVIEW_LOG_LEVEL": "warning",
        }
    )


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Measured:
    case: str
    words: int
    band: str
    filter: str
    http_ms: list[float] = field(default_factory=list)
    engine_ms: list[float] = field(default_factory=list)  # index.search
    phases_ms: dict[str, list[float]] = field(default_factory=dict)
    nonempty: int = 0
    results: int = 0
    rps: float = 0.0
    load_average: float = 0.0  # of the machine (2 cores here), after the case


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = math.floor(k), math.ceil(k)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


class Engine:
    """The service's search, in this process, phase by phase (as app.domain.search.search)."""

    def __init__(self, url: str, page_size: int) -> None:
        from app.storage.database import make_database

        self.db = make_database(url)
        self.page_size = page_size

    def run(self, query: Query) -> dict[str, float]:
        from app.domain.search import _load, known_terms, matching_publishers
        from app.search.analysis import analyze_query
        from app.search.documents import primary_language
        from app.storage.search import Filters, index_for

        clock = time.perf_counter
        t0 = clock()
        with self.db.session() as session:
            language = primary_language(query.language) if query.language else None
            terms = analyze_query(query.q, language)
            t1 = clock()
            index = index_for(session.get_bind().dialect.name)
            stats = index.stats(session, (a for t in terms for a in t.alternatives))
            terms = known_terms(terms, stats)
            t2 = clock()
            filters = Filters(
                language=language,
                publisher_ids=(
                    matching_publishers(session, query.publisher) if query.publisher else None
                ),
                verdict=query.verdict,
            )
            t3 = clock()
            hits = (
                index.search(session, terms, filters, stats, None, self.page_size + 1, 0)
                if terms
                else []
            )
            t4 = clock()
            loaded = _load(session, hits[: self.page_size])
            t5 = clock()
        t6 = clock()
        assert len(loaded) == min(len(hits), self.page_size)
        ms = 1000.0
        return {
            "analyze": (t1 - t0) * ms,
            "stats": (t2 - t1) * ms,
            "filters": (t3 - t2) * ms,
            "search": (t4 - t3) * ms,
            "load": (t5 - t4) * ms,
            "domain": (t6 - t0) * ms,
        }

    def close(self) -> None:
        self.db.dispose()


class Client:
    """One keep-alive HTTP/1.1 connection through the standard library's http.client: a few
    tens of microseconds per request on this side, where httpx took about a millisecond of
    CPU — on a 2-core machine shared with the server, that was time charged to the service."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)

    def get(self, params: dict[str, str]) -> tuple[int, bytes]:
        self.connection.request("GET", "/v1/search?" + urlencode(params))
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def _http(client: Client, query: Query, page_size: int) -> tuple[float, int]:
    params = {**query.params(), "page_size": str(page_size)}
    started = time.perf_counter()
    status, body = client.get(params)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"{params}: {status} {body[:300]!r}")
    return elapsed, len(json.loads(body)["results"])


def throughput(base: str, queries: Sequence[Query], seconds: float, threads: int) -> float:
    """Requests per second from `threads` keep-alive clients, each cycling through the queries."""
    if seconds <= 0:
        return math.nan
    deadline = time.perf_counter() + seconds
    counts = [0] * threads
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            connection = Client(base)
            k = i
            while time.perf_counter() < deadline:
                status, body = connection.get(queries[k % len(queries)].params())
                if status != 200:
                    raise RuntimeError(f"{status} {body[:300]!r}")
                counts[i] += 1
                k += threads
            connection.close()
        except BaseException as error:  # reported below
            errors.append(error)

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise RuntimeError(f"throughput: {errors[0]!r}")
    return sum(counts) / (time.perf_counter() - started)


def measure(
    server: server.Server,
    engine: Engine,
    cases: Sequence[Case],
    *,
    page_size: int,
    case_seconds: float,
    min_requests: int,
    throughput_seconds: float,
    concurrency: int,
    log: Callable[[str], None],
) -> list[Measured]:
    out = []
    client = Client(server.base)
    try:
        warm = random.Random(1)
        for _ in range(60):  # connections, caches, the analysis profiles
            query = warm.choice(warm.choice(cases).queries)
            _http(client, query, page_size)
            engine.run(query)
        for case in cases:
            m = Measured(case.name, case.words, case.band, case.filter)
            started = time.perf_counter()
            for i, query in enumerate(case.queries):
                # Alternately first, so neither side always finds the caches warmed by the other.
                if i % 2:
                    phases = engine.run(query)
                    elapsed, found = _http(client, query, page_size)
                else:
                    elapsed, found = _http(client, query, page_size)
                    phases = engine.run(query)
                m.http_ms.append(elapsed)
                m.engine_ms.append(phases["search"])
                for key, value in phases.items():
                    m.phases_ms.setdefault(key, []).append(value)
                m.nonempty += found > 0
                m.results += found
                if i + 1 >= min_requests and time.perf_counter() - started > case_seconds:
                    break
            m.rps = throughput(server.base, case.queries, throughput_seconds, concurrency)
            m.load_average = os.getloadavg()[0]
            log(
                f"  {case.name:<24} n={len(m.http_ms):>4}  http p50 "
                f"{percentile(m.http_ms, 50):8.2f} ms  engine p50 "
                f"{percentile(m.engine_ms, 50):8.2f} ms  {m.rps:7.1f} req/s  "
                f"load average {m.load_average:.1f}"
            )
            out.append(m)
    finally:
        client.close()
    return out


# --- report --------------------------------------------------------------------------------------


def table(measured: Sequence[Measured]) -> str:
    head = (
        f"{'case':<24} {'n':>4} {'hit%':>5} | {'http p50':>8} {'p95':>8} {'p99':>8} | "
        f"{'engine p50':>10} {'p95':>8} {'p99':>8} | {'ratio':>5} | {'req/s':>7}"
    )
    lines = [head, "-" * len(head)]
    for m in measured:
        ratio = percentile(m.http_ms, 50) / max(percentile(m.engine_ms, 50), 1e-9)
        lines.append(
            f"{m.case:<24} {len(m.http_ms):>4} {100 * m.nonempty / len(m.http_ms):>5.0f} | "
            f"{percentile(m.http_ms, 50):>8.2f} {percentile(m.http_ms, 95):>8.2f} "
            f"{percentile(m.http_ms, 99):>8.2f} | {percentile(m.engine_ms, 50):>10.2f} "
            f"{percentile(m.engine_ms, 95):>8.2f} {percentile(m.engine_ms, 99):>8.2f} | "
            f"{ratio:>5.2f} | {m.rps:>7.1f}"
        )
    return "\n".join(lines)


def phase_table(measured: Sequence[Measured]) -> str:
    keys = ("analyze", "stats", "filters", "search", "load", "domain")
    head = f"{'case (p50 ms)':<24} " + " ".join(f"{k:>8}" for k in keys) + f" {'http':>8}"
    lines = [head, "-" * len(head)]
    for m in measured:
        cells = " ".join(f"{percentile(m.phases_ms[k], 50):>8.2f}" for k in keys)
        lines.append(f"{m.case:<24} {cells} {percentile(m.http_ms, 50):>8.2f}")
    return "\n".join(lines)


def summary(measured: Sequence[Measured], memory: dict[str, float]) -> tuple[str, dict[str, Any]]:
    two = [x for m in measured if m.words == 2 for x in m.http_ms]
    two_p95 = percentile(two, 95)
    all_http = sum(x for m in measured for x in m.http_ms)
    all_engine = sum(x for m in measured for x in m.engine_ms)
    ratios = [percentile(m.http_ms, 50) / max(percentile(m.engine_ms, 50), 1e-9) for m in measured]
    added = [percentile(m.http_ms, 50) - percentile(m.engine_ms, 50) for m in measured]
    worst_two = max((m for m in measured if m.words == 2), key=lambda m: percentile(m.http_ms, 95))
    peak = memory.get("VmHWM", math.nan)
    figures = {
        "two_word_p95_ms": two_p95,
        "two_word_worst_case": worst_two.case,
        "two_word_worst_case_p95_ms": percentile(worst_two.http_ms, 95),
        "ratio_aggregate": all_http / all_engine,
        "ratio_median_of_cases": statistics.median(ratios),
        "ratio_max": max(ratios),
        "added_p50_ms_median": statistics.median(added),
        "peak_rss_mb": peak,
    }

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    lines = [
        f"2-word queries, p95 over all {len(two)} requests: {two_p95:.1f} ms "
        f"(target <= {TARGET_P95_MS:.0f} ms) {verdict(two_p95 <= TARGET_P95_MS)}; worst case "
        f"{worst_two.case.strip()} p95 {percentile(worst_two.http_ms, 95):.1f} ms",
        f"service/engine: total HTTP time / total index.search time = "
        f"{figures['ratio_aggregate']:.2f} (target <= {TARGET_RATIO}) "
        f"{verdict(figures['ratio_aggregate'] <= TARGET_RATIO)}; per case p50 ratio median "
        f"{figures['ratio_median_of_cases']:.2f}, max {figures['ratio_max']:.2f}; "
        f"HTTP adds a median {figures['added_p50_ms_median']:.1f} ms at p50",
        f"server peak RSS (VmHWM): {peak:.0f} MB (target < {TARGET_RSS_MB:.0f} MB) "
        f"{verdict(peak < TARGET_RSS_MB)}; RSS at the end {memory.get('VmRSS', math.nan):.0f} MB",
    ]
    return "\n".join(lines), figures


# --- checks --------------------------------------------------------------------------------------


def verify_index(url: str, claims: int, samples: int = 200, seed: int = 5) -> int:
    """The stored index rows of a sample of claims are what the service's own indexing
    (`app.domain.indexing.claim_document`, which refresh_claims indexes, from the stored claim
    and its published reviews) makes of them."""
    from sqlalchemy import text

    from app.domain.indexing import claim_document
    from app.storage import repositories as repo
    from app.storage.database import make_database
    from app.storage.search import index_for, tsvector_literal

    rng = random.Random(seed)
    db = make_database(url)
    try:
        with db.session() as session:
            index = index_for(db.engine.dialect.name)
            connection = session.connection()
            postgres = db.engine.dialect.name == "postgresql"
            for claim_id in sorted(rng.sample(range(1, claims + 1), min(samples, claims))):
                claim = repo.get_claim(session, claim_id)
                assert claim is not None
                reviews = repo.live_reviews_of_claim(session, claim_id, published_only=True)
                doc = claim_document(claim_id, claim, reviews)  # as refresh_claims indexes it
                tsv = (
                    ", CAST(tsv AS TEXT) = CAST(CAST(:tsv AS tsvector) AS TEXT)" if postgres else ""
                )
                row = connection.execute(
                    text(
                        "SELECT language, length, sort_date, terms, claimant_terms"
                        f"{tsv} FROM search_doc WHERE claim_id = :id"
                    ),
                    {"id": claim_id, "tsv": tsvector_literal(doc)},
                ).one()
                want = (
                    doc.language,
                    doc.length,
                    index._when(doc.sort_date),
                    doc.terms,
                    doc.claimant_text,
                )
                got = tuple(row[:5])
                if postgres:
                    assert row[5], f"claim {claim_id}: tsv differs"
                assert got == want, f"claim {claim_id}: {got} != {want}"
                postings = dict(
                    connection.execute(
                        text("SELECT term, weight FROM search_posting WHERE claim_id = :id"),
                        {"id": claim_id},
                    ).all()
                )
                assert postings == doc.weights, f"claim {claim_id}: postings differ"
            docs = connection.execute(text("SELECT docs FROM search_stats WHERE id = 1")).scalar()
            assert docs == claims, (docs, claims)
    finally:
        db.dispose()
    return samples


# --- engines -------------------------------------------------------------------------------------


def prepare_sqlite(claims: int, seed: int, rebuild: bool) -> tuple[str, dict[str, Any]]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"search-{claims}-{seed}-{corpus.fingerprint()}.db"
    info: dict[str, Any] = {"path": str(path)}
    if rebuild or not path.exists():
        path.unlink(missing_ok=True)
        print(f"loading {claims:,} claims into {path.name} ...", flush=True)
        report = corpus.load_sqlite(path, claims, seed)
        info["load"] = asdict(report)
        print_load(report)
    else:
        print(f"reusing {path.name} (--rebuild to load again)", flush=True)
        info["load"] = "cached"
        upgrade(f"sqlite:///{path}")
    # A running service has its database in the page cache: read it once.
    with open(path, "rb") as handle:
        while handle.read(1 << 24):
            pass
    return f"sqlite:///{path}", info


def prepare_postgres(
    base_url: str, schema: str, claims: int, seed: int, rebuild: bool
) -> tuple[str, dict[str, Any]]:
    import psycopg

    url = f"{base_url}?options=-csearch_path%3D{schema}"
    libpq = base_url.replace("postgresql+psycopg://", "postgresql://")
    key = f"bench.search {claims} {seed} {corpus.fingerprint()}"
    with psycopg.connect(libpq, autocommit=True) as connection:
        row = connection.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            (schema,),
        ).fetchone()
    info: dict[str, Any] = {"schema": schema}
    if rebuild or row is None or row[0] != key:
        print(f"loading {claims:,} claims into PostgreSQL schema {schema} ...", flush=True)
        report = corpus.load_postgres(url, libpq, schema, claims, seed)
        with psycopg.connect(libpq, autocommit=True) as connection:
            connection.execute(f"COMMENT ON SCHEMA {schema} IS '{key}'")
        info["load"] = asdict(report)
        print_load(report)
    else:
        print(f"reusing schema {schema} (--rebuild to load again)", flush=True)
        info["load"] = "cached"
        upgrade(url)
    return url, info


def print_load(report: corpus.LoadReport) -> None:
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in report.phases.items())
    print(
        f"loaded {report.claims:,} claims, {report.reviews:,} reviews, {report.postings:,} "
        f"postings, {report.terms:,} terms in {report.seconds:.0f} s "
        f"({report.claims / report.seconds:,.0f} claims/s; {phases}); "
        f"{report.size_bytes / 1e6:,.0f} MB",
        flush=True,
    )


def band_df(url: str, seed: int) -> str:
    """Median document frequency of the band words' tokens, per band (what rare/common mean)."""
    from sqlalchemy import bindparam, text

    from app.search.analysis import analyze
    from app.storage.database import make_database

    vocabulary = corpus.vocabulary(seed)
    db = make_database(url)
    parts = []
    try:
        with db.session() as session:
            for band in BANDS:
                dfs = []
                for language in corpus.LANGUAGES:
                    words = vocabulary[language.code].band(band)
                    for word in random.Random(band).sample(words, min(30, len(words))):
                        tokens = analyze(word, language.tag)
                        value = (
                            session.connection()
                            .execute(
                                text("SELECT min(df) FROM search_term WHERE term IN :t").bindparams(
                                    bindparam("t", expanding=True)
                                ),
                                {"t": tokens},
                            )
                            .scalar()
                        )
                        dfs.append(value or 0)
                parts.append(f"{band} median df {statistics.median(dfs):,.0f}")
    finally:
        db.dispose()
    return "; ".join(parts)


def run_engine(name: str, url: str, claims: int, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    checked = verify_index(url, claims)
    print(f"index check: {checked} claims' stored rows equal build_document's", flush=True)
    print(band_df(url, args.seed), flush=True)
    words = {int(w) for w in args.words.split(",")}
    cases = [c for c in make_cases(args.seed, args.requests_per_case) if c.words in words]
    service = start_server(url)
    engine = Engine(url, args.page_size)
    try:
        print(f"server pid {service.process.pid} on {service.base}", flush=True)
        measured = measure(
            service,
            engine,
            cases,
            page_size=args.page_size,
            case_seconds=args.case_seconds,
            min_requests=args.min_requests,
            throughput_seconds=args.throughput_seconds,
            concurrency=args.concurrency,
            log=lambda line: print(line, flush=True),
        )
        memory = service.memory()
    finally:
        engine.close()
        service.stop()
    title = f"{name}, {claims:,} claims, page_size {args.page_size}"
    text_summary, figures = summary(measured, memory)
    print(f"\n== {title}: HTTP (service) vs index.search (engine), ms ==")
    print(table(measured))
    print(f"\n== {title}: in-process phases of app.domain.search (p50 ms) ==")
    print(phase_table(measured))
    print(f"\n== {title}: against the targets ==")
    print(text_summary, flush=True)
    return {
        "engine": name,
        "claims": claims,
        "seconds": time.perf_counter() - started,
        "summary": figures,
        "memory_mb": memory,
        "cases": [
            {
                "case": m.case,
                "n": len(m.http_ms),
                "nonempty": m.nonempty,
                "http_ms": {p: percentile(m.http_ms, p) for p in (50, 95, 99)},
                "engine_ms": {p: percentile(m.engine_ms, p) for p in (50, 95, 99)},
                "phases_p50_ms": {k: percentile(v, 50) for k, v in m.phases_ms.items()},
                "rps": m.rps,
                "load_average": m.load_average,
            }
            for m in measured
        ],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1_000_000, help="claims on SQLite")
    parser.add_argument("--pg-claims", type=int, default=200_000, help="claims on PostgreSQL")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests-per-case", type=int, default=200)
    parser.add_argument("--min-requests", type=int, default=20, help="per case, before the cap")
    parser.add_argument(
        "--case-seconds", type=float, default=40, help="cap on a case's sequential part"
    )
    parser.add_argument("--throughput-seconds", type=float, default=3.0, help="0: skip")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=10)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--rebuild", action="store_true", help="load again, ignore the cache")
    parser.add_argument(
        "--words", default="1,2,3", help="query lengths to measure, e.g. 2 (default 1,2,3)"
    )
    parser.add_argument(
        "--load-only", action="store_true", help="prepare the corpora, measure nothing"
    )
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--pg-schema", default="bench_search")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness for this process, its loader workers and the server (e.g. -10 as root, "
        "to keep a shared machine's other work from skewing latencies)",
    )
    args = parser.parse_args(argv)
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by every child process
    if "127.0.0.1" not in args.pg_url and "localhost" not in args.pg_url:
        parser.error("--pg-url must be on this machine (127.0.0.1)")
    reports = []
    if args.engine in ("sqlite", "both"):
        url, info = prepare_sqlite(args.claims, args.seed, args.rebuild)
        if not args.load_only:
            reports.append({**run_engine("SQLite", url, args.claims, args), **info})
    if args.engine in ("postgresql", "both"):
        url, info = prepare_postgres(
            args.pg_url, args.pg_schema, args.pg_claims, args.seed, args.rebuild
        )
        if not args.load_only:
            reports.append({**run_engine("PostgreSQL", url, args.pg_claims, args), **info})
    if reports:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"search-{int(time.time())}.json"
        out.write_text(json.dumps(reports, indent=2, default=str), encoding="utf-8")
        print(f"\nfigures saved to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
