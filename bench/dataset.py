"""A realistic, multilingual set of published reviews, loaded straight into a fresh database.

Each review is validated by the API's own request model (`ReviewCreate`) and turned into rows
by the project's own pure functions (`normalize_url`, `claim_text_key`, `normalize_verdict`,
`build_claimreview`, `render_document`, `document_etag`), in the same way as
`app.domain.reviews.create_review` does it; only the writing is different (SQLAlchemy Core
`insert()` executemany in a few large transactions instead of one HTTP request per review).
"""

import os
import random
import sqlite3
import sys
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import islice
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Table, create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from app.domain import publishers as publisher_use_cases
from app.domain import publishing
from app.domain.access import COMMAND_LINE
from app.domain.claims import appearance_fields, claim_fields
from app.domain.render import build_claimreview, document_etag, render_document
from app.domain.reviews import new_review_fields
from app.domain.schemas import PublisherCreate, ReviewCreate, ReviewStatus
from app.domain.urls import normalize_url
from app.storage import repositories as repo
from app.storage.database import make_database
from app.storage.tables import Appearance, Change, Claim, Publisher, Review
from app.storage.types import utcnow

# --- the fact-checkers ------------------------------------------------------------------------

PUBLISHERS = [
    PublisherCreate(
        id="verifica-latam",
        name="Verifica LatAm",
        url="https://verifica.example.org/",
        sites=["verifica.example.org", "checa.example.mx"],
        logo_url="https://verifica.example.org/static/logo.png",
        languages=["es", "pt-BR"],
        verdict_overrides={"Cuento chino": "false", "Pinóquio": "false"},
    ),
    PublisherCreate(
        id="faktencheck-eu",
        name="Faktencheck Europa",
        url="https://faktencheck.example.eu/",
        sites=["faktencheck.example.eu", "verifie.example.fr"],
        logo_url="https://faktencheck.example.eu/logo.svg",
        languages=["de", "fr", "en"],
    ),
    PublisherCreate(
        id="sach-sach",
        name="Sach Sach Fact Check",
        url="https://sachsach.example.in/",
        sites=["sachsach.example.in"],
        languages=["hi", "en"],
        verdict_overrides={"Pants on Fire": "false"},
    ),
    PublisherCreate(
        id="tahaqaq",
        name="Tahaqaq",
        url="https://tahaqaq.example.net/",
        sites=["tahaqaq.example.net"],
        logo_url="https://tahaqaq.example.net/logo.png",
        languages=["ar"],
    ),
    PublisherCreate(
        id="zhenxiang",
        name="真相查核中心",
        url="https://zhenxiang.example.tw/",
        sites=["zhenxiang.example.tw"],
        languages=["zh-Hant"],
    ),
    PublisherCreate(
        id="pravda-check",
        name="Проверка фактов",
        url="https://proverka.example.org/",
        sites=["proverka.example.org", "cekfakta.example.id"],
        languages=["ru", "id"],
    ),
]


@dataclass(frozen=True)
class Language:
    tag: str
    publisher: str
    site: str
    claims: tuple[str, ...]  # templates: {who}, {n}, {place}
    headline: str  # {claim_short}
    summary: str  # {who}, {n}
    labels: tuple[str, ...]
    people: tuple[str, ...]
    places: tuple[str, ...]
    explanation: str = ""
    path: str = "fact-check"


LANGUAGES = [
    Language(
        "en",
        "faktencheck-eu",
        "faktencheck.example.eu",
        (
            "{who} said that {n} percent of the water in {place} is now unsafe to drink.",
            "A video shows {who} admitting that the {place} election was decided by {n} votes.",
            "Drinking {n} cups of hot lemon water a day cures the flu, according to {who}.",
        ),
        "Fact check: {claim_short}",
        "We found no evidence for this. Official figures published by {who} show {n} cases, "
        "and the video was edited to remove the context.",
        ("False", "Misleading", "Mostly false", "Half true", "Missing context", "True"),
        ("Jane Doe", "Rahul Verma", "Emily Clarke", "Tom O'Brien"),
        ("Lagos", "Manchester", "Ohio", "Sydney"),
        "The figure quoted is {n} times higher than the official one.",
    ),
    Language(
        "fr",
        "faktencheck-eu",
        "verifie.example.fr",
        (
            "Selon {who}, {n} % des vaccins distribués à {place} seraient périmés.",
            "Une photo montre {who} à {place} pendant la manifestation du {n} mai.",
            "« L'électricité coûtera {n} fois plus cher l'an prochain », affirme {who}.",
        ),
        "Non, {claim_short}",
        "Cette affirmation est fausse : les données de l'Insee ne montrent rien de tel, et "
        "{who} n'a jamais tenu ces propos ({n} sources consultées).",
        ("Faux", "Trompeur", "Plutôt faux", "Manque de contexte", "Vrai", "C'est faux ❌"),
        ("Élodie Lefèvre", "Jérôme Dubœuf", "Amélie Nguyễn", "François Çelik"),
        ("Marseille", "Besançon", "Saint-Étienne", "Pointe-à-Pitre"),
        "Les chiffres cités sont {n} fois supérieurs aux chiffres officiels.",
        "les-decodeurs",
    ),
    Language(
        "es",
        "verifica-latam",
        "checa.example.mx",
        (
            "{who} afirmó que {n} de cada diez niños en {place} no van a la escuela.",
            "Un audio de WhatsApp asegura que el agua de {place} tiene {n} veces más plomo.",
            "Es falso que {who} haya prometido {n} millones de pesos a {place}.",
        ),
        "Es engañoso que {claim_short}",
        "Consultamos a {n} expertos y a la oficina de {who}: no existe ningún registro de esa "
        "declaración. El video circula desde años anteriores.",
        ("Falso", "Engañoso", "Cuento chino", "Verdadero", "Impreciso", "Sin evidencia"),
        ("María José Peña", "Joaquín Muñoz", "Ana Belén Ibáñez", "Raúl Gómez"),
        ("Oaxaca", "Medellín", "Córdoba", "Valparaíso"),
        path="verificacion",
    ),
    Language(
        "pt-BR",
        "verifica-latam",
        "verifica.example.org",
        (
            "{who} disse que {n}% das urnas de {place} foram adulteradas.",
            "Vídeo mostra {who} distribuindo {n} cestas básicas em {place} durante a campanha.",
            "É falso que o governo vai confiscar a poupança de quem tem mais de R$ {n} mil.",
        ),
        "É falso que {claim_short}",
        "Não há registro dessa declaração. Segundo {who}, foram {n} ocorrências no período, "
        "e o vídeo foi gravado em outro contexto.",
        ("Falso", "Enganoso", "Pinóquio", "Verdadeiro", "Distorcido", "Sem contexto"),
        ("João Conceição", "Luíza Araújo", "Mônica Gonçalves", "Thiago Assunção"),
        ("São Paulo", "Belém", "Florianópolis", "Ribeirão Preto"),
        path="checagem",
    ),
    Language(
        "de",
        "faktencheck-eu",
        "faktencheck.example.eu",
        (
            "{who} behauptet, in {place} seien {n} Prozent der Wahlzettel ungültig gewesen.",
            "Ein Foto zeigt angeblich {n} Windräder, die in {place} abgebrannt sind.",
            "Laut {who} müssen Hausbesitzer ab nächstem Jahr {n} Euro Heizungssteuer zahlen.",
        ),
        "Faktencheck: {claim_short}",
        "Die Behauptung ist falsch. Das Foto stammt aus einem anderen Jahr; {who} hat sich "
        "nie so geäußert ({n} Quellen geprüft).",
        ("Falsch", "Irreführend", "Teilweise falsch", "Fehlender Kontext", "Richtig"),
        ("Jürgen Groß", "Sören Weiß", "Änne Müller", "Özlem Yılmaz"),
        ("München", "Köln", "Düsseldorf", "Görlitz"),
    ),
    Language(
        "ar",
        "tahaqaq",
        "tahaqaq.example.net",
        (
            "قال {who} إن {n} بالمئة من سكان {place} فقدوا وظائفهم هذا العام.",
            "فيديو يظهر {who} يوزع {n} مليون دولار في {place}.",
            "صورة تزعم أن فيضانات {place} أودت بحياة {n} شخص.",
        ),
        "تحقق: {claim_short}",
        "هذا الادعاء غير صحيح، فالفيديو قديم ومنشور منذ {n} سنوات، ولم يصدر عن {who} أي تصريح.",
        ("خطأ", "مضلل", "زائف", "صحيح", "يفتقر إلى السياق"),
        ("أحمد الخطيب", "فاطمة الزهراء", "يوسف عبد الله"),
        ("القاهرة", "عمّان", "الدار البيضاء", "بيروت"),
        path="tahaqquq",
    ),
    Language(
        "hi",
        "sach-sach",
        "sachsach.example.in",
        (
            "{who} ने कहा कि {place} में {n} प्रतिशत लोगों को मुफ्त बिजली मिलेगी।",
            "वायरल वीडियो में दावा किया गया है कि {place} में {n} मंदिर तोड़े गए।",
            "सोशल मीडिया पर दावा: {who} ने {n} करोड़ रुपये का घोटाला किया।",
        ),
        "फैक्ट चेक: {claim_short}",
        "यह दावा गलत है। {who} के कार्यालय ने पुष्टि की कि ऐसा कोई बयान नहीं दिया गया; "
        "वीडियो {n} साल पुराना है।",
        ("गलत", "भ्रामक", "सही", "आंशिक रूप से गलत", "Pants on Fire"),
        ("अमित शर्मा", "प्रिया सिंह", "राहुल वर्मा"),
        ("दिल्ली", "पटना", "लखनऊ", "जयपुर"),
    ),
    Language(
        "zh-Hant",
        "zhenxiang",
        "zhenxiang.example.tw",
        (
            "網傳{who}表示{place}將有{n}萬人失業。",
            "影片宣稱{place}的自來水含有{n}倍重金屬。",
            "傳言指出{who}承諾發放{n}元補助給{place}居民。",
        ),
        "【錯誤】{claim_short}",
        "經查證，{who}從未發表此言論，相關影片為{n}年前的舊聞，並非近期事件。",
        ("錯誤", "部分錯誤", "正確", "事實釐清"),
        ("陳怡君", "林志明", "王淑芬"),
        ("台北", "高雄", "台中", "花蓮"),
    ),
    Language(
        "ru",
        "pravda-check",
        "proverka.example.org",
        (
            "{who} заявил, что в {place} {n} процентов школ закроют до конца года.",
            "На видео якобы показан пожар на заводе в {place}, где погибли {n} человек.",
            "Пенсионерам в {place} выплатят по {n} тысяч рублей, утверждает {who}.",
        ),
        "Фейк: {claim_short}",
        "Это неправда. Видео снято {n} лет назад в другой стране, "
        "а {who} не делал такого заявления.",
        ("Ложь", "Манипуляция", "Полуправда", "Правда", "Скорее ложь"),
        ("Алексей Смирнов", "Ольга Ёлкина", "Дмитрий Кузнецов"),
        ("Новосибирск", "Казань", "Екатеринбург", "Самара"),
        path="proverka",
    ),
    Language(
        "id",
        "pravda-check",
        "cekfakta.example.id",
        (
            "{who} mengatakan {n} persen warga {place} akan menerima bantuan tunai.",
            "Video memperlihatkan banjir setinggi {n} meter di {place} minggu ini.",
            "Pesan berantai: vaksin dari {place} mengandung {n} zat berbahaya.",
        ),
        "[SALAH] {claim_short}",
        "Klaim tersebut tidak benar. Video itu direkam {n} tahun lalu dan {who} membantahnya.",
        ("Salah", "Menyesatkan", "Benar", "Konteks yang hilang", "Hoaks"),
        ("Budi Santoso", "Siti Nurhaliza", "Dewi Lestari"),
        ("Jakarta", "Surabaya", "Makassar", "Medan"),
        path="cek-fakta",
    ),
]

PLATFORMS = (
    "https://twitter.com/{user}/status/{big}",
    "https://x.com/{user}/status/{big}?s=20&t=abc{n}",
    "https://www.facebook.com/{user}/posts/{big}?fbclid=IwAR{n}",
    "https://www.youtube.com/watch?v={yt}&t={n}s",
    "https://youtu.be/{yt}?si=share{n}",
    "https://www.instagram.com/p/{yt}/?igshid={n}",
    "https://t.me/{user}/{n}",
    "https://www.tiktok.com/@{user}/video/{big}",
)
_YT = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
_EPOCH = datetime(2019, 1, 1, tzinfo=UTC)


def _yt_id(rng: random.Random) -> str:
    return "".join(rng.choice(_YT) for _ in range(11))


def review_request(i: int, rng: random.Random, previous_claim_id: int | None) -> dict[str, Any]:
    """The JSON body a fact-checker would POST to /v1/reviews for review number i."""
    lang = LANGUAGES[i % len(LANGUAGES)]
    who = rng.choice(lang.people)
    place = rng.choice(lang.places)
    n = rng.randint(2, 99)
    claim_text = rng.choice(lang.claims).format(who=who, n=n, place=place) + f" (#{i})"
    claim_date = _EPOCH + timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
    published = claim_date + timedelta(hours=rng.randint(2, 24 * 20))
    body: dict[str, Any] = {
        "publisher_id": lang.publisher,
        "url": f"https://{lang.site}/{lang.path}/{published:%Y/%m}/{i}-"
        + ("claim-check" if i % 3 else "verificacao-de-fatos")
        + ("?utm_source=twitter&utm_medium=social" if i % 7 == 0 else ""),
        "headline": lang.headline.format(claim_short=claim_text[:80]),
        "rating": {"label": rng.choice(lang.labels)},
        "summary": lang.summary.format(who=who, n=n),
        "authors": [{"name": rng.choice(lang.people)}]
        + (
            [{"name": rng.choice(lang.people), "url": f"https://{lang.site}/autor/{i % 97}"}]
            if i % 4 == 0
            else []
        ),
        "date_published": published.isoformat(),
        "status": ReviewStatus.PUBLISHED.value,
    }
    if i % 5 == 0:
        body["rating"].update(value=float(rng.randint(1, 2)), best=5.0, worst=1.0)
    if lang.explanation and i % 2 == 0:
        body["rating"]["explanation"] = lang.explanation.format(n=n)
    if i % 6 == 0:
        body["date_modified"] = (published + timedelta(days=rng.randint(1, 30))).isoformat()
    if previous_claim_id is not None:
        body["claim_id"] = previous_claim_id
        return body
    appearances = []
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        url = rng.choice(PLATFORMS).format(
            user=f"user{rng.randint(1, 99999)}",
            big=rng.randint(10**17, 10**18),
            yt=_yt_id(rng),
            n=rng.randint(1, 999),
        )
        appearance = {"url": url}
        if rng.random() < 0.4:
            appearance["archived_url"] = (
                f"https://web.archive.org/web/{claim_date:%Y%m%d%H%M%S}/{url}"
            )
        appearances.append(appearance)
    claim: dict[str, Any] = {
        "text": claim_text,
        "language": lang.tag.lower().replace("-", "_") if i % 11 == 0 else lang.tag,
        "appearances": appearances,
    }
    if i % 3:
        claim["claimant"] = (
            {"name": who, "type": "Person"}
            if i % 2
            else {"name": f"{place} Times", "type": "Organization", "url": "https://news.example"}
        )
    if i % 4:
        claim["claim_date"] = claim_date.isoformat()
    if appearances and i % 2:
        claim["first_appearance"] = {"url": appearances[0]["url"]}
    body["claim"] = claim
    return body


# --- turning requests into rows, as the service does -----------------------------------------

CLAIM: Table = Claim.__table__  # type: ignore[attr-defined]
APPEARANCE: Table = Appearance.__table__  # type: ignore[attr-defined]
REVIEW: Table = Review.__table__  # type: ignore[attr-defined]
CHANGE: Table = Change.__table__  # type: ignore[attr-defined]
CHUNK = 2_000  # reviews made by one worker task; a multiple of 10 keeps shared claims inside


@dataclass
class Chunk:
    claims: list[dict[str, Any]] = field(default_factory=list)
    appearances: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    sample: bytes = b""


@dataclass
class Prepared:
    """A chunk ready for executemany: per table, the compiled INSERT and its parameter rows."""

    statements: list[tuple[str, list[tuple[Any, ...]]]]
    reviews: int
    claims: int
    appearances: int
    sizes: list[int]
    sample: bytes


def _claim_id(i: int) -> int:
    """Claim ids are assigned in order; review i shares the claim of review i-1 when i % 10 == 0."""
    return i - i // 10


def _rows_of(
    i: int, data: ReviewCreate, publisher: SimpleNamespace, last: dict[str, Any], out: Chunk
) -> bytes:
    """reviews.create_review + claims.new_claim + publishing.render for one review, as rows.

    The rows are plain dicts with every column of the table; `build_claimreview` reads them
    through attribute access, as it reads the ORM objects the service hands it.
    """
    now = utcnow()
    url_key = normalize_url(data.url)
    if data.claim is not None:
        c = data.claim
        claim = {
            "id": _claim_id(i),
            **claim_fields(c, publisher.id),
            "created_at": now,
            "updated_at": now,
            "deleted_at": None,
        }
        # The id is left to SQLite's rowid, in insertion order, as the service's flush does.
        appearances = appearance_fields(claim["id"], c.appearances)
        out.claims.append(claim)
        out.appearances.extend(appearances)
        last["claim"], last["appearances"] = claim, appearances
    else:
        claim, appearances = last["claim"], last["appearances"]
        assert claim["id"] == data.claim_id, (i, claim["id"], data.claim_id)
    review: dict[str, Any] = {
        "id": i,
        **new_review_fields(
            data,
            claim_id=claim["id"],
            publisher=publisher,  # type: ignore[arg-type]
            url_key=url_key,
            now=now,
        ),
        "language": data.language or claim["language"],
        "version": 1,
        "deleted_at": None,
    }
    body = render_document(
        build_claimreview(
            SimpleNamespace(**review),  # type: ignore[arg-type]
            SimpleNamespace(**claim),  # type: ignore[arg-type]
            [SimpleNamespace(**a) for a in appearances],  # type: ignore[misc]
            publisher,  # type: ignore[arg-type]
        )
    )
    review.update(jsonld=body, jsonld_etag=document_etag(body), rendered_at=utcnow())
    out.reviews.append(review)
    out.changes.append(
        {
            "cursor": i,
            "type": "review.published",
            "review_id": i,
            "publisher_id": publisher.id,
            "language": review["language"],
            "verdict": review["verdict"],
            "at": utcnow(),
        }
    )
    return body


@cache
def _inserts(url: str) -> list[tuple[Table, str, list[tuple[str, Any]]]]:
    """Each table's Core `insert()`, compiled for the database's dialect, with the bind processor
    of every parameter: the same conversion SQLAlchemy applies in `connection.execute(insert(t),
    rows)`, done here in a worker process so that the writing process only writes."""
    dialect = create_engine(url).dialect  # no connection is made
    out = []
    for table, skip in ((CLAIM, ()), (APPEARANCE, ("id",)), (REVIEW, ()), (CHANGE, ())):
        keys = [c.key for c in table.columns if c.key not in skip]
        compiled = insert(table).compile(dialect=dialect, column_keys=keys)
        assert compiled.positiontup is not None
        processors = [
            (name, table.columns[name].type.bind_processor(dialect))
            for name in compiled.positiontup
        ]
        out.append((table, str(compiled), processors))
    return out


def _picklable(value: Any) -> Any:
    # LargeBinary binds bytes as sqlite3.Binary (a memoryview); SQLite stores both as a BLOB.
    return bytes(value) if isinstance(value, memoryview) else value


def _prepare(url: str, chunk: Chunk) -> Prepared:
    statements = []
    for (table, sql, processors), rows in zip(
        _inserts(url),
        (chunk.claims, chunk.appearances, chunk.reviews, chunk.changes),
        strict=True,
    ):
        if rows and set(rows[0]) != {name for name, _ in processors}:
            raise AssertionError(f"{table.name}: {set(rows[0]) ^ {n for n, _ in processors}}")
        params = [
            tuple(_picklable(row[name] if p is None else p(row[name])) for name, p in processors)
            for row in rows
        ]
        statements.append((sql, params))
    return Prepared(
        statements,
        len(chunk.reviews),
        len(chunk.claims),
        len(chunk.appearances),
        chunk.sizes,
        chunk.sample,
    )


def make_chunk(
    url: str, start: int, stop: int, seed: int, publishers: dict[str, dict[str, Any]]
) -> Prepared:
    """Reviews start..stop-1: requests validated by ReviewCreate, then rows and documents."""
    rng = random.Random(seed * 1_000_003 + start)
    owners = {key: SimpleNamespace(**value) for key, value in publishers.items()}
    out = Chunk()
    last: dict[str, Any] = {}
    median_guess = 0
    for i in range(start, stop):
        shared = i % 10 == 0
        body = review_request(i, rng, _claim_id(i) if shared else None)
        data = ReviewCreate.model_validate(body)
        assert data.publisher_id is not None
        document = _rows_of(i, data, owners[data.publisher_id], last, out)
        out.sizes.append(len(document))
        if not out.sample or abs(len(document) - median_guess) < abs(
            len(out.sample) - median_guess
        ):
            out.sample = document
        if i - start == 200:
            median_guess = sorted(out.sizes)[len(out.sizes) // 2]
    return _prepare(url, out)


@dataclass
class LoadResult:
    reviews: int
    claims: int
    appearances: int
    seconds: float
    body_sizes: list[int]
    sample_body: bytes  # a stored document of about the median size
    workers: int


def _progress(
    done: int, total: int, started: float, what: str = "loading", unit: str = "reviews"
) -> None:
    elapsed = time.perf_counter() - started
    width = 30
    filled = width * done // total
    rate = done / elapsed if elapsed else 0.0
    eta = (total - done) / rate if rate else 0.0
    line = (
        f"  {what} [{'#' * filled}{'.' * (width - filled)}] {done:>7}/{total} {unit}"
        f"  {rate:6.0f}/s  {elapsed:5.1f}s  eta {eta:4.0f}s"
    )
    if sys.stdout.isatty():
        sys.stdout.write("\r" + line + ("\n" if done == total else ""))
    else:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _write(connection: Connection, chunk: Prepared) -> None:
    for sql, rows in chunk.statements:
        if rows:
            connection.exec_driver_sql(sql, rows)  # a list of rows: one executemany


def _publisher_fields(url: str) -> dict[str, dict[str, Any]]:
    """Create the publishers through the use case; hand back what rendering reads of them."""
    db = make_database(url)
    try:
        with db.writing() as session:
            for data in PUBLISHERS:
                publisher_use_cases.create_publisher(session, COMMAND_LINE, data)
        with db.session() as session:
            return {
                p.id: {
                    "id": p.id,
                    "name": p.name,
                    "url": p.url,
                    "logo_url": p.logo_url,
                    "verdict_overrides": dict(p.verdict_overrides),
                }
                for p in session.exec(select(Publisher))
            }
    finally:
        db.dispose()


def load(
    url: str,
    count: int,
    *,
    seed: int = 20261128,
    workers: int | None = None,
    per_transaction: int = 20_000,
) -> LoadResult:
    """Bulk-insert `count` published reviews into a freshly migrated database.

    Worker processes validate and render; this process writes, in transactions of
    `per_transaction` reviews (a handful for 100,000).
    """
    started = time.perf_counter()
    publishers = _publisher_fields(url)
    workers = workers or min(4, os.cpu_count() or 1)
    ranges = [(s, min(s + CHUNK, count + 1)) for s in range(1, count + 1, CHUNK)]
    db = make_database(url)
    sizes: list[int] = []
    samples: list[bytes] = []
    done = claims = appearances = 0
    _progress(0, count, started)
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending: deque[Future[Prepared]] = deque()
            queued = iter(ranges)
            for start, stop in islice(queued, 2 * workers):
                pending.append(pool.submit(make_chunk, url, start, stop, seed, publishers))
            connection = db.write_engine.connect()
            try:
                in_transaction = 0
                while pending:
                    chunk = pending.popleft().result()
                    for start, stop in islice(queued, 1):
                        pending.append(pool.submit(make_chunk, url, start, stop, seed, publishers))
                    _write(connection, chunk)
                    in_transaction += chunk.reviews
                    if in_transaction >= per_transaction or not pending:
                        connection.commit()
                        in_transaction = 0
                    done += chunk.reviews
                    claims += chunk.claims
                    appearances += chunk.appearances
                    sizes.extend(chunk.sizes)
                    samples.append(chunk.sample)
                    if done % 10_000 < CHUNK or done == count:
                        _progress(done, count, started)
            finally:
                connection.close()
    finally:
        db.dispose()
    # The server starts on a database whose WAL is empty and whose statistics are known.
    with sqlite3.connect(make_url(url).database or "") as raw:
        raw.execute("ANALYZE")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    median = sorted(sizes)[len(sizes) // 2]
    return LoadResult(
        reviews=done,
        claims=claims,
        appearances=appearances,
        seconds=time.perf_counter() - started,
        body_sizes=sizes,
        sample_body=min(samples, key=lambda body: abs(len(body) - median)),
        workers=workers,
    )


def verify(url: str, count: int, samples: int = 300, seed: int = 7) -> int:
    """Re-render a sample of reviews from their stored rows through the service's own ORM path
    (publishing.render) and check that the stored bytes and etag are what it makes."""
    rng = random.Random(seed)
    db = make_database(url)
    checked = 0
    try:
        with db.session() as session:
            for review_id in sorted(rng.sample(range(1, count + 1), min(samples, count))):
                review = repo.get_review(session, review_id)
                if review is None or review.status != "published" or review.version != 1:
                    raise AssertionError(f"review {review_id}: not a published version 1")
                stored, etag = review.jsonld, review.jsonld_etag
                if stored is None or review.rendered_at is None:
                    raise AssertionError(f"review {review_id}: no stored document")
                publishing.render(session, review)  # replaces the bytes only if they differ
                if review.jsonld != stored or review.jsonld_etag != etag:
                    raise AssertionError(
                        f"review {review_id}: the stored JSON-LD is not what the service "
                        "renders from the stored rows"
                    )
                if etag != document_etag(stored):
                    raise AssertionError(f"review {review_id}: etag mismatch")
                checked += 1
            session.rollback()
            counts = {
                t: session.connection().execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
                for t in ("review", "change")
            }
        if counts["review"] != count or counts["change"] != count:
            raise AssertionError(f"unexpected row counts {counts}")
    finally:
        db.dispose()
    return checked


def build_search_index(url: str) -> int:
    """What create_review also keeps up to date: the search index of claims with a published
    review. Built after the bulk load by the service's own reindex; the JSON-LD read path does
    not read it, so the benchmark only builds it on request."""
    from app.domain.indexing import reindex_all

    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 10_000 < 500 or done == total:
            _progress(done, total, started, "indexing", "claims")

    db = make_database(url)
    try:
        return reindex_all(db, progress)
    finally:
        db.dispose()
