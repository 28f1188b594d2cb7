"""Synthetic multilingual ClaimReviews, loaded through the service's own import, and the URLs and
queries the scenarios send.

Everything follows from (count, seed): the n-th document is the same on every run. Words are
drawn by a Zipf law (weight 1/rank^1.07, as running text roughly is) from a vocabulary per
language: real words first, then made-up words of that language's syllables, so that a query can
pick common or rare words. Loaded corpora are cached (SQLite: a file in bench/results/;
PostgreSQL: a schema of its own in the bench database) under a key of their parameters.
"""

import itertools
import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from app.domain.access import COMMAND_LINE
from app.domain.importing import Importer, ImportResult
from app.rules.urls import normalize_url
from app.storage.database import make_database
from app.storage.migrate import upgrade
from bench.harness import RESULTS

# Change when a change here changes the documents: cached corpora are then built again.
VERSION = "1"

# language: (real words, most common first; syllables of the made-up tail; verdict labels)
LANGUAGES = {
    "en": (
        "the of and to in is was for on with says video photo shows government president "
        "vaccine water election money children police doctors cure cancer climate war prices "
        "banned secret study hospital school border farmers million people city law tax",
        "ba ker lin mo ster pa ton ric el da wen sha ford ly ing",
        ("False", "Misleading", "Mostly False", "Half True", "True", "Missing context"),
    ),
    "fr": (
        "le la les de des et à en que qui est pour sur avec dans gouvernement président "
        "vaccin eau élection argent enfants police médecins guérit cancer climat guerre prix "
        "interdit secret étude hôpital école frontière agriculteurs millions ville loi",
        "ron beau lette chan mou rie pel ger cou tain vil ette ois",
        ("Faux", "Trompeur", "Plutôt faux", "Manque de contexte", "Vrai"),
    ),
    "es": (
        "el la los de del y en que es para por con gobierno presidente vacuna agua elecciones "
        "dinero niños policía médicos cura cáncer clima guerra precios prohibido secreto "
        "estudio hospital escuela frontera agricultores millones ciudad ley impuestos",
        "ca rro li men te cho gua dor ri ba ña lo quez",
        ("Falso", "Engañoso", "Verdadero", "Sin evidencia", "Parcialmente falso"),
    ),
    "pt": (
        "o a os de do da e em que é para com governo presidente vacina água eleições dinheiro "
        "crianças polícia médicos cura câncer clima guerra preços proibido segredo estudo "
        "hospital escola fronteira agricultores milhões cidade lei impostos",
        "ção lho ra men tu nha ga vei ro be ca da ças",
        ("Falso", "Enganoso", "Verdadeiro", "Sem contexto", "Distorcido"),
    ),
    "de": (
        "der die das und zu in ist für auf mit von nicht Regierung Präsident Impfstoff Wasser "
        "Wahl Geld Kinder Polizei Ärzte heilt Krebs Klima Krieg Preise verboten geheim Studie "
        "Krankenhaus Schule Grenze Bauern Millionen Stadt Gesetz Steuern",
        "berg schaft lich ung ker mann stein hei wal dorf ter gen",
        ("Falsch", "Irreführend", "Größtenteils falsch", "Fehlender Kontext", "Richtig"),
    ),
    "ru": (
        "и в не на что это как по из за правительство президент вакцина вода выборы деньги "
        "дети полиция врачи лечит рак климат война цены запрет секрет исследование больница "
        "школа граница фермеры миллионы город закон налоги",
        "ра ко ва ни ло ми ста про зе ду ше ты го",
        ("Неправда", "Манипуляция", "Полуправда", "Правда", "Нет доказательств"),
    ),
}
# name, host of its articles, its languages
PUBLISHERS = (
    ("VeriFact", "verifact.example", "en"),
    ("Truth Desk", "www.truthdesk.example", "en"),
    ("Global Fact Agency", "factcheck.gfa.example", "en fr es pt de ru"),
    ("Le Vérificateur", "leverificateur.example", "fr"),
    ("Afrique Vérifie", "afriqueverifie.example", "fr en"),
    ("Chequeado Sur", "chequeadosur.example", "es"),
    ("Brasil Checa", "brasilcheca.example", "pt es"),
    ("Faktenfinder", "faktenfinder.example", "de"),
    ("Provereno", "provereno.example", "ru"),
)
PLATFORMS = (
    "https://x.com/user{n}/status/{id}",
    "https://www.facebook.com/page{n}/posts/{id}",
    "https://www.youtube.com/watch?v={video}",
    "https://www.tiktok.com/@creator{n}/video/{id}",
    "https://t.me/channel{n}/{id}",
    "https://www.instagram.com/p/C{id}n{n}/",
)
# Longer than one run sends, so that rotating through them does not turn into cache hits that
# real traffic (mostly addresses nobody has checked, varied queries) would not give.
LOOKUP_URLS = 50_000
SEARCH_QUERIES = 20_000
VOCABULARY = 4_000
BANDS = {"common": (10, 60), "rare": (1_000, 3_000)}  # query words, by rank
START = datetime(2016, 1, 1, tzinfo=UTC)


# --- documents -----------------------------------------------------------------------------------


@cache
def _vocabulary(language: str) -> tuple[list[str], list[float]]:
    real, syllables, _ = LANGUAGES[language]
    words = real.split()
    parts = syllables.split()
    for length in itertools.count(2):
        for combination in itertools.product(parts, repeat=length):
            if len(words) == VOCABULARY:
                weights = itertools.accumulate(1 / (rank + 1) ** 1.07 for rank in range(VOCABULARY))
                return words, list(weights)
            words.append("".join(combination))
    raise AssertionError


def _words(rng: random.Random, language: str, count: int) -> list[str]:
    words, weights = _vocabulary(language)
    return rng.choices(words, cum_weights=weights, k=count)


def _appearance(rng: random.Random, n: int) -> str:
    video = "".join(
        rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", k=11)
    )
    return rng.choice(PLATFORMS).format(n=n, id=rng.randrange(10**17, 10**18), video=video)


def document(n: int, seed: int) -> dict[str, Any]:
    """The n-th ClaimReview: a claim of 8-25 words in one of the publisher's languages, 1-3
    appearances on social platforms, inLanguage on 80% (the rest are detected)."""
    rng = random.Random(f"{seed}-{n}")
    name, host, languages = PUBLISHERS[rng.randrange(len(PUBLISHERS))]
    language = rng.choice(languages.split())
    claim = " ".join(_words(rng, language, rng.randint(8, 25)))
    published = START + timedelta(days=rng.randrange(3_600), seconds=rng.randrange(86_400))
    item: dict[str, Any] = {
        "@type": "Claim",
        "appearance": [
            {"@type": "CreativeWork", "url": _appearance(rng, n)} for _ in range(rng.randint(1, 3))
        ],
    }
    if rng.random() < 0.5:
        item["author"] = {"@type": "Person", "name": " ".join(_words(rng, language, 2)).title()}
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://{host}/checks/{published:%Y/%m}/{n}",
        "name": claim[:80].strip(),
        "claimReviewed": claim[0].upper() + claim[1:] + ".",
        "datePublished": published.isoformat(),
        "author": {"@type": "Organization", "name": name, "url": f"https://{host}/"},
        "reviewRating": {"@type": "Rating", "alternateName": rng.choice(LANGUAGES[language][2])},
        "itemReviewed": item,
    }
    if rng.random() < 0.8:
        doc["inLanguage"] = language
    return doc


def spoiled(doc: dict[str, Any], n: int) -> dict[str, Any]:
    """A record the import must reject, of one of three kinds."""
    if n % 3 == 0:
        del doc["claimReviewed"]
    elif n % 3 == 1:
        doc["url"] = "javascript:alert(1)"
    else:
        doc["reviewRating"] = {"@type": "Rating", "ratingValue": 1}
    return doc


def documents(count: int, seed: int, bad_every: int = 0) -> Iterator[dict[str, Any]]:
    for n in range(count):
        doc = document(n, seed)
        yield spoiled(doc, n) if bad_every and n % bad_every == bad_every - 1 else doc


def ndjson(count: int, seed: int, bad_every: int = 0) -> Path:
    """The documents as an NDJSON file (cached), for `claimreview import` and POST /v1/import."""
    path = RESULTS / f"claimreviews-{count}-s{seed}-b{bad_every}-v{VERSION}.ndjson"
    if not path.exists():
        RESULTS.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as out:
            for doc in documents(count, seed, bad_every):
                out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n")
        partial.rename(path)
    return path


# --- loading -------------------------------------------------------------------------------------


def import_documents(database_url: str, docs: Iterable[dict[str, Any]]) -> ImportResult:
    """The one call into the service's import use case, the one `claimreview import` makes."""
    db = make_database(database_url)
    try:
        return Importer(db.unit_of_work, COMMAND_LINE).import_documents(docs)
    finally:
        db.dispose()


def create_missing(pg_url: str) -> None:
    """The bench database is created on first use, from the server's `postgres` database."""
    target = make_url(pg_url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as conn:
            name = target.database
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if exists.scalar() is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()


def database(engine: str, name: str, pg_url: str, *, fresh: bool) -> str:
    """The URL of database `name` migrated to head; `fresh`: emptied first. SQLite: a file in
    bench/results/. PostgreSQL: schema `name`, made the `public` schema of the bench database
    while it is used, because the service sets its connections' `options` (time-outs) and so
    drops a search_path given in the URL; the schema it replaces gets its own name back, kept
    in the schema's comment."""
    if engine == "sqlite":
        path = RESULTS / f"{name}.db"
        for old in RESULTS.glob(f"{name}.db*") if fresh else ():
            old.unlink()
        RESULTS.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
    else:
        url = pg_url
        create_missing(pg_url)
        with create_engine(pg_url).begin() as conn:
            comment = conn.execute(text("SELECT obj_description('public'::regnamespace)"))
            public = (comment.scalar() or "").partition("bench:")[2]  # a corpus's, or none
            if public != name or fresh:
                if public and public != name:
                    conn.execute(text(f"ALTER SCHEMA public RENAME TO {public}"))
                else:
                    conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                if fresh:
                    conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
                    conn.execute(text(f"CREATE SCHEMA {name}"))
                conn.execute(text(f"ALTER SCHEMA {name} RENAME TO public"))
                conn.execute(text(f"COMMENT ON SCHEMA public IS 'bench:{name}'"))
    upgrade(url, "head")  # on reuse too: the service may have moved on since
    return url


@dataclass(frozen=True)
class Corpus:
    database_url: str
    review_ids: list[int]
    count: int
    seed: int


def corpus(engine: str, count: int, seed: int, pg_url: str) -> Corpus:
    """`count` published reviews in a database of their own, loaded once and then reused."""
    name = f"corpus_{count}_s{seed}_v{VERSION}"
    done = RESULTS / f"{name}-{engine}.json"
    if done.exists():
        try:
            url = database(engine, name, pg_url, fresh=False)
            return Corpus(url, json.loads(done.read_text())["review_ids"], count, seed)
        except DBAPIError:  # its schema is gone: load it again
            done.unlink()
    url = database(engine, name, pg_url, fresh=True)
    print(f"Loading {count:,} ClaimReviews into {engine} through the import…", flush=True)
    started = time.perf_counter()
    result = import_documents(url, documents(count, seed))
    print(f"Loaded in {time.perf_counter() - started:.1f} s.", flush=True)
    if result.rejected:
        raise RuntimeError(f"the import rejected {result.rejected[:3]}")
    with create_engine(url).begin() as conn:
        # Statistics, as autovacuum would gather on a server that runs it (it is off on these
        # machines): without them PostgreSQL joins every review for a one-URL lookup (90 ms).
        conn.execute(text("ANALYZE"))
        ids = list(conn.execute(text("SELECT id FROM review ORDER BY id")).scalars())
    done.write_text(json.dumps({"review_ids": ids}))
    return Corpus(url, ids, count, seed)


# --- what the clients send -----------------------------------------------------------------------


def _variant(url: str, rng: random.Random) -> str:
    """The same address written as people paste it."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host == "x.com":
        return f"https://{rng.choice(('twitter.com', 'mobile.twitter.com'))}{parts.path}?s=20"
    if host.endswith("youtube.com"):
        video = parse_qs(parts.query)["v"][0]
        return rng.choice(
            (
                f"https://youtu.be/{video}?si=Ab",
                f"https://m.youtube.com/watch?feature=share&v={video}",
            )
        )
    bare = host.removeprefix("www.")
    prefix = rng.choice(("http://", "https://www.", "https://m."))
    return f"{prefix}{bare}{parts.path.rstrip('/')}/?utm_source=twitter&utm_medium=social#top"


def lookup_urls(corpus: Corpus, count: int, hit_share: float = 0.1) -> list[tuple[str, bool]]:
    """`count` addresses and whether each concerns a stored review: a hit is an appearance or
    article URL of the corpus in another form than stored; a miss, an address of the same shapes
    that no document holds (most lookups concern addresses nobody has checked)."""
    rng = random.Random(corpus.seed)
    urls: list[tuple[str, bool]] = []
    while len(urls) < count:
        if rng.random() < hit_share:
            doc = document(rng.randrange(corpus.count), corpus.seed)
            stored = rng.choice(
                [doc["url"]] + [a["url"] for a in doc["itemReviewed"]["appearance"]]
            )
            url = _variant(stored, rng)
            assert normalize_url(url) == normalize_url(stored), (url, stored)
            urls.append((url, True))
        else:
            urls.append((_variant(_appearance(rng, corpus.count + len(urls)), rng), False))
    return urls


def queries(corpus: Corpus, count: int, words: int, band: str) -> list[str]:
    """Search queries of `words` words of one language: `claim` takes them in a row from a
    stored claim (one result at least), `common` and `rare` from those bands of the vocabulary."""
    rng = random.Random(f"{corpus.seed}-{words}-{band}")
    out = []
    for _ in range(count):
        if band == "claim":
            claim = document(rng.randrange(corpus.count), corpus.seed)["claimReviewed"].split()
            start = rng.randrange(max(1, len(claim) - words))
            out.append(" ".join(claim[start : start + words]).rstrip("."))
        else:
            vocabulary, _ = _vocabulary(rng.choice(list(LANGUAGES)))
            low, high = BANDS[band]
            out.append(" ".join(vocabulary[rng.randrange(low, high)] for _ in range(words)))
    return out
