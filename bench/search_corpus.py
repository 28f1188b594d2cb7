"""A synthetic, multilingual corpus of claims for the search benchmark, and its bulk loader.

Deterministic: everything follows from a seed. Each language has a vocabulary of pronounceable
made-up words (built from that language's syllables) whose ranks follow a Zipf law
(weight 1/rank^1.07, as running text roughly does), so that a query word can be chosen by how
common it is: `Vocabulary.band`. Words of en/fr/es/pt/de sometimes carry an inflection
(plural, verb or noun endings) that the language's stemmer takes off again, French words
sometimes an elided article (l', d'), Arabic words the article ال: the analysis does the work
it does on real text. Each vocabulary word analyses to one token of its own, so a word's rank
is its token's rank. Chinese words are runs of 1-3 Han characters written without spaces.

The loader writes the rows the service would have written for these claims, straight into the
tables: publishers and their sites, claims, published reviews (verdict from
`normalize_verdict`, url_key from `normalize_url`) and the search index, each claim's
`build_document(...)` exactly as `app.domain.indexing` makes it. Worker processes generate and
analyse; on SQLite each fills a staging file that the main process then merges in sorted
order (indexes are dropped during the load and recreated from their own SQL), on PostgreSQL
each COPYs straight into the tables.
"""

import bisect
import hashlib
import itertools
import json
import multiprocessing
import random
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from app.domain.claims import claim_text_key
from app.domain.urls import normalize_url
from app.domain.verdicts import normalize_verdict
from app.search.analysis import analyze
from app.search.documents import ReviewText, build_document
from app.storage.search import tsvector_literal

# Bump when a change here changes the corpus: cached vocabularies and databases are then rebuilt.
CORPUS_VERSION = "1"
ZIPF_S = 1.07
VOCABULARY_SIZE = 30_000
# Query bands, by rank (0-based) in a language's vocabulary.
BANDS: dict[str, tuple[int, int]] = {
    "common": (5, 50),
    "middling": (200, 2_000),
    "rare": (5_000, 20_000),
}
ROOT = Path(__file__).resolve().parent.parent


# --- languages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Language:
    code: str  # primary subtag: what the `language` filter takes
    tag: str  # what claims and reviews carry
    share: float  # of the claims
    onsets: tuple[str, ...] = ()
    vowels: tuple[str, ...] = ()
    codas: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()  # inflections; kept for a word when its stem stays the same
    labels: tuple[tuple[str, float], ...] = ()  # rating labels and how often


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(" "))


LANGUAGES: tuple[Language, ...] = (
    Language(
        "en",
        "en",
        0.30,
        _split("b c d f g h j k l m n p r s t v w st tr br cl gr pl sh th ch bl dr fl"),
        _split("a e i o u ea ou ai oo ee"),
        ("", "", "", "n", "r", "t", "st", "nd", "ll", "ck", "m", "sk"),
        ("s", "ed", "ing", "es", "ly"),
        (
            ("False", 0.35),
            ("Misleading", 0.2),
            ("Mostly false", 0.1),
            ("Half true", 0.1),
            ("Missing context", 0.1),
            ("True", 0.1),
            ("Satire", 0.05),
        ),
    ),
    Language(
        "fr",
        "fr",
        0.15,
        _split("b c d f g j l m n p r s t v ch gr pr tr bl cr fr pl"),
        _split("a e i o u é è ou ai eau an on in oi"),
        ("", "", "", "", "r", "l", "s", "n", "t"),
        ("s", "e", "es", "er", "ée", "ées", "ent", "ement"),
        (
            ("Faux", 0.35),
            ("Trompeur", 0.2),
            ("Plutôt faux", 0.1),
            ("Manque de contexte", 0.15),
            ("Vrai", 0.15),
            ("Satire", 0.05),
        ),
    ),
    Language(
        "es",
        "es",
        0.15,
        _split("b c d f g j l m n p r s t v ll ñ ch br tr pl gr"),
        _split("a e i o u á é í ó ú ia ue"),
        ("", "", "", "", "n", "r", "s", "l"),
        ("s", "es", "ar", "ado", "ción", "mente", "aba"),
        (
            ("Falso", 0.35),
            ("Engañoso", 0.2),
            ("Mayormente falso", 0.1),
            ("Impreciso", 0.15),
            ("Verdadero", 0.15),
            ("Sátira", 0.05),
        ),
    ),
    Language(
        "pt",
        "pt-BR",
        0.12,
        _split("b c d f g j l m n p r s t v lh nh ch br tr pr"),
        _split("a e i o u ã õ á ê ó ei ou"),
        ("", "", "", "", "r", "s", "l", "m"),
        ("s", "ar", "ado", "ção", "ções", "mente", "ava"),
        (
            ("Falso", 0.35),
            ("Enganoso", 0.2),
            ("Distorcido", 0.1),
            ("Sem contexto", 0.15),
            ("Verdadeiro", 0.15),
            ("Sátira", 0.05),
        ),
    ),
    Language(
        "de",
        "de",
        0.12,
        _split("b d f g h k l m n p r s t w z sch st pf kr br tr gr fl"),
        _split("a e i o u ä ö ü ei au ie eu"),
        ("", "", "n", "r", "t", "ch", "ck", "ng", "ss", "lt", "rn"),
        ("en", "e", "er", "es", "ung", "ungen", "lich"),
        (
            ("Falsch", 0.35),
            ("Irreführend", 0.2),
            ("Größtenteils falsch", 0.1),
            ("Fehlender Kontext", 0.15),
            ("Richtig", 0.15),
            ("Satire", 0.05),
        ),
    ),
    Language(
        "zh",
        "zh-Hans",
        0.08,
        labels=(("错误", 0.45), ("误导", 0.2), ("部分错误", 0.15), ("正确", 0.2)),
    ),
    Language(
        "ar",
        "ar",
        0.08,
        _split("ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي"),
        ("", "", "ا", "و", "ي"),
        ("",),
        ("ات", "ون", "ة", "ين"),
        (("خطأ", 0.4), ("مضلل", 0.25), ("زائف", 0.15), ("صحيح", 0.2)),
    ),
)
LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}


# --- vocabularies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """One language's vocabulary, most frequent first."""

    language: Language
    words: tuple[str, ...]  # base forms, by rank
    forms: tuple[tuple[str, ...], ...]  # per rank: other spellings that give the same token
    cumulative: tuple[float, ...]  # Zipf cumulative weights, for random.choices

    def band(self, name: str) -> tuple[str, ...]:
        low, high = BANDS[name]
        return self.words[low:high]


def _zipf_cumulative(size: int, s: float = ZIPF_S) -> tuple[float, ...]:
    total = 0.0
    out = []
    for rank in range(1, size + 1):
        total += 1.0 / rank**s
        out.append(total)
    return tuple(out)


def _latin_word(rng: random.Random, language: Language, syllables: int) -> str:
    parts = []
    for i in range(syllables):
        onset = rng.choice(language.onsets) if i or rng.random() < 0.8 else ""
        coda = rng.choice(language.codas) if i == syllables - 1 or rng.random() < 0.15 else ""
        parts.append(onset + rng.choice(language.vowels) + coda)
    return "".join(parts)


def _arabic_word(rng: random.Random, language: Language, syllables: int) -> str:
    return "".join(
        rng.choice(language.onsets) + rng.choice(language.vowels) for _ in range(syllables + 1)
    )


_HAN = [chr(0x4E00 + i) for i in range(0x5000)]


def _han_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_HAN) for _ in range(min(syllables, 3)))


def _build_words(language: Language, seed: int, size: int) -> Words:
    rng = random.Random(f"{seed}:{language.code}:words")
    tokens: set[str] = set()
    words: list[str] = []
    forms: list[tuple[str, ...]] = []
    # The most frequent words are the shortest, as in real languages.
    syllable_weights = (1, 3, 4, 2) if language.code != "zh" else (0, 5, 2, 0)
    pool = rng.sample(_HAN, 3_000) if language.code == "zh" else []
    attempts = 0
    while len(words) < size:
        attempts += 1
        if attempts > size * 50:
            raise RuntimeError(f"{language.code}: cannot make {size} distinct words")
        short = len(words) < size // 50
        syllables = rng.choices((1, 2, 3, 4), weights=syllable_weights)[0]
        if short and language.code != "zh":
            syllables = min(syllables, 2)
        if language.code == "zh":
            word = "".join(rng.choice(pool) for _ in range(syllables))
        elif language.code == "ar":
            word = _arabic_word(rng, language, syllables)
        else:
            word = _latin_word(rng, language, syllables)
        analysed = analyze(word, language.tag)
        if language.code == "zh":
            if word in tokens or any(t in tokens for t in analysed):
                continue
            tokens.update(analysed)
            tokens.add(word)
            words.append(word)
            forms.append(())
            continue
        if len(analysed) != 1 or analysed[0] in tokens:
            continue
        token = analysed[0]
        kept = tuple(
            word + suffix
            for suffix in language.suffixes
            if analyze(word + suffix, language.tag) == [token]
        )
        if language.code == "ar":
            kept = ("ال" + word, *kept) if analyze("ال" + word, "ar") == [token] else kept
        tokens.add(token)
        words.append(word)
        forms.append(kept)
    return Words(language, tuple(words), tuple(forms), _zipf_cumulative(size))


RESULTS = ROOT / "bench" / "results"


@cache
def vocabulary(seed: int, size: int = VOCABULARY_SIZE) -> dict[str, Words]:
    """Every language's vocabulary; cached in bench/results (building it analyses ~1M words)."""
    cached = RESULTS / f"search-vocabulary-{seed}-{size}-{fingerprint()}.json"
    if cached.exists():
        data = json.loads(cached.read_text(encoding="utf-8"))
        cumulative = _zipf_cumulative(size)
        return {
            language.code: Words(
                language,
                tuple(data[language.code]["words"]),
                tuple(tuple(f) for f in data[language.code]["forms"]),
                cumulative,
            )
            for language in LANGUAGES
        }
    built = {language.code: _build_words(language, seed, size) for language in LANGUAGES}
    RESULTS.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    partial.write_text(
        json.dumps(
            {code: {"words": w.words, "forms": w.forms} for code, w in built.items()},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    partial.rename(cached)
    return built


@dataclass(frozen=True)
class Names:
    first: tuple[str, ...]
    last: tuple[str, ...]


@cache
def _names(seed: int, code: str) -> Names:
    language = LANGUAGE_BY_CODE[code]
    rng = random.Random(f"{seed}:{code}:names")
    if code == "zh":
        han = rng.sample(_HAN, 400)
        return Names(tuple(han[:60]), tuple(a + b for a, b in itertools.pairwise(han[60:])))
    make = _arabic_word if code == "ar" else _latin_word
    first = tuple({make(rng, language, rng.choice((1, 2, 2, 3))): 0 for _ in range(300)})
    last = tuple({make(rng, language, rng.choice((2, 2, 3))): 0 for _ in range(1_500)})
    if code != "ar":
        first = tuple(w.capitalize() for w in first)
        last = tuple(w.capitalize() for w in last)
    return Names(first, last)


# --- publishers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchPublisher:
    id: str
    name: str
    sites: tuple[str, ...]
    languages: tuple[str, ...]  # codes


PUBLISHERS: tuple[BenchPublisher, ...] = (
    BenchPublisher("truthcheck", "TruthCheck", ("truthcheck.example.com",), ("en",)),
    BenchPublisher("factwire", "FactWire", ("factwire.example.org", "fw.example.net"), ("en",)),
    BenchPublisher("lens-news", "Lens News Verify", ("verify.lens.example",), ("en", "es")),
    BenchPublisher("claimwatch", "ClaimWatch", ("claimwatch.example.co.uk",), ("en",)),
    BenchPublisher("global-checks", "Global Checks", ("globalchecks.example",), ("en", "fr")),
    BenchPublisher("newsguard-x", "Newsguard X", ("nx.example.com",), ("en", "de")),
    BenchPublisher("les-verifs", "Les Vérifs", ("lesverifs.example.fr",), ("fr",)),
    BenchPublisher("decodeur", "Le Décodeur", ("decodeur.example.fr", "dec.example.be"), ("fr",)),
    BenchPublisher("chequeado-x", "Chequeo Ya", ("chequeoya.example.ar",), ("es",)),
    BenchPublisher("verifica-mx", "Verifica MX", ("verifica.example.mx",), ("es",)),
    BenchPublisher("maldito-x", "Bulo Cero", ("bulocero.example.es",), ("es",)),
    BenchPublisher("checagem-br", "Checagem BR", ("checagem.example.com.br",), ("pt",)),
    BenchPublisher("fato-ou-fake", "Fato ou Falso", ("fatooufalso.example.br",), ("pt",)),
    BenchPublisher("lupa-x", "Lupa X", ("lupa.example.pt",), ("pt", "es")),
    BenchPublisher("faktenfuchs", "Faktenfuchs", ("faktenfuchs.example.de",), ("de",)),
    BenchPublisher("correctiv-x", "Korrektiv", ("korrektiv.example.de",), ("de",)),
    BenchPublisher("mimikama-x", "Mimi Check", ("mimicheck.example.at",), ("de",)),
    BenchPublisher("zhenxiang-x", "真相核查", ("zhenxiang.example.cn",), ("zh",)),
    BenchPublisher("taiwan-fc", "事实查核", ("tfc.example.tw",), ("zh",)),
    BenchPublisher("misbar-x", "مسبار", ("misbar.example.net", "misbar.example.ae"), ("ar",)),
    BenchPublisher("fatabyyano-x", "فتبينوا", ("fatabyyano.example.net",), ("ar",)),
)


def publishers_for(code: str) -> tuple[BenchPublisher, ...]:
    return tuple(p for p in PUBLISHERS if code in p.languages)


# --- claims -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSpec:
    publisher_id: str
    url: str
    headline: str
    language: str
    label: str
    date_published: datetime


@dataclass(frozen=True)
class ClaimSpec:
    id: int
    text: str
    language: str  # tag
    claimant: str | None
    claim_date: datetime | None
    created_at: datetime
    reviews: tuple[ReviewSpec, ...]


START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2026, 6, 30, tzinfo=UTC) - START).total_seconds())
_LANGUAGE_CUMULATIVE = tuple(
    sum(lang.share for lang in LANGUAGES[: i + 1]) for i in range(len(LANGUAGES))
)
_VOWELS = frozenset("aeiouéèêáíóúàâôh")


def _sentence(rng: random.Random, words: Words, count: int) -> str:
    ranks = rng.choices(range(len(words.words)), cum_weights=words.cumulative, k=count)
    code = words.language.code
    out = []
    for rank in ranks:
        word = words.words[rank]
        forms = words.forms[rank]
        if forms and rng.random() < 0.25:
            word = rng.choice(forms)
        if code == "fr" and word[0] in _VOWELS and rng.random() < 0.15:
            word = rng.choice(("l'", "d'", "l’")) + word
        out.append(word)
    if code == "zh":
        text = ""
        for i, word in enumerate(out):
            text += word + ("，" if i % 7 == 6 else "")
        return text + "。"
    if code != "ar":
        out[0] = out[0][0].upper() + out[0][1:]
    if count > 10:
        out[count // 2] += ","
    return " ".join(out) + "."


def _claimant(rng: random.Random, seed: int, code: str) -> str:
    names = _names(seed, code)
    # Some people are claimants far more often than others.
    first = names.first[min(int(rng.paretovariate(1.2)) - 1, len(names.first) - 1)]
    last = names.last[min(int(rng.paretovariate(1.0)) - 1, len(names.last) - 1)]
    if code == "zh":
        return last[:1] + first
    return f"{first} {last}"


def _label(rng: random.Random, language: Language) -> str:
    labels, weights = zip(*language.labels, strict=True)
    return rng.choices(labels, weights=weights)[0]


def claims(seed: int, start: int, stop: int) -> Iterator[ClaimSpec]:
    """Claims with ids start..stop-1; the same ids always give the same claims."""
    words = vocabulary(seed)
    rng = random.Random(f"{seed}:claims:{start}")
    for claim_id in range(start, stop):
        language = LANGUAGES[
            min(bisect.bisect(_LANGUAGE_CUMULATIVE, rng.random()), len(LANGUAGES) - 1)
        ]
        vocab = words[language.code]
        text = _sentence(rng, vocab, rng.randint(8, 30))
        claimant = _claimant(rng, seed, language.code) if rng.random() < 0.5 else None
        moment = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        claim_date = moment if rng.random() < 0.9 else None
        reviews = []
        candidates = publishers_for(language.code)
        chosen = rng.sample(candidates, min(len(candidates), 1 if rng.random() < 0.7 else 2))
        for k, publisher in enumerate(chosen):
            published = moment + timedelta(seconds=rng.randrange(2 * 3600, 30 * 86400))
            reviews.append(
                ReviewSpec(
                    publisher_id=publisher.id,
                    url=f"https://{publisher.sites[0]}/fact-check/{published:%Y/%m}/"
                    f"claim-{claim_id}-{k}",
                    headline=_sentence(rng, vocab, rng.randint(6, 12)),
                    language=language.tag,
                    label=_label(rng, language),
                    date_published=published,
                )
            )
        yield ClaimSpec(
            id=claim_id,
            text=text,
            language=language.tag,
            claimant=claimant,
            claim_date=claim_date,
            created_at=max(r.date_published for r in reviews) + timedelta(hours=1),
            reviews=tuple(reviews),
        )


def document(claim: ClaimSpec) -> Any:
    """The search document the service makes of a claim (as `app.domain.indexing` does)."""
    return build_document(
        claim_id=claim.id,
        text=claim.text,
        language=claim.language,
        claimant=claim.claimant,
        claim_date=claim.claim_date,
        created_at=claim.created_at,
        reviews=[ReviewText(r.headline, None, r.language, r.date_published) for r in claim.reviews],
    )


# --- rows ---------------------------------------------------------------------------------------

CLAIM_COLUMNS = (
    "id, text, text_key, language, claimant_name, claimant_type, claimant_url, claim_date, "
    "first_appearance_url, created_by, created_at, updated_at, deleted_at"
)
REVIEW_COLUMNS = (
    "claim_id, publisher_id, url, url_key, headline, language, rating_label, rating_value, "
    "rating_best, rating_worst, rating_explanation, verdict, summary, authors, date_published, "
    "date_modified, status, version, created_at, updated_at, deleted_at, jsonld, jsonld_etag, "
    "rendered_at"
)
DOC_COLUMNS = "claim_id, language, length, sort_date, terms, claimant_terms"
POSTING_COLUMNS = "term, claim_id, weight"


def _sqlite_time(value: datetime | None) -> str | None:
    """What SQLAlchemy's DateTime stores on SQLite (and SqliteSearchIndex._when compares)."""
    if value is None:
        return None
    # = strftime("%Y-%m-%d %H:%M:%S.%f"), several times faster
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Rows:
    claims: list[tuple[Any, ...]]
    reviews: list[tuple[Any, ...]]
    docs: list[tuple[Any, ...]]
    postings: list[tuple[Any, ...]]


def rows(seed: int, start: int, stop: int, postgres: bool) -> Rows:
    when = _naive if postgres else _sqlite_time
    out = Rows([], [], [], [])
    for claim in claims(seed, start, stop):
        created = when(claim.created_at)
        first = claim.reviews[0].publisher_id
        out.claims.append(
            (
                claim.id,
                claim.text,
                claim_text_key(claim.text),
                claim.language,
                claim.claimant,
                "Person" if claim.claimant else None,
                None,
                when(claim.claim_date),
                None,
                first,
                created,
                created,
                None,
            )
        )
        for review in claim.reviews:
            published = when(review.date_published)
            out.reviews.append(
                (
                    claim.id,
                    review.publisher_id,
                    review.url,
                    normalize_url(review.url),
                    review.headline,
                    review.language,
                    review.label,
                    None,
                    None,
                    None,
                    None,
                    normalize_verdict(review.label).value,
                    None,
                    "[]",
                    published,
                    None,
                    "published",
                    1,
                    created,
                    created,
                    None,
                    None,
                    None,
                    None,
                )
            )
        doc = document(claim)
        row = (
            doc.claim_id,
            doc.language,
            doc.length,
            when(doc.sort_date),
            doc.terms,
            doc.claimant_text,
        )
        out.docs.append((*row, tsvector_literal(doc)) if postgres else row)
        out.postings.extend((term, doc.claim_id, weight) for term, weight in doc.weights.items())
    return out


# --- loading ------------------------------------------------------------------------------------

CHUNK = 5_000


@cache
def fingerprint() -> str:
    """Changes when the analysis does (or CORPUS_VERSION): part of the cached vocabulary's and
    database's names. Migrations are not part of it: a reused database is upgraded to head, as a
    running service's would be (bump CORPUS_VERSION when a migration needs data the loader
    writes)."""
    digest = hashlib.sha256(CORPUS_VERSION.encode())
    for path in (
        ROOT / "app/search/analysis.py",
        ROOT / "app/search/documents.py",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _report(what: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    print(
        f"  {what}: {done:>9,}/{total:,} claims  {rate:7,.0f}/s  {elapsed:6.1f}s  eta {eta:5.0f}s",
        flush=True,
    )


def _ranges(count: int, workers: int) -> list[list[tuple[int, int]]]:
    """Contiguous id ranges per worker, cut into chunks."""
    per = -(-count // workers)
    out = []
    for w in range(workers):
        low, high = 1 + w * per, min(count, (w + 1) * per) + 1
        out.append([(s, min(s + CHUNK, high)) for s in range(low, high, CHUNK)])
    return out


_STAGE_TABLES = {
    "claim": CLAIM_COLUMNS,
    "review": REVIEW_COLUMNS,
    "search_doc": DOC_COLUMNS,
    "search_posting": POSTING_COLUMNS,
}


def _placeholders(columns: str) -> str:
    return ", ".join("?" for _ in columns.split(","))


def _sqlite_worker(
    seed: int, stage: str, chunks: list[tuple[int, int]], progress: Any
) -> None:  # pragma: no cover - runs in a child process
    connection = sqlite3.connect(stage, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    for table, columns in _STAGE_TABLES.items():
        connection.execute(f"CREATE TABLE {table} ({columns})")
    for start, stop in chunks:
        made = rows(seed, start, stop, postgres=False)
        connection.execute("BEGIN")
        for table, data in (
            ("claim", made.claims),
            ("review", made.reviews),
            ("search_doc", made.docs),
            ("search_posting", made.postings),
        ):
            columns = _STAGE_TABLES[table]
            connection.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({_placeholders(columns)})", data
            )
        connection.execute("COMMIT")
        progress.put(stop - start)
    connection.close()


def _run_workers(target: Any, jobs: list[tuple[Any, ...]], total: int, what: str) -> float:
    context = multiprocessing.get_context("fork")  # the vocabulary is built once, inherited
    progress = context.Queue()
    started = time.perf_counter()
    processes = [context.Process(target=target, args=(*job, progress)) for job in jobs]
    for process in processes:
        process.start()
    done = 0
    next_report = 0
    try:
        while done < total:
            try:
                done += progress.get(timeout=5)
            except Exception:  # queue.Empty: check the workers are still alive
                if any(p.exitcode not in (None, 0) for p in processes):
                    raise RuntimeError("a loader worker failed") from None
                continue
            if done >= next_report or done == total:
                _report(what, done, total, started)
                next_report = done + max(total // 20, CHUNK)
        for process in processes:
            process.join()
            if process.exitcode != 0:
                raise RuntimeError("a loader worker failed")
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
    return time.perf_counter() - started


def _publisher_rows(postgres: bool) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    now = datetime(2026, 7, 1, tzinfo=UTC)
    when = _naive(now) if postgres else _sqlite_time(now)
    publishers = [
        (
            p.id,
            p.name,
            f"https://{p.sites[0]}/",
            None,
            json.dumps(list(p.sites)),
            json.dumps([LANGUAGE_BY_CODE[c].tag for c in p.languages]),
            "{}",
            when,
            when,
        )
        for p in PUBLISHERS
    ]
    sites = [(host, p.id) for p in PUBLISHERS for host in p.sites]
    return publishers, sites


PUBLISHER_COLUMNS = (
    "id, name, url, logo_url, sites, languages, verdict_overrides, created_at, updated_at"
)


@dataclass
class LoadReport:
    claims: int
    reviews: int
    postings: int
    terms: int
    seconds: float
    phases: dict[str, float]
    size_bytes: int = 0


def load_sqlite(path: Path, count: int, seed: int, workers: int = 2) -> LoadReport:
    """Build a complete, migrated SQLite database of `count` claims at `path`."""
    from app.storage.migrate import upgrade

    started = time.perf_counter()
    phases: dict[str, float] = {}
    temporary = path.with_name(path.name + ".partial")
    stages = [path.with_name(f"{path.name}.stage{w}") for w in range(workers)]
    for stale in (temporary, *stages):
        stale.unlink(missing_ok=True)
        Path(f"{stale}-wal").unlink(missing_ok=True)
        Path(f"{stale}-shm").unlink(missing_ok=True)
    upgrade(f"sqlite:///{temporary}")
    vocabulary(seed)  # built here, inherited by the workers
    phases["migrate+vocabulary"] = time.perf_counter() - started

    db = sqlite3.connect(temporary, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-1000000")
        db.execute("PRAGMA threads=2")
        publishers, sites = _publisher_rows(postgres=False)
        db.execute("BEGIN")
        db.executemany(
            f"INSERT INTO publisher ({PUBLISHER_COLUMNS}) VALUES "
            f"({_placeholders(PUBLISHER_COLUMNS)})",
            publishers,
        )
        db.executemany("INSERT INTO publisher_site (host, publisher_id) VALUES (?, ?)", sites)
        db.execute("COMMIT")
        # Secondary indexes are dropped for the load and recreated from their own SQL.
        indexes = db.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('claim', 'review', 'search_doc', 'search_posting')"
        ).fetchall()
        for name, _ in indexes:
            db.execute(f"DROP INDEX {name}")

        jobs = [
            (seed, str(stage), chunks)
            for stage, chunks in zip(stages, _ranges(count, workers), strict=True)
        ]
        phases["generate+analyse"] = _run_workers(_sqlite_worker, jobs, count, "generate+analyse")

        step = time.perf_counter()
        for w, stage in enumerate(stages):
            db.execute(f"ATTACH DATABASE '{stage}' AS s{w}")
        db.execute("BEGIN")
        for table in ("claim", "review", "search_doc"):
            columns = _STAGE_TABLES[table]
            for w in range(workers):
                db.execute(
                    f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM s{w}.{table}"
                )
        union = " UNION ALL ".join(
            f"SELECT {POSTING_COLUMNS} FROM s{w}.search_posting" for w in range(workers)
        )
        db.execute(
            f"INSERT INTO main.search_posting ({POSTING_COLUMNS}) "
            f"SELECT {POSTING_COLUMNS} FROM ({union}) ORDER BY term, claim_id"
        )
        db.execute("COMMIT")
        for w in range(workers):
            db.execute(f"DETACH DATABASE s{w}")
        for stage in stages:
            stage.unlink()
        phases["merge (sorted)"] = time.perf_counter() - step

        step = time.perf_counter()
        db.execute("BEGIN")
        for _, sql in indexes:
            db.execute(sql)
        db.execute("COMMIT")
        phases["indexes"] = time.perf_counter() - step

        step = time.perf_counter()
        db.execute("BEGIN")
        db.execute(
            "INSERT INTO search_term (term, df) "
            "SELECT term, count(*) FROM search_posting GROUP BY term"
        )
        db.execute(
            "INSERT INTO search_stats (id, docs, length) "
            "SELECT 1, count(*), coalesce(sum(length), 0) FROM search_doc"
        )
        db.execute("COMMIT")
        phases["search_term+stats"] = time.perf_counter() - step

        step = time.perf_counter()
        db.execute("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")
        phases["fts rebuild"] = time.perf_counter() - step

        step = time.perf_counter()
        report = LoadReport(
            claims=db.execute("SELECT count(*) FROM claim").fetchone()[0],
            reviews=db.execute("SELECT count(*) FROM review").fetchone()[0],
            postings=db.execute("SELECT count(*) FROM search_posting").fetchone()[0],
            terms=db.execute("SELECT count(*) FROM search_term").fetchone()[0],
            seconds=0.0,
            phases=phases,
        )
        db.execute("PRAGMA journal_mode=WAL")
        phases["count+finish"] = time.perf_counter() - step
    finally:
        db.close()
    temporary.rename(path)
    report.seconds = time.perf_counter() - started
    report.size_bytes = path.stat().st_size
    return report


def _pg_worker(
    url: str, schema: str, seed: int, chunks: list[tuple[int, int]], progress: Any
) -> None:  # pragma: no cover - runs in a child process
    import psycopg

    with psycopg.connect(url, autocommit=False) as connection:
        connection.execute(f"SET search_path TO {schema}")
        # No foreign-key triggers for the bulk load: the rows are consistent by construction.
        connection.execute("SET session_replication_role = replica")
        for start, stop in chunks:
            made = rows(seed, start, stop, postgres=True)
            with connection.cursor() as cursor:
                for table, columns, data in (
                    ("claim", CLAIM_COLUMNS, made.claims),
                    ("review", REVIEW_COLUMNS, made.reviews),
                    ("search_doc", DOC_COLUMNS + ", tsv", made.docs),
                    ("search_posting", POSTING_COLUMNS, made.postings),
                ):
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
            connection.commit()
            progress.put(stop - start)


def load_postgres(url: str, libpq_url: str, schema: str, count: int, seed: int) -> LoadReport:
    """Recreate `schema`, migrate it and load `count` claims (url: SQLAlchemy, with the
    search_path option; libpq_url: the same server for psycopg)."""
    import psycopg

    from app.storage.migrate import upgrade

    started = time.perf_counter()
    phases: dict[str, float] = {}
    with psycopg.connect(libpq_url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    upgrade(url)
    vocabulary(seed)
    phases["migrate+vocabulary"] = time.perf_counter() - started
    with psycopg.connect(libpq_url, autocommit=True) as connection:
        connection.execute(f"SET search_path TO {schema}")
        gin = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND indexname = 'ix_search_doc_tsv'",
            (schema,),
        ).fetchall()
        for name, _ in gin:
            connection.execute(f"DROP INDEX {name}")
        publishers, sites = _publisher_rows(postgres=True)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO publisher ({PUBLISHER_COLUMNS}) VALUES ({', '.join(['%s'] * 9)})",
                publishers,
            )
            cursor.executemany(
                "INSERT INTO publisher_site (host, publisher_id) VALUES (%s, %s)", sites
            )
        jobs = [(libpq_url, schema, seed, chunks) for chunks in _ranges(count, 2)]
        phases["generate+analyse+copy"] = _run_workers(
            _pg_worker, jobs, count, "generate+analyse+copy"
        )
        step = time.perf_counter()
        for _, sql in gin:
            connection.execute(sql)
        phases["gin index"] = time.perf_counter() - step
        step = time.perf_counter()
        connection.execute(
            "INSERT INTO search_term (term, df) "
            "SELECT term, count(*) FROM search_posting GROUP BY term"
        )
        connection.execute(
            "INSERT INTO search_stats (id, docs, length) "
            "SELECT 1, count(*), coalesce(sum(length), 0) FROM search_doc"
        )
        for table in ("claim", "review"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        phases["search_term+stats"] = time.perf_counter() - step
        step = time.perf_counter()
        # What autovacuum would have done by the time a service has a million claims.
        connection.execute("VACUUM ANALYZE")
        phases["vacuum analyze"] = time.perf_counter() - step

        def scalar(sql: str) -> int:
            row = connection.execute(sql).fetchone()
            assert row is not None
            return int(row[0])

        size = scalar(
            f"SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            f"JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname = '{schema}' AND c.relkind = 'r'"
        )
        report = LoadReport(
            claims=scalar("SELECT count(*) FROM claim"),
            reviews=scalar("SELECT count(*) FROM review"),
            postings=scalar("SELECT count(*) FROM search_posting"),
            terms=scalar("SELECT count(*) FROM search_term"),
            seconds=time.perf_counter() - started,
            phases=phases,
            size_bytes=size,
        )
    return report


def sample(seed: int = 1, count: int = 5) -> None:
    """Print a few claims and their documents (python -m bench.search_corpus)."""
    for claim in claims(seed, 1, count + 1):
        doc = document(claim)
        print(f"#{claim.id} [{claim.language}] {claim.text}")
        print(f"    claimant: {claim.claimant}")
        for r in claim.reviews:
            print(f"    review {r.publisher_id} {r.label!r}: {r.headline}")
        print(f"    tokens ({doc.length}): {doc.terms[:150]}")
    words = vocabulary(seed)
    for code, vocab in words.items():
        bands = {name: vocab.band(name)[:4] for name in BANDS}
        print(code, bands, "forms of #1:", vocab.forms[0])


def band_words(seed: int, code: str, band: str) -> Sequence[str]:
    return vocabulary(seed)[code].band(band)


if __name__ == "__main__":
    sample(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    print(f"fingerprint {fingerprint()}")
