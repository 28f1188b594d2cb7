"""`make bench-lookup`: URL lookups over HTTP, 100 URLs per request and one at a time.

    python -m bench.lookup [--reviews 100000] [--appearances 300000] [--duration 15]
                           [--requests 1000] [--bodies 1000] [--hit-ratio 0.1]
                           [--connections 16] [--threads 2] [--keep-db PATH]
                           [--no-pin] [--no-wrk] [--strict]

1. Loads N published reviews into a fresh, migrated SQLite file (bench/dataset.py), then adds
   appearance rows (x.com/twitter.com statuses, Facebook posts and videos, YouTube watch pages,
   TikTok videos, Instagram posts and reels, news articles) until the appearance table holds
   --appearances rows, each with url_key = app.domain.urls.normalize_url(url) as the service
   stores it, written with SQLAlchemy Core executemany.
2. Builds 1,000 request bodies of 100 distinct URLs each: ~10 % hits (a stored appearance or
   fact-check URL written in another form: tracking parameters, m./www./mobile., x.com for
   twitter.com, youtu.be and /shorts/ for watch?v=, AMP, http...), the rest misses of the same
   shapes. Every form is checked to normalise to the stored key (or to no stored key).
3. Serves it with `uvicorn app.main:app --workers 1` (pinned with taskset when it can) and checks
   that exactly the intended URLs match, then measures POST /v1/lookup (100 URLs) and GET
   /v1/lookup?url= (one URL): sequential latency from a keep-alive httpx client, throughput
   with wrk (bench/lookup_batch.lua rotating through the pre-built requests).
4. In-process, for the same 100 URLs: the query alone (repositories.lookup_urls in an open
   session), the same SQL on a bare sqlite3 connection, normalize_url of 100 URLs, and the whole
   use case (app.domain.lookup.lookup in a new session, as a request runs it).
5. Prints the table and whether a 100-URL batch stays under 10 ms at p95.
"""

import argparse
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import string
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, urlsplit

from bench import claimreview_read as read_bench
from bench.claimreview_read import Pinning, Server, WrkResult

if TYPE_CHECKING:
    import httpx

REPO = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "lookup_batch.lua"
RESULTS = REPO / "bench" / "results"
TARGET_P95_MS = 10.0
BATCH = 100
JSON_HEADERS = {"content-type": "application/json"}
T = TypeVar("T")
Send = Callable[["httpx.Client"], "httpx.Response"]

# --- realistic URLs ----------------------------------------------------------------------------

_NAMES = (
    "maria", "joao", "ahmed", "priya", "li_wei", "olga", "jean", "ana", "tom", "fatima",
    "news", "daily", "real", "truth", "patriot", "info", "official", "tv", "live", "media",
)  # fmt: skip
_ALNUM = string.ascii_letters + string.digits
_YT = _ALNUM + "-_"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
NEWS_HOSTS = (
    "www.dailytribune.example.com", "noticias.example.com.br", "www.nachrichten.example.de",
    "www.example-times.co.uk", "lemonde-actu.example.fr", "m.khabar.example.in",
    "www.eldiario.example.mx", "edition.worldnews.example", "www.kompas-berita.example.id",
    "amp.gazeta.example.ru", "www.example-post.com", "news.example.org",
)  # fmt: skip
_SECTIONS = ("politics", "world", "health", "economia", "sociedade", "politik", "india", "tech")
_WORDS = (
    "minister", "vaccine", "election", "flood", "video", "claims", "fake", "water", "price",
    "school", "protest", "covid", "president", "budget", "fire", "police", "report", "new",
)  # fmt: skip
OTHER_HOSTS = (
    "www.shop.example.com",
    "blog.example.net",
    "www.wiki.example.org",
    "forum.example.io",
    "www.recipes.example.com",
    "docs.example.dev",
)


def _user(rng: random.Random) -> str:
    name = rng.choice(_NAMES)
    if rng.random() < 0.3:
        name = name.capitalize()
    return f"{name}{rng.randint(1, 99999)}"


def _chars(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _tweet(rng: random.Random) -> str:
    host = rng.choice(("twitter.com", "x.com"))
    return f"https://{host}/{_user(rng)}/status/{rng.randint(10**18, 2 * 10**18 - 1)}"


def _facebook(rng: random.Random) -> str:
    user, roll = _user(rng), rng.random()
    if roll < 0.5:
        return f"https://www.facebook.com/{user}/posts/{rng.randint(10**14, 10**16)}"
    if roll < 0.75:
        return f"https://www.facebook.com/{user}/posts/pfbid0{_chars(rng, _B58, 44)}"
    if roll < 0.9:
        return f"https://www.facebook.com/{user}/videos/{rng.randint(10**14, 10**16)}/"
    return f"https://www.facebook.com/watch/?v={rng.randint(10**14, 10**16)}"


def _youtube(rng: random.Random) -> str:
    return f"https://www.youtube.com/watch?v={_chars(rng, _YT, 11)}"


def _tiktok(rng: random.Random) -> str:
    return f"https://www.tiktok.com/@{_user(rng)}/video/{rng.randint(7 * 10**18, 8 * 10**18)}"


def _instagram(rng: random.Random) -> str:
    kind = "p" if rng.random() < 0.7 else "reel"
    return f"https://www.instagram.com/{kind}/{_chars(rng, _YT, 11)}/"


def _news(rng: random.Random) -> str:
    host = rng.choice(NEWS_HOSTS)
    slug = "-".join(rng.sample(_WORDS, rng.randint(3, 7)))
    day = f"{rng.randint(2019, 2026)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}"
    tail = ".html" if rng.random() < 0.3 else ""
    return f"https://{host}/{rng.choice(_SECTIONS)}/{day}/{slug}-{rng.randint(1, 10**6)}{tail}"


def _other(rng: random.Random) -> str:
    host = rng.choice(OTHER_HOSTS)
    slug = "-".join(rng.sample(_WORDS, rng.randint(1, 4)))
    query = f"?id={rng.randint(1, 10**6)}" if rng.random() < 0.4 else ""
    return f"https://{host}/{slug}/{rng.randint(1, 10**5)}{query}"


Generator = Callable[[random.Random], str]
# What fact-checkers record as appearances, and what pages link to (misses add other sites).
STORED_MIX: tuple[tuple[Generator, int], ...] = (
    (_tweet, 25), (_facebook, 20), (_youtube, 15), (_tiktok, 12), (_instagram, 10), (_news, 18),
)  # fmt: skip
MISS_MIX: tuple[tuple[Generator, int], ...] = (*STORED_MIX, (_news, 15), (_other, 15))


def _pick(rng: random.Random, mix: tuple[tuple[Generator, int], ...]) -> str:
    generators = [generator for generator, _ in mix]
    generator: Generator = rng.choices(generators, [weight for _, weight in mix])[0]
    return generator(rng)


def _with_query(url: str, extra: str) -> str:
    base, hash_, fragment = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}{extra}{hash_}{fragment}"


def variants(url: str, rng: random.Random) -> list[str]:
    """Other ways a page links to the same post or article (candidates, checked by the caller)."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    bare = host.removeprefix("www.").removeprefix("m.").removeprefix("amp.")
    path = parts.path.rstrip("/") or "/"
    token = _chars(rng, _ALNUM, rng.randint(6, 22))
    out: list[str] = []
    if bare in ("twitter.com", "x.com"):
        other = "x.com" if bare == "twitter.com" else "twitter.com"
        found = re.fullmatch(r"/([^/]+)/status/(\d+)", path)
        if found:
            user, status = found.groups()
            out += [
                f"https://{other}{path}?s=20&t={token}",
                f"https://mobile.twitter.com{path}",
                f"https://x.com/i/web/status/{status}",
                f"https://{other}{path}/photo/1",
                f"https://{other}/{user.lower()}/status/{status}?ref_src=twsrc%5Etfw",
                f"https://x.com/anyone/status/{status}?s=46",
            ]
    elif bare == "facebook.com":
        query = f"?{parts.query}" if parts.query else ""
        out += [
            _with_query(f"https://m.facebook.com{path}{query}", f"mibextid={token}"),
            _with_query(f"https://web.facebook.com{path}/{query}", "_rdc=1&_rdr"),
            _with_query(
                f"https://www.facebook.com{path}{query}", f"__cft__[0]={token}&__tn__=%2CO%2CP-R"
            ),
            _with_query(f"https://facebook.com{path}{query}", f"fbclid=IwAR{token}"),
        ]
    elif bare in ("youtube.com", "youtu.be"):
        video = re.search(r"(?:^|&)v=([\w-]{11})", parts.query)
        if video:
            v = video.group(1)
            out += [
                f"https://youtu.be/{v}?si={token}",
                f"https://m.youtube.com/watch?v={v}&feature=share",
                f"https://www.youtube.com/shorts/{v}",
                f"https://youtube.com/watch?v={v}&t={rng.randint(1, 900)}s",
                f"https://www.youtube.com/embed/{v}",
                f"https://www.youtube.com/watch?app=desktop&v={v}&ab_channel=News",
            ]
    elif bare == "tiktok.com":
        out += [
            f"https://www.tiktok.com{path}?is_from_webapp=1&sender_device=pc",
            f"https://m.tiktok.com{path}?lang=en&_r=1&_t=ZM-{token}",
            f"https://tiktok.com{path}/?share_app_id=1233",
        ]
    elif bare == "instagram.com":
        code = path.rsplit("/", 1)[-1]
        out += [
            f"https://www.instagram.com/reel/{code}/?igsh={token}",
            f"https://instagram.com/p/{code}?utm_source=ig_web_copy_link",
            f"https://www.instagram.com/{_user(rng)}/p/{code}/",
            f"https://instagr.am/p/{code}/",
        ]
    if not out or rng.random() < 0.2:  # news, Telegram, fact-check articles; sometimes social too
        bare_url = f"{bare}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        out += [
            _with_query(url, "utm_source=facebook&utm_medium=social&utm_campaign=share"),
            _with_query(url, f"fbclid=IwAR{token}"),
            f"http://{bare_url}",
            f"https://www.{bare_url}" if host == bare else f"https://{bare_url}",
            f"{url}#comments",
        ]
        if not bare.endswith("t.me") and "?" not in url:
            out += [f"{url.rstrip('/')}/amp/", f"https://www.google.com/amp/s/{bare_url}"]
    return out


# --- the data set ------------------------------------------------------------------------------


def _count(db_file: Path, table: str) -> int:
    with sqlite3.connect(db_file) as connection:
        return int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def add_appearances(url: str, total: int, seed: int) -> int:
    """Add appearance rows on existing claims until the table holds `total`; returns how many."""
    from sqlalchemy import create_engine, insert, text

    from app.domain.urls import normalize_url
    from bench.dataset import APPEARANCE, _progress

    rng = random.Random(seed)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            have = int(connection.execute(text("SELECT count(*) FROM appearance")).scalar_one())
            claim_ids = list(connection.execute(text("SELECT id FROM claim")).scalars())
            next_position: dict[int, int] = {
                int(row[0]): int(row[1])
                for row in connection.execute(
                    text("SELECT claim_id, max(position) + 1 FROM appearance GROUP BY claim_id")
                )
            }
            need = total - have
            started = time.perf_counter()
            rows: list[dict[str, Any]] = []
            for done in range(need):
                claim_id = rng.choice(claim_ids)
                position = next_position.get(claim_id, 0)
                next_position[claim_id] = position + 1
                appearance_url = _pick(rng, STORED_MIX)
                rows.append(
                    {
                        "claim_id": claim_id,
                        "position": position,
                        "url": appearance_url,
                        "url_key": normalize_url(appearance_url),
                        "archived_url": f"https://web.archive.org/web/2024/{appearance_url}"
                        if rng.random() < 0.3
                        else None,
                    }
                )
                if len(rows) == 50_000 or done == need - 1:
                    connection.execute(insert(APPEARANCE), rows)  # one executemany
                    rows = []
                    _progress(done + 1, need, started, "appearances", "rows")
        return max(0, need)
    finally:
        engine.dispose()


def prepare_database(args: argparse.Namespace, workdir: Path) -> Path:
    from app.storage.migrate import upgrade
    from bench import dataset

    db_file = Path(args.keep_db).resolve() if args.keep_db else workdir / "lookup.db"
    url = f"sqlite:///{db_file}"
    if db_file.exists():
        if not args.keep_db:
            raise RuntimeError(f"{db_file} exists")
        have = (_count(db_file, "review"), _count(db_file, "appearance"))
        if have != (args.reviews, args.appearances):
            raise RuntimeError(
                f"{db_file} holds {have[0]} reviews and {have[1]} appearances, not "
                f"{args.reviews} and {args.appearances}; remove it or give another --keep-db"
            )
        upgrade(url)
        print(f"reusing {db_file} ({have[0]} reviews, {have[1]} appearances)")
        return db_file
    print(f"database: {db_file}")
    started = time.perf_counter()
    upgrade(url)
    print(f"  migrated in {time.perf_counter() - started:.1f}s")
    result = dataset.load(url, args.reviews, workers=args.load_workers)
    print(
        f"  loaded {result.reviews} published reviews ({result.claims} claims, "
        f"{result.appearances} appearances) in {result.seconds:.1f}s (bench/dataset.py)"
    )
    if result.appearances > args.appearances:
        print(f"  note: the loader alone wrote more than {args.appearances} appearances")
    started = time.perf_counter()
    added = add_appearances(url, args.appearances, args.seed)
    with sqlite3.connect(db_file) as raw:
        raw.execute("ANALYZE")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"  added {added} appearances (url_key = normalize_url(url)) in "
        f"{time.perf_counter() - started:.1f}s; appearance rows: {_count(db_file, 'appearance')}"
    )
    return db_file


# --- the requests ------------------------------------------------------------------------------


@dataclass
class Workload:
    bodies: list[list[str]]  # 100 distinct URLs each
    hits: list[set[str]]  # per body, the URLs that must match
    single: list[tuple[str, bool]]  # one URL per GET, and whether it must match
    forms: dict[str, int] = field(default_factory=dict)  # how hits were written

    @property
    def hit_share(self) -> float:
        return sum(map(len, self.hits)) / (len(self.bodies) * BATCH)


def build_workload(db_file: Path, count: int, hit_ratio: float, seed: int) -> Workload:
    from app.domain.urls import InvalidURL, normalize_url

    rng = random.Random(seed + 1)
    with sqlite3.connect(db_file) as connection:
        appearances: list[tuple[str, str]] = connection.execute(
            "SELECT url, url_key FROM appearance"
        ).fetchall()
        reviews: list[tuple[str, str]] = connection.execute(
            "SELECT url, url_key FROM review"
        ).fetchall()
    stored = {key for _, key in appearances} | {key for _, key in reviews}
    forms = {"appearance, other form": 0, "appearance, as stored": 0, "fact-check article": 0}

    def key_of(candidate: str) -> str | None:
        try:
            return normalize_url(candidate)
        except InvalidURL:
            return None

    def hit() -> str:
        from_review = rng.random() < 0.1
        source_url, key = rng.choice(reviews if from_review else appearances)
        good = [v for v in variants(source_url, rng) if key_of(v) == key]
        if from_review:
            forms["fact-check article"] += 1
        if good and rng.random() < 0.85:
            if not from_review:
                forms["appearance, other form"] += 1
            return rng.choice(good)
        if not from_review:
            forms["appearance, as stored"] += 1
        return source_url

    def miss() -> str:
        while True:
            candidate = _pick(rng, MISS_MIX)
            if rng.random() < 0.5:
                candidate = rng.choice(variants(candidate, rng))
            key = key_of(candidate)
            if key is not None and key not in stored:
                return candidate

    bodies, hits = [], []
    for _ in range(count):
        urls: list[str] = []
        matched: set[str] = set()
        seen_keys: set[str] = set()
        while len(urls) < BATCH:
            is_hit = rng.random() < hit_ratio
            candidate = hit() if is_hit else miss()
            key = normalize_url(candidate)
            if key in seen_keys:  # one page links each post once
                continue
            seen_keys.add(key)
            urls.append(candidate)
            if is_hit:
                matched.add(candidate)
        bodies.append(urls)
        hits.append(matched)
    single = [
        (url, url in matched) for urls, matched in zip(bodies, hits, strict=True) for url in urls
    ]
    rng.shuffle(single)
    return Workload(bodies, hits, single, forms)


def _encode(urls: list[str]) -> bytes:
    return json.dumps({"urls": urls}, separators=(",", ":"), ensure_ascii=False).encode()


def _single_path(url: str) -> str:
    return "/v1/lookup?url=" + quote(url, safe="")


def check_service(
    client: "httpx.Client", work: Workload, bodies: int = 50, singles: int = 300
) -> None:
    """Exactly the intended URLs match: every hit has a review, no miss has one."""
    for urls, matched in zip(work.bodies[:bodies], work.hits[:bodies], strict=True):
        response = client.post("/v1/lookup", content=_encode(urls), headers=JSON_HEADERS)
        if response.status_code != 200:
            raise RuntimeError(f"POST /v1/lookup: {response.status_code} {response.text[:500]}")
        answer = response.json()["matches"]
        if set(answer) != set(urls):
            raise RuntimeError("POST /v1/lookup: the answer's URLs are not the ones sent")
        found = {url for url, matches in answer.items() if matches}
        if found != matched:
            raise RuntimeError(
                f"POST /v1/lookup: {len(found)} URLs matched, {len(matched)} expected; "
                f"unexpected {sorted(found - matched)[:3]}, missing {sorted(matched - found)[:3]}"
            )
    for url, expected in work.single[:singles]:
        response = client.get(_single_path(url))
        if response.status_code != 200:
            raise RuntimeError(f"GET /v1/lookup: {response.status_code} {response.text[:500]}")
        if bool(response.json()["matches"][url]) != expected:
            raise RuntimeError(f"GET /v1/lookup?url={url}: expected a match: {expected}")


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Row:
    case: str
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests_per_s: float | None  # HTTP: wrk; in-process: one thread, 1 / mean
    urls_per_s: float | None
    samples: int
    note: str = ""
    wrk: dict[str, Any] | None = None
    server_cpu_us: float | None = None  # server CPU per request, sequential run


def percentiles(samples_ns: list[int]) -> tuple[float, float, float]:
    ordered = sorted(samples_ns)

    def at(pct: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] / 1e6

    return at(50), at(95), at(99)


def timed(call: Callable[[T], object], inputs: Iterable[T]) -> list[int]:
    """Nanoseconds per call(x), for each x."""
    samples = []
    clock = time.perf_counter_ns
    for value in inputs:
        started = clock()
        call(value)
        samples.append(clock() - started)
    return samples


@dataclass
class Sequential:
    samples: list[int]
    server_cpu_us: float | None  # server CPU time per request
    others_share: float | None  # CPU other processes took on the server's CPU meanwhile


def sequential(
    client: "httpx.Client",
    requests: list[Send],
    n: int,
    warmup: int,
    server_pid: int,
    server_cpus: frozenset[int] | None,
) -> Sequential:
    def call(i: int) -> None:
        _ok(requests[i % len(requests)](client))

    timed(call, range(len(requests) // 2, len(requests) // 2 + warmup))
    before, busy_before = read_bench._cpu_seconds(server_pid), read_bench._cpu_busy(server_cpus)
    started = time.perf_counter()
    samples = timed(call, range(n))
    seconds = time.perf_counter() - started
    after, busy_after = read_bench._cpu_seconds(server_pid), read_bench._cpu_busy(server_cpus)
    if before is None or after is None:
        return Sequential(samples, None, None)
    others = None
    if server_cpus is not None and busy_before is not None and busy_after is not None:
        others = max(0.0, busy_after[0] - busy_before[0] - (after - before)) / seconds
    return Sequential(samples, (after - before) / n * 1e6, others)


@dataclass
class Case:
    name: str
    requests: list[Send]
    urls: int = 1  # URLs looked up per request


def _post(urls: list[str]) -> Send:
    body = _encode(urls)
    return lambda client: client.post("/v1/lookup", content=body, headers=JSON_HEADERS)


def _get(path: str) -> Send:
    return lambda client: client.get(path)


def _ok(response: "httpx.Response") -> None:
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text[:300]}")


@contextmanager
def lookup_script() -> Iterator[None]:
    """run_wrk in bench/claimreview_read.py drives its module's LUA; point it at ours meanwhile."""
    saved = read_bench.LUA
    read_bench.LUA = LUA
    try:
        yield
    finally:
        read_bench.LUA = saved


def drive(
    server: Server, mode: str, file: Path, args: argparse.Namespace, pins: Pinning, seconds: float
) -> WrkResult:
    with lookup_script():
        result = read_bench.run_wrk(
            server.base,
            [mode, str(file)],
            duration=seconds,
            connections=args.connections,
            threads=args.threads,
            pin=pins.wrk,
            server_pid=server.pid,
            server_cpus=pins.server_cpus,
            wrk_cpus=pins.wrk_cpus,
        )
    errors = {k: v for k, v in result.socket_errors.items() if v}
    if result.non_2xx or result.requests == 0 or errors:
        print(result.raw, file=sys.stderr)
        raise RuntimeError(
            f"wrk {mode}: {result.non_2xx} non-2xx of {result.requests} requests, errors {errors}"
        )
    return result


def in_process(db_file: Path, work: Workload, n: int) -> list[Row]:
    """The query, the normalisation and the use case, without HTTP, for the same bodies."""
    from sqlalchemy import event

    from app.domain import lookup as lookup_use_case
    from app.domain.urls import normalize_url
    from app.storage import repositories
    from app.storage.database import make_database

    bodies = [work.bodies[i % len(work.bodies)] for i in range(n)]
    key_lists = [sorted({normalize_url(u) for u in urls}) for urls in bodies]
    db = make_database(f"sqlite:///{db_file}")
    statements: list[tuple[str, Any]] = []
    rows: list[Row] = []
    try:
        with db.session() as session:
            expected = [len(hits) for hits in work.hits]

            def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
                if statement.lstrip().upper().startswith("SELECT"):
                    statements.append((statement, params))

            event.listen(db.engine, "before_cursor_execute", capture)
            try:  # the first pass captures the exact SQL and checks the answers
                for i, keys in enumerate(key_lists[: len(work.bodies)]):
                    found = {row.url_key for row in repositories.lookup_urls(session, keys)}
                    if len(found) != expected[i]:
                        raise RuntimeError(
                            f"lookup_urls: {len(found)} keys matched, not {expected[i]}"
                        )
            finally:
                event.remove(db.engine, "before_cursor_execute", capture)
            samples = timed(partial(repositories.lookup_urls, session), key_lists)
            rows.append(_row("lookup_urls (100 keys, open session)", samples))
        raw = sqlite3.connect(db_file)
        try:
            lookups = [statements[i % len(statements)] for i in range(n)]

            def query(lookup: tuple[str, Any]) -> None:
                raw.execute(*lookup).fetchall()

            timed(query, lookups[:50])
            samples = timed(query, lookups)
            rows.append(_row("same SQL on bare sqlite3", samples))
        finally:
            raw.close()

        def normalize(urls: list[str]) -> None:
            for url in urls:
                normalize_url(url)

        samples = timed(normalize, bodies)
        rows.append(_row("normalize_url x 100", samples))

        def use_case(urls: list[str]) -> None:
            with db.session() as session:
                lookup_use_case.lookup(session, urls)

        timed(use_case, bodies[:50])
        samples = timed(use_case, bodies)
        rows.append(_row("domain lookup() (new session)", samples))
    finally:
        db.dispose()
    return rows


def _row(case: str, samples: list[int], urls: int = BATCH) -> Row:
    p50, p95, p99 = percentiles(samples)
    rate = len(samples) / (sum(samples) / 1e9)
    return Row(case, p50, p95, p99, rate, rate * urls, len(samples), "in-process, 1 thread")


# --- report ------------------------------------------------------------------------------------


def _fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_table(rows: list[Row]) -> None:
    head = f"{'case':<40}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'requests/s':>12}{'URLs/s':>11}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.case:<40}{r.p50_ms:>9.3f}{r.p95_ms:>9.3f}{r.p99_ms:>9.3f}"
            f"{_fmt(r.requests_per_s, ',.0f'):>12}{_fmt(r.urls_per_s, ',.0f'):>11}"
        )
    print("-" * len(head))
    print(
        "HTTP rows: p50/p95/p99 of sequential requests (one keep-alive httpx client), requests/s "
        "from wrk.\nIn-process rows: one thread, same bodies; requests/s = calls/s (1 / mean)."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.lookup", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--reviews", type=int, default=100_000, help="published reviews")
    parser.add_argument("--appearances", type=int, default=300_000, help="appearance rows")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of wrk per case")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured wrk seconds first")
    parser.add_argument("--requests", type=int, default=1000, help="sequential requests per case")
    parser.add_argument("--bodies", type=int, default=1000, help="distinct 100-URL bodies")
    parser.add_argument("--hit-ratio", type=float, default=0.1, help="share of URLs that match")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--keep-db", metavar="PATH", help="keep the database; reused if it fits")
    parser.add_argument("--load-workers", type=int, default=None, help="render processes")
    parser.add_argument("--no-pin", action="store_true", help="do not use taskset")
    parser.add_argument("--no-wrk", action="store_true", help="sequential figures only")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    if min(args.reviews, args.appearances, args.requests, args.bodies) < 1 or args.duration <= 0:
        parser.error("--reviews, --appearances, --requests, --bodies, --duration: positive")
    if not 0 < args.hit_ratio < 1:
        parser.error("--hit-ratio: between 0 and 1")
    use_wrk = not args.no_wrk
    if use_wrk:
        read_bench._check_wrk()

    import httpx

    pins = read_bench._pinning(not args.no_pin)
    print("claimreview lookup benchmark")
    print(f"  python {platform.python_version()} ({sys.executable})")
    print(
        f"  uvicorn {read_bench._pkg('uvicorn')} (uvloop {read_bench._pkg('uvloop')}, httptools "
        f"{read_bench._pkg('httptools')}), fastapi {read_bench._pkg('fastapi')}, pydantic "
        f"{read_bench._pkg('pydantic')}, sqlalchemy {read_bench._pkg('sqlalchemy')}, "
        f"SQLite {sqlite3.sqlite_version}, httpx {httpx.__version__}"
    )
    print(f"  {os.cpu_count()} CPUs ({read_bench._cpu_model()}); {pins.note}")
    print(f"  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    workdir = Path(tempfile.mkdtemp(prefix="claimreview-lookup-"))
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    try:
        db_file = prepare_database(args, workdir)
        started = time.perf_counter()
        work = build_workload(db_file, args.bodies, args.hit_ratio, args.seed)
        batch_file, single_file = workdir / "batch.ndjson", workdir / "single.txt"
        batch_file.write_bytes(b"\n".join(_encode(urls) for urls in work.bodies) + b"\n")
        single_file.write_text("\n".join(_single_path(u) for u, _ in work.single) + "\n")
        sizes = sorted(len(_encode(urls)) for urls in work.bodies)
        print(
            f"  workload: {len(work.bodies)} bodies of {BATCH} distinct URLs "
            f"(median {sizes[len(sizes) // 2]} B), {100 * work.hit_share:.1f}% hits "
            f"({', '.join(f'{k} {v}' for k, v in work.forms.items())}); "
            f"{len(work.single)} single URLs; built in {time.perf_counter() - started:.1f}s"
        )
        for urls, matched in list(zip(work.bodies, work.hits, strict=True))[:1]:
            print("  sample hits: " + "  ".join(sorted(matched)[:4]))
            print("  sample misses: " + "  ".join([u for u in urls if u not in matched][:4]))
        if pins.wrk_cpus and affinity is not None:  # the httpx client and the in-process runs
            os.sched_setaffinity(0, pins.wrk_cpus)

        env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMREVIEW_")}
        env["CLAIMREVIEW_DATABASE_URL"] = f"sqlite:///{db_file}"
        env["CLAIMREVIEW_LOG_LEVEL"] = "warning"
        rows: list[Row] = []
        with (
            Server("app.main:app", env, pins.server, workdir / "service.log") as server,
            httpx.Client(base_url=server.base, timeout=10) as client,
        ):
            server.wait_ready("/healthz")
            server.wait_ready("/readyz")
            check_service(client, work)
            print("  checked: the service matches exactly the intended URLs (50 bodies, 300 GETs)")
            cases = [
                Case("POST /v1/lookup, 100 URLs", [_post(urls) for urls in work.bodies], BATCH),
                Case("GET /v1/lookup?url=, 1 URL", [_get(_single_path(u)) for u, _ in work.single]),
                Case("GET /healthz (floor)", [_get("/healthz")]),
            ]
            for case, mode, file in zip(
                cases, ("post", "get", None), (batch_file, single_file, None), strict=True
            ):
                name = case.name
                run = sequential(
                    client, case.requests, args.requests, 100, server.pid, pins.server_cpus
                )
                p50, p95, p99 = percentiles(run.samples)
                cpu = run.server_cpu_us
                row = Row(name, p50, p95, p99, None, None, len(run.samples), server_cpu_us=cpu)
                others = ""
                if run.others_share is not None:
                    others = f", other processes on its CPU {100 * run.others_share:.0f}%"
                print(
                    f"  {name}: sequential p50 {p50:.2f} ms, p95 {p95:.2f} ms "
                    f"(server CPU {_fmt(cpu, '.0f')} us/request{others})",
                    flush=True,
                )
                if use_wrk and mode is not None and file is not None:
                    if args.warmup > 0:
                        drive(server, mode, file, args, pins, args.warmup)
                    result = drive(server, mode, file, args, pins, args.duration)
                    row.requests_per_s = result.requests_per_s
                    row.urls_per_s = result.requests_per_s * case.urls
                    row.wrk = {
                        k: v for k, v in asdict(result).items() if k not in ("raw", "socket_errors")
                    }
                    print(
                        f"  {name}: wrk -t{args.threads} -c{args.connections} "
                        f"{result.requests_per_s:,.0f} requests/s, under load p50 "
                        f"{result.p50_ms:.1f} ms p99 {result.p99_ms:.1f} ms, server CPU "
                        f"{read_bench._pct(result.server_cpu_s, result.seconds)} "
                        f"(others on its CPU "
                        f"{read_bench._pct(result.others_on_server_cpus_s, result.seconds)})",
                        flush=True,
                    )
                rows.append(row)
        print("  in-process (server stopped): the same bodies", flush=True)
        rows += in_process(db_file, work, args.requests)

        print(
            f"\nresults: {args.reviews:,} reviews, {args.appearances:,} appearances; HTTP "
            f"p50/p95/p99 sequential over {args.requests} keep-alive requests (httpx), "
            f"requests/s with wrk -t{args.threads} -c{args.connections} -d{args.duration:.0f}s"
        )
        print_table(rows)
        batch = rows[0]
        met = batch.p95_ms < TARGET_P95_MS
        print(
            f"target: 100-URL batch p95 < {TARGET_P95_MS:.0f} ms on SQLite: "
            f"{'MET' if met else 'NOT MET'} ({batch.p95_ms:.2f} ms)"
        )
        print(
            "server CPU per request (sequential): "
            + ", ".join(f"{r.case} {r.server_cpu_us:.0f} us" for r in rows if r.server_cpu_us)
        )
        print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"lookup-{args.reviews}-{int(time.time())}.json"
        out.write_text(
            json.dumps({"args": vars(args), "rows": [asdict(r) for r in rows]}, indent=1)
        )
        print(f"saved {out.relative_to(REPO)}")
        return 1 if args.strict and not met else 0
    finally:
        if affinity is not None:
            os.sched_setaffinity(0, affinity)
        if args.keep_db:
            print(f"kept the database: {Path(args.keep_db).resolve()}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
