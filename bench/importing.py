"""Import benchmark: N generated ClaimReviews from NDJSON, by command line and HTTP, per engine.

    python -m bench.importing [--records 100000] [--engine sqlite|postgresql|both]
                              [--via cli|http|both] [--seed 1] [--pg-url URL]

1. Writes N distinct, seeded ClaimReview JSON-LD records to bench/results/import-N-sSEED.ndjson:
   20 publishers (own site host, an Organization author with its url; some on a subdomain of
   their home page's host, some also naming a journalist), claims of 10-30 words in en, fr, es,
   pt, de, rating labels typical of each language (some on a 1-5 scale), datePublished over
   2015-2026, inLanguage on ~70% (the rest go through language detection), itemReviewed a Claim
   with a claimant on ~50% and one appearance URL unique to the record, and ~3% deliberately bad
   records (claimReviewed missing, a javascript: url, a rating without a label).
2. For each engine x way in: a fresh database (SQLite: a new file in bench/results; PostgreSQL: the
   schema `bench_import`, dropped and created again) migrated by `app.storage.migrate.upgrade`;
   * cli: `claimreview import FILE` as a child process; wall time, the child's CPU time and peak
     RSS (from `os.wait4`), and its own summary line;
   * http: `uvicorn app.main:app --workers 1`, an importer key from `claimreview keys create`,
     and the file streamed to POST /v1/import as application/x-ndjson in 1 MiB chunks; wall time
     of the request, the server's CPU time and peak RSS (VmHWM) before it is stopped.
   Then the stored rows are counted: reviews == created, one claim, appearance and search
   document per review, every review rendered, 20 publishers.
3. Prints a table and whether SQLite from the command line reaches 5,000 records/s, and saves the
   figures as JSON in bench/results.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from bench.server import Server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent  # the venv's bin (not resolved: .venv/bin/python is a link)
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_import"
TARGET = 5_000.0
CHUNK = 1 << 20
DEFAULT_IMPORT_LIMIT = 50 * 1000 * 1000  # app.config max_import_bytes

# --- the records ---------------------------------------------------------------------------------

_WORDS = {
    "en": (
        "the a of and to in that is was for on with government minister president vaccine "
        "video photo shows says will new million people children city police water election "
        "votes money tax law banned secret study doctors cure cancer climate hospital school "
        "war army border migrants farmers prices fuel bank company shared viral fake "
        "never always every year last week after before because than more"
    ),
    "fr": (
        "le la les un une des de du et à en que qui est a été pour sur avec dans gouvernement "
        "ministre président vaccin vidéo photo montre affirme va nouveau millions personnes "
        "enfants ville police eau élection votes argent impôts loi interdit secret étude "
        "médecins guérit cancer climat hôpital école guerre armée frontière migrants "
        "agriculteurs prix carburant banque entreprise partagée virale jamais toujours chaque "
        "année dernière semaine après avant parce plus"
    ),
    "es": (
        "el la los las un una de del y en que es fue para por con gobierno ministro presidente "
        "vacuna vídeo foto muestra dice nuevo millones personas niños ciudad policía agua "
        "elecciones votos dinero impuestos ley prohibido secreto estudio médicos cura cáncer "
        "clima hospital escuela guerra ejército frontera migrantes agricultores precios "
        "combustible banco empresa compartido viral nunca siempre cada año pasado semana "
        "después antes porque más"
    ),
    "pt": (
        "o a os as um uma de do da e em que é foi para por com governo ministro presidente "
        "vacina vídeo foto mostra diz novo milhões pessoas crianças cidade polícia água "
        "eleições votos dinheiro impostos lei proibido segredo estudo médicos cura câncer "
        "clima hospital escola guerra exército fronteira migrantes agricultores preços "
        "combustível banco empresa compartilhado viral nunca sempre cada ano passado semana "
        "depois antes porque mais não"
    ),
    "de": (
        "der die das ein eine und zu in ist war für auf mit von nicht Regierung Minister "
        "Präsident Impfstoff Video Foto zeigt sagt wird neue Millionen Menschen Kinder Stadt "
        "Polizei Wasser Wahl Stimmen Geld Steuern Gesetz verboten geheim Studie Ärzte heilt "
        "Krebs Klima Krankenhaus Schule Krieg Armee Grenze Migranten Bauern Preise Benzin "
        "Bank Firma geteilt viral nie immer jedes Jahr letzte Woche nach vor weil mehr"
    ),
}
WORDS = {language: words.split() for language, words in _WORDS.items()}

# Labels as fact-checkers write them, with rough weights (false-ish verdicts dominate).
LABELS = {
    "en": [
        ("False", 30),
        ("Misleading", 12),
        ("Mostly False", 8),
        ("Half True", 6),
        ("Missing context", 6),
        ("Pants on Fire", 4),
        ("True", 5),
        ("Mostly True", 4),
        ("Unproven", 4),
        ("Altered", 3),
        ("Satire", 2),
        ("Fake", 3),
    ],
    "fr": [
        ("Faux", 30),
        ("Trompeur", 12),
        ("Plutôt faux", 6),
        ("Manque de contexte", 6),
        ("Vrai", 5),
        ("Infondé", 4),
        ("Montage", 3),
        ("Satire", 2),
        ("Partiellement faux", 5),
    ],
    "es": [
        ("Falso", 30),
        ("Engañoso", 12),
        ("Verdadero", 5),
        ("Sin evidencia", 5),
        ("Parcialmente falso", 6),
        ("Bulo", 4),
        ("Sacado de contexto", 5),
        ("Exagerado", 3),
    ],
    "pt": [
        ("Falso", 30),
        ("Enganoso", 12),
        ("Verdadeiro", 5),
        ("Sem contexto", 6),
        ("Distorcido", 4),
        ("Exagerado", 3),
        ("Impreciso", 4),
        ("Insustentável", 3),
    ],
    "de": [
        ("Falsch", 30),
        ("Irreführend", 12),
        ("Größtenteils falsch", 6),
        ("Fehlender Kontext", 6),
        ("Richtig", 5),
        ("Unbelegt", 4),
        ("Teilweise falsch", 5),
        ("Satire", 2),
    ],
}
# On publishers that rate on a 1-5 scale: the value a label gets.
SCALE_VALUE = {
    "false": 1,
    "faux": 1,
    "falso": 1,
    "falsch": 1,
    "fake": 1,
    "pants on fire": 1,
    "bulo": 1,
    "montage": 1,
    "altered": 1,
    "true": 5,
    "vrai": 5,
    "verdadero": 5,
    "verdadeiro": 5,
    "richtig": 5,
    "mostly true": 4,
    "half true": 3,
}

HEADLINE = {
    "en": "Fact check: {}",
    "fr": "Vérification : {}",
    "es": "Verificación: {}",
    "pt": "Checagem: {}",
    "de": "Faktencheck: {}",
}
SUMMARY = {
    "en": "We checked this claim against public records and spoke to experts: {}.",
    "fr": "Nous avons vérifié cette affirmation auprès de sources officielles : {}.",
    "es": "Verificamos esta afirmación con fuentes oficiales y expertos: {}.",
    "pt": "Verificamos esta alegação com fontes oficiais e especialistas: {}.",
    "de": "Wir haben diese Behauptung mit offiziellen Quellen und Experten geprüft: {}.",
}
SECTION = {"en": "fact-check", "fr": "verification", "es": "verificacion", "pt": "checagem"}
SECTION["de"] = "faktencheck"


@dataclass(frozen=True)
class Site:
    name: str
    host: str  # where its reviews live
    home: str  # its home page (the Organization author's url)
    languages: tuple[str, ...]
    scale: bool  # adds ratingValue/bestRating/worstRating 1-5
    journalists: bool  # names a Person author as well


# name, host of its reviews, home page, languages, rates on a 1-5 scale, names journalists
_PUBLISHERS = (
    ("VeriFact", "verifact.example", "https://verifact.example/", "en", 0, 1),
    ("Truth Desk", "truthdesk.example", "https://www.truthdesk.example/", "en", 1, 0),
    ("CheckWatch", "checkwatch.example", "https://checkwatch.example/", "en", 0, 0),
    (
        "Global Fact Agency",
        "factcheck.gfa.example",
        "https://www.gfa.example/",
        "en fr es pt de",
        0,
        1,
    ),
    ("Le Vérificateur", "leverificateur.example", "https://leverificateur.example/", "fr", 0, 1),
    ("Les Décodeurs Libres", "decodeurs.example", "https://decodeurs.example/", "fr", 1, 0),
    ("Factuel Belgique", "factuel.example.be", "https://factuel.example.be/", "fr", 0, 0),
    ("Chequeado Sur", "chequeadosur.example", "https://chequeadosur.example/", "es", 1, 1),
    ("Maldito Dato", "malditodato.example", "https://malditodato.example/", "es", 0, 0),
    ("Verifica MX", "verifica.example.mx", "https://verifica.example.mx/", "es", 0, 1),
    ("Colombia Check", "colombiacheck.example", "https://colombiacheck.example/", "es", 1, 0),
    ("Aos Fatos Livre", "aosfatoslivre.example", "https://aosfatoslivre.example/", "pt", 0, 1),
    ("Lupa Digital", "lupa.digital.example", "https://www.digital.example/", "pt", 1, 0),
    ("Polígrafo Norte", "poligrafo.example.pt", "https://poligrafo.example.pt/", "pt", 0, 0),
    ("Correctiv Prüft", "pruefdienst.example.de", "https://pruefdienst.example.de/", "de", 0, 1),
    ("Faktenfinder", "faktenfinder.example", "https://faktenfinder.example/", "de", 1, 0),
    ("Mimikama Nord", "mimikama.example", "https://mimikama.example/", "de", 0, 0),
    (
        "Newsroom Fact Unit",
        "facts.newsroom.example",
        "https://www.newsroom.example/",
        "en es",
        0,
        1,
    ),
    ("Afrique Vérifie", "afriqueverifie.example", "https://afriqueverifie.example/", "fr en", 0, 0),
    ("Brasil Checa", "brasilcheca.example", "https://brasilcheca.example/", "pt es", 1, 0),
)
PUBLISHERS = tuple(
    Site(name, host, home, tuple(languages.split()), bool(scale), bool(people))
    for name, host, home, languages, scale, people in _PUBLISHERS
)

FIRST = ("Maria", "John", "Ana", "Pierre", "Hans", "Lucía", "João", "Sophie", "Ahmed", "Olga")
LAST = ("Silva", "Smith", "García", "Martin", "Müller", "Rossi", "Santos", "Dubois", "Schmidt")
ORGANISATIONS = [
    "Ministry of Health",
    "Ministère de l'Intérieur",
    "Partido Popular",
    "Prefeitura de São Paulo",
    "Bundesregierung",
    "World Health Organization",
    "Daily Herald",
]
PLATFORMS = (
    "https://x.com/user{n}/status/{id}",
    "https://www.facebook.com/page{n}/posts/{id}",
    "https://www.tiktok.com/@creator{n}/video/{id}",
    "https://t.me/channel{n}/{id}",
    "https://www.youtube.com/watch?v=v{id}x{n}",
    "https://www.instagram.com/p/C{id}n{n}/",
)
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_DAYS = (datetime(2026, 9, 30, tzinfo=UTC) - START).days


@dataclass
class Generated:
    path: Path
    records: int
    bytes: int
    bad: int
    declared_language: int
    seconds: float


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    labels, weights = zip(*weighted, strict=True)
    return str(rng.choices(labels, weights)[0])


def _date(rng: random.Random) -> datetime:
    return START + timedelta(days=rng.randrange(SPAN_DAYS), seconds=rng.randrange(86_400))


def _date_text(rng: random.Random, moment: datetime) -> str:
    form = rng.random()
    if form < 0.4:
        return moment.strftime("%Y-%m-%d")
    if form < 0.7:
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def record(n: int, rng: random.Random) -> tuple[dict[str, Any], bool]:
    """The n-th ClaimReview and whether it declares inLanguage."""
    site = PUBLISHERS[rng.randrange(len(PUBLISHERS))]
    language = rng.choice(site.languages)
    words = WORDS[language]
    claim = " ".join(rng.choice(words) for _ in range(rng.randint(10, 30)))
    claim = claim[0].upper() + claim[1:] + "."
    label = _pick(rng, LABELS[language])
    published = _date(rng)
    ascii_claim = unicodedata.normalize("NFKD", claim).encode("ascii", "ignore").decode()
    slug = "-".join(ascii_claim.lower().rstrip(".").split()[:6])
    url = (
        f"https://{site.host}/{SECTION[language]}/{published:%Y/%m}/"
        f"{re.sub(r'[^a-z0-9-]+', '', slug) or 'claim'}-{n}"
    )
    authors: list[dict[str, Any]] = [{"@type": "Organization", "name": site.name, "url": site.home}]
    if site.journalists and rng.random() < 0.6:
        person = _person(rng)
        authors.append(
            {
                "@type": "Person",
                "name": person,
                "url": f"https://{site.host}/author/{person.lower().replace(' ', '-')}",
            }
        )
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": label}
    if site.scale:
        value = SCALE_VALUE.get(label.lower(), 2)
        rating |= {"ratingValue": value, "bestRating": 5, "worstRating": 1}
    item: dict[str, Any] = {
        "@type": "Claim",
        "appearance": [
            {
                "@type": "CreativeWork",
                "url": rng.choice(PLATFORMS).format(n=n, id=rng.randrange(10**12, 10**13)),
            }
        ],
    }
    if rng.random() < 0.5:
        if rng.random() < 0.8:
            item["author"] = {"@type": "Person", "name": _person(rng)}
        else:
            item["author"] = {"@type": "Organization", "name": rng.choice(ORGANISATIONS)}
    if rng.random() < 0.4:
        item["datePublished"] = (published - timedelta(days=rng.randrange(1, 20))).strftime(
            "%Y-%m-%d"
        )
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": url,
        "name": HEADLINE[language].format(claim[:80].rstrip(".")),
        "claimReviewed": claim,
        "datePublished": _date_text(rng, published),
        "author": authors if len(authors) > 1 else authors[0],
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if rng.random() < 0.5:
        doc["reviewBody"] = SUMMARY[language].format(label.lower())
    declared = rng.random() < 0.7
    if declared:
        doc["inLanguage"] = language
    return doc, declared


def spoil(doc: dict[str, Any], rng: random.Random) -> None:
    """Make a record one the import must reject."""
    kind = rng.randrange(3)
    if kind == 0:
        del doc["claimReviewed"]
    elif kind == 1:
        doc["url"] = "javascript:alert(1)"
    else:
        doc["reviewRating"] = {"@type": "Rating", "ratingValue": 1}


def generate(records: int, seed: int, bad_share: float = 0.03) -> Generated:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"import-{records}-s{seed}.ndjson"
    rng = random.Random(seed)
    started = time.perf_counter()
    bad = declared = 0
    with path.open("wb") as out:
        for n in range(records):
            doc, has_language = record(n, rng)
            if rng.random() < bad_share:
                spoil(doc, rng)
                bad += 1
            else:
                declared += has_language
            out.write(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
            out.write(b"\n")
    return Generated(
        path, records, path.stat().st_size, bad, declared, time.perf_counter() - started
    )


# --- databases -----------------------------------------------------------------------------------


def fresh_database(engine: str, via: str, records: int, pg_url: str) -> str:
    from app.storage.migrate import upgrade

    if engine == "sqlite":
        path = RESULTS / f"import-{via}-{records}.db"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        libpq = pg_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(libpq, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
            connection.execute(f"CREATE SCHEMA {PG_SCHEMA}")
        url = f"{pg_url}?options=-csearch_path%3D{PG_SCHEMA}"
    upgrade(url)
    return url


COUNTS = {
    "reviews": "SELECT count(*) FROM review",
    "rendered": "SELECT count(*) FROM review WHERE jsonld IS NOT NULL AND status = 'published'",
    "claims": "SELECT count(*) FROM claim",
    "appearances": "SELECT count(*) FROM appearance",
    "search_docs": "SELECT count(*) FROM search_doc",
    "publishers": "SELECT count(*) FROM publisher",
}


def counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: connection.execute(text(sql)).scalar_one() for name, sql in COUNTS.items()
            }
    finally:
        engine.dispose()


# --- runs ----------------------------------------------------------------------------------------


@dataclass
class Run:
    engine: str
    via: str
    records: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0  # wall clock: process start to exit (cli), request sent to answer (http)
    cpu_seconds: float = 0.0  # the importing process's own user + system time
    peak_rss_mb: float = 0.0
    reported: str = ""  # the command's own summary line
    load_before: float = 0.0
    load_after: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    check: str = ""
    ok: bool = False

    @property
    def rate(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def _env(url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "CLAIMREVIEW_DATABASE_URL": url,
        "CLAIMREVIEW_LOG_LEVEL": "warning",
        **extra,
    }


def _command(*args: str) -> list[str]:
    script = BIN / "claimreview"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "app.cli", *args]


SUMMARY_LINE = re.compile(
    r"Imported: (\d+) created, (\d+) updated, (\d+) unchanged, (\d+) rejected "
    r"in [\d.]+ s \([\d,]+ records/s\)\."
)


def via_cli(run: Run, url: str, data: Path) -> None:
    log = RESULTS / f"import-{run.engine}-cli.stderr"
    with log.open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            _command("import", str(data)),
            cwd=ROOT,
            env=_env(url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would be the max over all).
        _, status, usage = os.wait4(child.pid, 0)
        run.seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    run.cpu_seconds = usage.ru_utime + usage.ru_stime
    run.peak_rss_mb = usage.ru_maxrss / 1024  # KiB on Linux
    output = log.read_text(errors="replace")
    match = SUMMARY_LINE.search(output)
    if child.returncode != 0 or match is None:
        raise RuntimeError(f"claimreview import exited with {child.returncode}:\n{output[-3000:]}")
    run.reported = match.group(0)
    run.created, run.updated, run.unchanged, run.rejected = map(int, match.groups())


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def via_http(run: Run, url: str, data: Path) -> None:
    created = subprocess.run(
        _command("keys", "create", "--role", "importer", "--name", "bench-import"),
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout.strip()
    extra = {}
    size = data.stat().st_size
    if size > DEFAULT_IMPORT_LIMIT:
        # The default body limit of POST /v1/import is 50 MB; 100,000 records are larger.
        extra["CLAIMREVIEW_MAX_IMPORT_BYTES"] = str(size + CHUNK)
        print(f"  (server started with CLAIMREVIEW_MAX_IMPORT_BYTES={size + CHUNK})", flush=True)
    server = Server(_env(url, **extra))
    try:
        cpu_before = server.cpu_seconds()
        with httpx.Client(timeout=httpx.Timeout(7200.0, connect=10.0)) as client:
            started = time.perf_counter()
            response = client.post(
                f"{server.base}/v1/import",
                content=_chunks(data),
                headers={
                    "Authorization": f"Bearer {key}",
                    "Content-Type": "application/x-ndjson",
                },
            )
            run.seconds = time.perf_counter() - started
        run.cpu_seconds = server.cpu_seconds() - cpu_before
        run.peak_rss_mb = server.peak_rss_mb()
        if response.status_code != 200:
            raise RuntimeError(f"POST /v1/import: {response.status_code} {response.text[:2000]}")
        report = response.json()
        run.created, run.updated, run.unchanged = (
            report["created"],
            report["updated"],
            report["unchanged"],
        )
        run.rejected = len(report["rejected"])
        run.reported = (
            f"{run.created} created, {run.updated} updated, {run.unchanged} unchanged, "
            f"{run.rejected} rejected"
        )
    finally:
        server.stop()


def verify(run: Run, url: str, generated: Generated) -> None:
    found = counts(url)
    run.counts = found
    good = generated.records - generated.bad
    problems = []
    if run.created != good or run.rejected != generated.bad or run.updated or run.unchanged:
        problems.append(f"expected {good} created and {generated.bad} rejected")
    for name in ("reviews", "rendered", "claims", "appearances", "search_docs"):
        if found[name] != run.created:
            problems.append(f"{name} {found[name]} != created {run.created}")
    if found["publishers"] != len(PUBLISHERS):
        problems.append(f"publishers {found['publishers']} != {len(PUBLISHERS)}")
    run.ok = not problems
    run.check = (
        "ok: " + ", ".join(f"{k} {v:,}" for k, v in found.items())
        if run.ok
        else "FAILED: " + "; ".join(problems)
    )


# --- main ----------------------------------------------------------------------------------------


def _both(value: str, options: tuple[str, str]) -> tuple[str, ...]:
    return options if value == "both" else (value,)


def print_table(runs: list[Run]) -> None:
    header = (
        f"{'engine':<11}{'via':<6}{'records':>9}{'created':>9}{'rejected':>9}"
        f"{'seconds':>9}{'records/s':>11}{'CPU s':>8}{'peak RSS MB':>13}{'load':>11}"
    )
    print("\n" + header)
    print("-" * len(header))
    for r in runs:
        print(
            f"{r.engine:<11}{r.via:<6}{r.records:>9,}{r.created:>9,}{r.rejected:>9,}"
            f"{r.seconds:>9.1f}{r.rate:>11,.0f}{r.cpu_seconds:>8.1f}{r.peak_rss_mb:>13.0f}"
            f"{f'{r.load_before:.1f}-{r.load_after:.1f}':>11}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--via", choices=("cli", "http", "both"), default="both")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg-url", default=PG_URL, help=f"PostgreSQL server ({PG_URL})")
    args = parser.parse_args(argv)

    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; Python "
        f"{sys.version.split()[0]}",
        flush=True,
    )
    generated = generate(args.records, args.seed)
    print(
        f"generated {generated.records:,} records ({generated.bad:,} deliberately bad, "
        f"{generated.declared_language:,} of the good ones with inLanguage) into "
        f"{generated.path.relative_to(ROOT)}: {generated.bytes / 1e6:.1f} MB in "
        f"{generated.seconds:.1f} s",
        flush=True,
    )
    runs: list[Run] = []
    for engine in _both(args.engine, ("sqlite", "postgresql")):
        for via in _both(args.via, ("cli", "http")):
            url = fresh_database(engine, via, args.records, args.pg_url)
            run = Run(engine, via, args.records, load_before=os.getloadavg()[0])
            print(f"{engine} via {via}: importing {args.records:,} records ...", flush=True)
            (via_cli if via == "cli" else via_http)(run, url, generated.path)
            run.load_after = os.getloadavg()[0]
            print(
                f"  {run.reported}; {run.seconds:.1f} s wall, {run.rate:,.0f} records/s, "
                f"CPU {run.cpu_seconds:.1f} s, peak RSS {run.peak_rss_mb:.0f} MB, "
                f"load {run.load_before:.1f}->{run.load_after:.1f}",
                flush=True,
            )
            verify(run, url, generated)
            print(f"  check {run.check}", flush=True)
            runs.append(run)

    print_table(runs)
    for r in runs:
        if r.engine == "sqlite" and r.via == "cli":
            verdict = "met" if r.rate >= TARGET else "NOT met"
            print(
                f"\ntarget: SQLite from the command line >= {TARGET:,.0f} records/s: {verdict} "
                f"({r.rate:,.0f} records/s wall clock; {r.records / r.cpu_seconds:,.0f} per "
                f"CPU second; its own report: {r.reported})"
            )
    out = RESULTS / f"import-{args.records}-{int(time.time())}.json"
    out.write_text(
        json.dumps(
            {
                "generated": {**asdict(generated), "path": str(generated.path)},
                "runs": [asdict(r) | {"rate": r.rate} for r in runs],
            },
            indent=2,
        )
    )
    print(f"figures saved to {out.relative_to(ROOT)}")
    return 0 if all(r.ok for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
