"""The ClaimReview parser on every real markup file we hold, then on each quirk in isolation."""

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.claimreview.parse import (
    Extracted,
    ParsedReview,
    Person,
    extract,
    parse_datetime,
    rating_scale,
)
from app.rules.urls import is_http_url

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "claimreview-real"
EXAMPLES = DATA / "examples"


def _load(name: str) -> Any:
    folder = EXAMPLES if name.startswith("netflix") else REAL
    return json.loads((folder / name).read_text(encoding="utf-8"))


def _utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


# --- Every real file -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    url: str
    claim: str  # exact, or "first words … last words"
    publisher: str | None
    label: str
    scale: tuple[float | None, float | None, float | None]
    published: datetime | None
    language: str | None
    claimant: str | None
    appearances: tuple[tuple[str, str | None], ...] = ()


NO_SCALE = (None, None, None)
ONE_OF_FIVE = (1.0, 5.0, 1.0)

# file -> (records found, {index: what that record must read as})
CASES: dict[str, tuple[int, dict[int, Expected]]] = {
    "aajtak_india_today_raw.json": (1, {0: Expected(
        url="https://aajtak.intoday.in/story/fact-check-bbc-and-new-york-times-write-these-things-about-pm-modi-and-india-1-1208682.html",
        claim="न्यू यॉर्क टाइम्स … दावत देना होगा.",
        publisher="Aajtak", label="False", scale=ONE_OF_FIVE, published=_utc(2020, 7, 5),
        language=None, claimant="सोशल मीडिया यूजर्स",
    )}),
    "afp_checamos_raw.json": (1, {0: Expected(
        url="https://checamos.afp.com/suposta-fala-de-soros-sobre-financiar-grupos-de-odio-negro-nao-foi-publicada-pelo-bild",
        claim='George Soros disse … os Estados Unidos"',
        publisher="Checamos", label="Falso", scale=ONE_OF_FIVE,
        published=_utc(2020, 6, 23, 20, 2), language=None, claimant="Várias fontes",
        appearances=(("https://twitter.com/CatinhaZen/status/1266839666889809923", None),),
    )}),
    "afp_factual_all_raw.json": (1, {0: Expected(
        url="https://factual.afp.com/doc.afp.com.32DE93V",
        claim="Video muestra a pilotos protestando contra la vacunación covid-19 en Dallas",
        publisher="AFP", label="Falso", scale=ONE_OF_FIVE, published=_utc(2022, 6, 28, 21, 14),
        language=None, claimant="Varias fuentes",
        appearances=(("https://www.facebook.com/marcelo.mario.50/videos/408034091279692/", None),),
    )}),
    "afp_factual_raw.json": (1, {0: Expected(
        url="https://factual.afp.com/no-hay-registro-de-que-morena-o-el-pt-difundieran-el-montaje-de-un-cierre-de-campana",
        claim="Fotomontaje de cierre de campaña de Morena y PT",
        publisher="Factual", label="Engañoso", scale=(2.0, 5.0, 1.0),
        published=_utc(2021, 6, 1, 23, 35), language=None, claimant="Varias fuentes",
        appearances=((
            "https://www.facebook.com/francisco.r.floranes/posts/1200102550412305", None
        ),),
    )}),
    "afp_factual_usa_raw.json": (1, {0: Expected(
        url="https://factual.afp.com/doc.afp.com.32DZ4YE",
        claim="España da la nacionalidad a aquellos cuyo apellido aparece en una lista",
        publisher="AFP", label="Falso", scale=ONE_OF_FIVE, published=_utc(2022, 7, 8, 9, 48),
        language=None, claimant="Varias fuentes",
        appearances=((
            "https://www.facebook.com/naturalmentesaludablehoy/posts/pfbid0qnPg1wjBJtjMfieAURbDk6WLJicTMFGMtbNBdnjDa29XwqgZkVUYa6dBjiQtSPkXl",
            None,
        ),),
    )}),
    "afp_factuel_raw.json": (1, {0: Expected(
        url="https://factuel.afp.com/doc.afp.com.9XC9W4",
        claim="Le Mali a rompu ses relations diplomatiques avec la France",
        publisher="AFP", label="Faux", scale=ONE_OF_FIVE, published=_utc(2022, 1, 28, 18, 35),
        language=None, claimant="Sources multiples",
        appearances=((
            "https://www.facebook.com/101888178896970/photos/a.101895338896254/143921044693683/",
            None,
        ),),
    )}),
    "afp_india_raw.json": (1, {0: Expected(
        url="https://factcheck.afp.com/doc.afp.com.32427BX",
        claim="Kharkiv fell and Russian flag raised at government building in 2022",
        publisher="AFP", label="Misleading", scale=(3.0, 5.0, 1.0),
        published=_utc(2022, 3, 2, 7, 11), language=None, claimant="Multiple persons",
        appearances=((
            "https://www.facebook.com/permalink.php?story_fbid=151574190637838&id=100073557732047",
            None,
        ),),
    )}),
    "afp_raw.json": (1, {0: Expected(
        url="https://factcheck.afp.com/cdc-does-not-add-flu-and-pneumonia-deaths-covid-19-toll",
        claim="The US Centers … and influenza fatalities",
        publisher="AFP Fact Check", label="False", scale=ONE_OF_FIVE,
        published=_utc(2020, 6, 24, 0, 3), language=None, claimant="multiple sources",
        appearances=((
            "https://www.facebook.com/photo.php?fbid=1334206990098622&set=a.134474800071853&type=3",
            None,
        ),),
    )}),
    # The markup types a journalist as the Organization: taken as written.
    "africa_check_raw.json": (1, {0: Expected(
        url="https://africacheck.org/fact-checks/reports/south-african-mayor-incorrect-about-covid-19-vaccine",
        claim="Interferon alpha-2b a Covid-19 ‘vaccine’",
        publisher="Taryn Willows", label="Incorrect", scale=(1.0, 6.0, 1.0),
        published=_utc(2020, 3, 27, 8, 46, 13), language=None,
        claimant="Mzwandile Masina, mayor of Ekurhuleni",
        appearances=(("https://youtu.be/jA8iEODBe5Q?t=1368", None),),
    )}),
    "aos_fatos_raw.json": (1, {0: Expected(
        url="https://aosfatos.org/noticias/video-manipulado-faz-crer-que-drauzio-incentiva-criancas-a-usarem-drogas/",
        claim="Drauzio Varella incentiva crianças a utilizarem drogas em vídeo",
        publisher="Aos Fatos", label="não_é_bem_assim", scale=(5.0, 6.0, 1.0),
        published=_utc(2022, 8, 11), language=None, claimant="desinformação",
    )}),
    "bangla_boom_live_raw.json": (1, {0: Expected(
        url="https://bangla.boomlive.in/fast-check/fact-check-new-york-times-edited-front-page-modi-crying-crocodile-fake-news-13562",
        claim="দ্য নিউ ইয়র্ক … মোদীকে ব্যাঙ্গ করতে",
        publisher="BOOM", label="False", scale=NO_SCALE, published=_utc(2021, 6, 17, 9, 19, 4),
        language=None, claimant="Facebook Post",
    )}),
    "boom_live_raw.json": (1, {0: Expected(
        url="https://www.boomlive.in/video-claiming-hindu-kids-are-being-taught-namaz-in-karnataka-is-misleading/",
        claim="In Karnataka, teacher is teaching Namaz to Hindu Students",
        publisher="BOOM", label="False", scale=NO_SCALE, published=_utc(2019, 4, 10, 6, 39, 5),
        language=None, claimant="Facebook Page - NoConversion",
    )}),
    "datacommons_feed_item_de.json": (1, {0: Expected(
        url="https://www.presseportal.de/pm/133833/4381130",
        claim="Im Netz sorgt … zufolge gesagt haben.",
        publisher="Deutsche Presse-Agentur",
        label="Reker hat diesen Satz nie gesagt. «Völliger Unsinn», heißt es dazu aus der "
        "Pressestelle der Stadt Köln.",
        scale=NO_SCALE, published=_utc(2019, 9, 20), language=None, claimant="Irmin Suhl",
        appearances=((
            "https://www.facebook.com/photo.php?fbid=389949688569877&set=a.155170952047753&type=3&theater",
            None,
        ),),
    )}),
    "efe_verifica_raw.json": (1, {0: Expected(
        url="https://verifica.efe.com/detenidos-mayoria-espanoles-no-extranjeros-como-asegura-ferris/",
        claim="La práctica totalidad … Centro de Valencia.",
        publisher="Agencia EFE", label="Falso.", scale=ONE_OF_FIVE, published=_utc(2022, 10, 24),
        language=None, claimant=None,
    )}),
    "fact_check_cite_raw.json": (1, {0: Expected(
        url="https://factcheck.cite.org.zw/do-antibodies-prevent-covid-19-reinfection/",
        claim="7% don't have … participants produced antibodies.”",
        publisher="FactCheckZW",
        label="The Health Desk Experts said Current data shows that roughly 10% of infected "
        "people do not have measurable antibodies once they recover from COVID-19.",
        scale=NO_SCALE, published=_utc(2021, 6, 18), language=None, claimant=None,
    )}),
    "google_factcheck_claim_ur.json": (1, {0: Expected(
        url="https://www.vishvasnews.com/urdu/society/viral-video-of-doctor-beating-patient-is-of-jaipur-sms-hospital-not-from-kanpur-hallet-hospital/",
        claim="کانپور کے ہیلٹ اسپتال میں مریض کی پٹائی کرتا ڈاکٹر",
        publisher=None, label="False", scale=NO_SCALE, published=_utc(2019, 6, 20, 12, 12, 40),
        language="ur", claimant="FB User-Harshit Pandey",
    )}),
    "hindi_boom_live_raw.json": (1, {0: Expected(
        url="https://hindi.boomlive.in/fast-check/video-of-man-cuddling-cheetahs-shared-as-rajasthan-temple-14141",
        claim="राजस्थान में एक … परिवार रहता है",
        publisher="Boom Live", label="Misleading", scale=NO_SCALE,
        published=_utc(2021, 8, 3, 7, 56, 54), language=None, claimant="social media",
    )}),
    "india_today_raw.json": (1, {0: Expected(
        url="https://www.indiatoday.in/fact-check/story/pm-modi-did-not-criticise-his-government-when-he-was-gujarat-cm-2006828-2022-09-30",
        claim="PM Modi, during … developing the coastline.",
        publisher="India Today", label="Mostly false", scale=(2.0, 5.0, 1.0), published=None,
        language=None, claimant="Social media users",
    )}),
    "newtral_api_index_es.json": (15, {
        0: Expected(
            url="https://www.newtral.es/pobreza-trabajo-cataluna-factcheck/20221008/",
            claim="“Tenemos un 18% de gente que trabaja y, pese a trabajar, está en situación de "
            "pobreza”",
            publisher="Newtral", label="Falso", scale=NO_SCALE, published=_utc(2022, 10, 8),
            language=None, claimant="Jéssica Albiach",
        ),
        14: Expected(
            url="https://www.newtral.es/limpieza-centros-concertados-andalucia/20220929/",
            claim="La Junta de … los centros concertados",
            publisher="Newtral", label="Engañoso", scale=NO_SCALE, published=_utc(2022, 9, 29),
            language=None, claimant="PSOE Andalucía",
        ),
    }),
    "tfc_taiwan_missing_page.json": (1, {0: Expected(
        url="https://tfc-taiwan.org.tw/articles/4539",
        claim="安倍晉三患的是癌症，已轉移肝臟。",
        publisher="台灣事實查核中心", label="證據不足", scale=NO_SCALE,
        published=_utc(2020, 9, 30), language=None, claimant=None,
    )}),
    "the_quint_raw.json": (1, {0: Expected(  # claimReviewed: a list of one string
        url="https://www.thequint.com/news/webqoof/are-these-last-tweets-of-sushant-singh-rajput-no-images-are-fake-fact-check",
        claim="Last Tweets of Sushant Singh Rajput shared on 14 June",
        publisher="The Quint", label="False", scale=(1.0, 5.0, 0.0),
        published=_utc(2020, 6, 16, 14, 45, 35), language=None,
        claimant="Facebook,WhatsApp,Twitter,media outlets",
    )}),
    "twenty_minutes_claim_review_page.json": (1, {0: Expected(
        url="https://www.20minutes.fr/monde/ukraine/3288079-20220511-guerre-ukraine-role-urss-pendant-seconde-guerre-mondiale-sous-estime-enseignement-france",
        claim="Le rôle de l'URSS dans la victoire de la Seconde guerre mondiale est minimisée à "
        "l'école",
        publisher="20 minutes", label="really_false", scale=NO_SCALE,
        published=_utc(2022, 5, 11), language=None, claimant="Réseaux sociaux",
    )}),
    "vishvas_news_english_raw.json": (1, {0: Expected(
        url="https://www.vishvasnews.com/english/viral/fact-check-rishi-sunak-did-not-make-a-viral-statement-about-former-pm-manmohan-singh-viral-post-is-fake/",
        claim="Rishi Sunak praises Manmohan Singh's economy ideas",  # "&#039;" decoded
        publisher="Vishvas News", label="False", scale=ONE_OF_FIVE,
        published=_utc(2022, 11, 1, 12, 46, 43), language=None,
        claimant="Fb Page: नये भारत की बुलंद आवाज़",
    )}),
    "vishvas_news_raw.json": (1, {0: Expected(
        url="https://www.vishvasnews.com/politics/fact-check-priyanka-gandhi-and-robert-vadras-marriage-was-officiated-by-kashmiri-priest-fake-claim-viral/",
        claim="मौलवी ने कराई थी प्रियंका गांधी और रॉबर्ट वाड्रा की शादी",
        publisher="Vishvas News", label="False", scale=ONE_OF_FIVE,
        published=_utc(2022, 10, 18, 6, 1, 8), language=None,
        claimant="Facebook user बसंत मलिक",
    )}),
    "netflix-binge-watch-hoax.fr.jsonld": (1, {0: Expected(
        url="https://www.journaldugeek.com/non-netflix-ne-contacte-pas-ses-abonnes-pour-savoir-sils-vont-bien/",
        claim="Netflix a écrit à un abonné pour vérifier qu'il allait bien après qu'il a regardé "
        "les 188 épisodes de The Office en une semaine",
        publisher="Journal du Geek", label="Faux", scale=ONE_OF_FIVE, published=_utc(2018, 1, 31),
        language="fr", claimant="Utilisateur de Reddit",
        appearances=(("https://www.reddit.com/r/DunderMifflin/", None),),
    )}),
    "netflix-binge-watch-hoax.google-claims-search.json": (1, {0: Expected(
        url="https://www.journaldugeek.com/non-netflix-ne-contacte-pas-ses-abonnes-pour-savoir-sils-vont-bien/",
        claim="Netflix a écrit … en une semaine",
        publisher="Journal du Geek", label="Faux", scale=NO_SCALE, published=_utc(2018, 1, 31),
        language="fr", claimant="Utilisateur de Reddit",
    )}),
}  # fmt: skip


def test_every_data_file_has_a_case() -> None:
    files = {path.name for path in REAL.iterdir()} | {path.name for path in EXAMPLES.iterdir()}
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_file(name: str) -> None:
    count, checks = CASES[name]
    records = extract(_load(name))
    assert [record.index for record in records] == list(range(count))
    assert [record.error for record in records] == [None] * count
    for index, expected in checks.items():
        record = records[index]
        review = record.review
        assert review is not None
        assert record.url == review.url == expected.url
        # NFC on both sides: the parser keeps the publisher's code points (Bengali য় can be one
        # or two of them), and this file's text may have been saved either way.
        claim = unicodedata.normalize("NFC", review.claim_text)
        wanted = unicodedata.normalize("NFC", expected.claim)
        if " … " in wanted:
            start, end = wanted.split(" … ")
            assert claim.startswith(start)
            assert claim.endswith(end)
        else:
            assert claim == wanted
        assert review.publisher_name == expected.publisher
        assert review.rating_label == expected.label
        assert (review.rating_value, review.rating_best, review.rating_worst) == expected.scale
        assert review.date_published == expected.published
        assert review.language == expected.language
        assert review.claimant_name == expected.claimant
        assert review.appearances == expected.appearances


def test_newtral_spot_check() -> None:
    """Two records of the vendor API page in full; the other 13 only parse (above)."""
    records = extract(_load("newtral_api_index_es.json"))
    assert len({record.url for record in records}) == 15
    first = records[0].review
    assert first == ParsedReview(
        url="https://www.newtral.es/pobreza-trabajo-cataluna-factcheck/20221008/",
        headline="El porcentaje de catalanes que trabaja y está “en situación de pobreza” es el "
        "más bajo de los últimos nueve años y no está en el 18% como dice Albiach",
        language=None,
        date_published=_utc(2022, 10, 8),
        date_modified=None,
        rating_label="Falso",
        rating_value=None,
        rating_best=None,
        rating_worst=None,
        rating_explanation=None,
        summary=None,
        authors=(),
        publisher_name="Newtral",
        publisher_url="https://www.newtral.es/",
        publisher_site=None,
        claim_text="“Tenemos un 18% de gente que trabaja y, pese a trabajar, está en situación de "
        "pobreza”",
        claim_language=None,
        claimant_name="Jéssica Albiach",
        claimant_type="Person",
        claimant_url=None,
        claim_date=_utc(2022, 10, 4),
        appearances=(),
        first_appearance=None,
    )
    # Record 11 has no claim date; its claimant's "name" is a venue elsewhere in the API.
    eleventh = records[11].review
    assert eleventh is not None
    assert eleventh.url == (
        "https://www.newtral.es/gobierno-limita-consumo-electricidad-gas-cartillas-racionamiento"
        "-vox-factcheck/20220930/"
    )
    assert eleventh.rating_label == "Engañoso"
    assert eleventh.claimant_name == "José María Figaredo"
    assert eleventh.claimant_type == "Person"
    assert eleventh.claim_date is None
    assert eleventh.date_published == _utc(2022, 9, 30)
    assert eleventh.headline is not None
    assert eleventh.headline.startswith("El Gobierno no ha propuesto “cartillas de rac")


def test_reference_example_in_full() -> None:
    (record,) = extract(_load("netflix-binge-watch-hoax.fr.jsonld"))
    review = record.review
    assert review is not None
    assert review.headline == "Non, Netflix ne contacte pas ses abonnés pour savoir s'ils vont bien"
    assert review.rating_explanation is not None
    assert review.rating_explanation.startswith("Netflix France affirme")
    assert review.publisher_url == "https://www.journaldugeek.com/"
    assert review.claim_language == "fr"
    assert review.claimant_type == "Person"
    assert review.claim_date == _utc(2018, 1, 15)


def test_google_example_reads_like_the_markup() -> None:
    (record,) = extract(_load("netflix-binge-watch-hoax.google-claims-search.json"))
    (markup,) = extract(_load("netflix-binge-watch-hoax.fr.jsonld"))
    google, page = record.review, markup.review
    assert google is not None
    assert page is not None
    assert google.publisher_site == "journaldugeek.com"
    assert google.claim_date == page.claim_date
    for field in ("url", "headline", "language", "rating_label", "claim_text", "claimant_name"):
        assert getattr(google, field) == getattr(page, field)


def test_journalists_and_the_organisation() -> None:
    (boom,) = extract(_load("hindi_boom_live_raw.json"))
    assert boom.review is not None
    # A relative author page is on the publisher's own site.
    assert boom.review.authors == (
        Person("Devesh Mishra", "https://hindi.boomlive.in/author/devesh"),
    )
    assert boom.review.publisher_url == "https://hindi.boomlive.in"
    (aos,) = extract(_load("aos_fatos_raw.json"))
    assert aos.review is not None
    assert aos.review.authors == (Person("Luiz Fernando Menezes", None),)
    assert (aos.review.publisher_name, aos.review.publisher_url) == (
        "Aos Fatos",
        "https://www.aosfatos.org/",
    )


# --- Quirks, one at a time -------------------------------------------------------------------


def _claimreview(**fields: Any) -> dict[str, Any]:
    """A small valid ClaimReview; a field given as None is removed."""
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/fact-check/moon",
        "claimReviewed": "The moon is made of cheese",
        "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example/"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
    }
    document.update(fields)
    return {key: value for key, value in document.items() if value is not None}


def _one(document: Any, **options: Any) -> ParsedReview:
    (record,) = extract(document, **options)
    assert record.error is None
    assert record.review is not None
    return record.review


def _rejected(document: Any, **options: Any) -> Extracted:
    (record,) = extract(document, **options)
    assert record.review is None
    assert record.error is not None
    return record


@pytest.mark.parametrize("context", ["https://schema.org", "http://schema.org", None])
def test_any_context(context: str | None) -> None:
    assert _one(_claimreview(**{"@context": context})).claim_text == "The moon is made of cheese"


@pytest.mark.parametrize(
    "type_",
    [
        ["Review", "ClaimReview"],
        "claimreview",
        "http://schema.org/ClaimReview",
        "https://schema.org/ClaimReview",
        "schema:ClaimReview",
    ],
)
def test_type_spellings(type_: Any) -> None:
    assert _one(_claimreview(**{"@type": type_})).rating_label == "False"


def test_untyped_object_with_claim_and_rating_is_a_claimreview() -> None:
    assert _one(_claimreview(**{"@type": None, "@context": None})).rating_label == "False"


def test_objects_of_other_types_are_ignored() -> None:
    assert extract(_claimreview(**{"@type": "NewsArticle", "reviewRating": None})) == []
    assert extract({"@type": "NewsArticle", "headline": "x", "claimReviewed": "y"}) == []
    assert extract({"claimReviewed": "no rating, no type"}) == []


def test_list_mixing_types() -> None:
    document = [
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Moon"},
        {"@type": "BreadcrumbList", "itemListElement": []},
        _claimreview(),
        {"@type": "Organization", "name": "Checker"},
    ]
    (record,) = extract(document)
    assert record.index == 0
    assert record.url == "https://checker.example/fact-check/moon"


def test_graph_members_without_context() -> None:
    document = {
        "@context": "https://schema.org",
        "@graph": [{"@type": "WebPage", "name": "Moon"}, _claimreview(**{"@context": None})],
    }
    assert _one(document).claim_text == "The moon is made of cheese"


def test_data_feed() -> None:
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "inLanguage": "es",
        "dataFeedElement": [
            {
                "@type": "DataFeedItem",
                "url": "https://checker.example/a",
                "item": [_claimreview(url=None, claimReviewed="First")],
            },
            {
                "@type": "DataFeedItem",
                "dateDeleted": "2024-01-02",
                "item": _claimreview(claimReviewed="Withdrawn"),
            },
            {"@type": "DataFeedItem", "item": _claimreview(claimReviewed="Second")},
            _claimreview(claimReviewed="Third", inLanguage="pt-br"),
        ],
    }
    records = extract(feed)
    assert [record.index for record in records] == [0, 1, 2]  # the deleted item is no record
    reviews = [record.review for record in records]
    assert [review.claim_text for review in reviews if review] == ["First", "Second", "Third"]
    assert [review.language for review in reviews if review] == ["es", "es", "pt-BR"]
    first = reviews[0]
    assert first is not None
    assert first.url == "https://checker.example/a"  # the item's url is the page


def test_language_precedence() -> None:
    document = {"@graph": [_claimreview()], "inLanguage": "de"}
    assert _one(_claimreview()).language is None
    assert _one(_claimreview(), language="fr").language == "fr"
    assert _one(document, language="fr").language == "de"
    assert _one(_claimreview(inLanguage="en-gb"), language="fr").language == "en-GB"
    # A bad tag is ignored, not a rejection.
    assert _one(_claimreview(inLanguage="English"), language="fr").language == "fr"
    assert _one(_claimreview(inLanguage="??")).language is None
    assert _one(_claimreview(), language="not a language").language is None
    language_object = {"@type": "Language", "name": "Italian", "alternateName": "it"}
    assert _one(_claimreview(inLanguage=language_object)).language == "it"


def test_claim_language_from_item_reviewed() -> None:
    review = _one(_claimreview(inLanguage="en", itemReviewed={"inLanguage": "ru"}))
    assert (review.language, review.claim_language) == ("en", "ru")
    assert _one(_claimreview(inLanguage="en")).claim_language == "en"


def test_google_claims_search_response() -> None:
    response = {
        "claims": [
            {
                "text": "The moon is made of cheese",
                "claimant": "A blog",
                "claimDate": "2024-03-01T10:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "Checker", "site": "Checker.Example"},
                        "url": "https://checker.example/moon",
                        "title": "No, the moon is rock",
                        "reviewDate": "2024-03-02T00:00:00Z",
                        "textualRating": "False",
                        "languageCode": "en",
                    },
                    {"publisher": {"site": "other.example"}, "url": "https://other.example/m"},
                ],
            },
            {"text": "Second", "claimReview": [{"url": "x", "textualRating": "True"}]},
        ],
        "nextPageToken": "abc",
    }
    first, second, third = extract(response, language="fr")
    assert first.review is not None
    assert first.review.publisher_name == "Checker"
    assert first.review.publisher_site == "checker.example"
    assert first.review.headline == "No, the moon is rock"
    assert first.review.language == first.review.claim_language == "en"
    assert first.review.claimant_name == "A blog"
    assert first.review.claim_date == _utc(2024, 3, 1, 10)
    assert first.review.date_published == _utc(2024, 3, 2)
    assert (second.index, second.error) == (1, "textualRating is missing (the verdict in words)")
    assert (third.index, third.error) == (
        2,
        "url 'x' is not an http(s) URL and the page URL is unknown",
    )


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("Checker.Example.", "checker.example"),
        ("https://checker.example/", None),
        ("checker.example/path", None),
        ("localhost", None),
        (42, None),
    ],
)
def test_google_publisher_site_is_a_host(site: Any, expected: str | None) -> None:
    entry = {"publisher": {"site": site}, "url": "https://c.example/x", "textualRating": "False"}
    assert _one({"text": "Claim", "claimReview": [entry]}).publisher_site == expected


def test_single_google_claim() -> None:
    claim = {
        "text": "Claim",
        "claimReview": [
            {"url": "https://checker.example/c", "textualRating": "Fake", "languageCode": "hi"}
        ],
    }
    review = _one(claim)
    assert (review.rating_label, review.language, review.publisher_name) == ("Fake", "hi", None)
    assert _one(claim, language="en").language == "hi"


def test_page_envelope() -> None:
    page = {
        "source": "anything",
        "page_url": "https://checker.example/page",
        "jsonld": [_claimreview(url=None)],
    }
    assert _one(page).url == "https://checker.example/page"
    assert _one({"url": "https://checker.example/p2", "jsonld": _claimreview(url=None)}).url == (
        "https://checker.example/p2"
    )
    # The envelope's page URL wins over the caller's, which is the outer context.
    assert _one(page, page_url="https://elsewhere.example/").url == "https://checker.example/page"


def test_vendor_list_page() -> None:
    page = {"total_results": 2, "data": [_claimreview(), _claimreview(claimReviewed="Other")]}
    assert [record.index for record in extract(page)] == [0, 1]


def test_does_not_look_inside_a_claimreview() -> None:
    nested = _claimreview(itemReviewed={"@type": "Claim", "subjectOf": _claimreview()})
    assert len(extract(nested)) == 1


def test_item_reviewed_creative_work_with_empty_strings() -> None:
    review = _one(
        _claimreview(
            itemReviewed={
                "@type": "creativeWork",
                "url": "",
                "datePublished": "",
                "author": {"@type": "Person", "name": "", "url": ""},
            },
            datePublished="",
            name="",
            description="",
        )
    )
    assert review.claimant_name is None
    assert review.claimant_type is None
    assert review.claim_date is None
    assert review.date_published is None
    assert review.headline is None
    assert review.summary is None
    assert review.appearances == ()


def test_image_and_video_appearances_keep_their_content_url() -> None:
    review = _one(
        _claimreview(
            itemReviewed={
                "@type": "Claim",
                "appearance": [
                    {"@type": "ImageObject", "contentUrl": "https://cdn.example/hoax.jpg"},
                    {"@type": "VideoObject", "contentUrl": "https://cdn.example/hoax.mp4"},
                    {
                        "@type": "ImageObject",
                        "url": "https://x.com/a/1",
                        "contentUrl": "https://b/",
                    },
                    {"@type": "ImageObject", "contentUrl": "not a url"},
                ],
                "firstAppearance": {
                    "@type": "ImageObject",
                    "contentUrl": "https://cdn.example/1.png",
                },
            }
        )
    )
    assert [url for url, _ in review.appearances] == [
        "https://cdn.example/hoax.jpg",
        "https://cdn.example/hoax.mp4",
        "https://x.com/a/1",
    ]
    assert review.first_appearance == "https://cdn.example/1.png"


def test_claimant() -> None:
    def claimant(author: Any) -> tuple[Any, ...]:
        review = _one(_claimreview(itemReviewed={"author": author}))
        return review.claimant_name, review.claimant_type, review.claimant_url

    assert claimant({"@type": "Organization", "name": "Party", "url": "https://p.example/"}) == (
        "Party",
        "Organization",
        "https://p.example/",
    )
    assert claimant(
        {"@type": "Person", "name": "Ann", "url": "/", "sameAs": " https://x.example/ann "}
    ) == ("Ann", "Person", "https://x.example/ann")
    assert claimant({"@type": "Person", "name": "Ann", "sameAs": "Réseaux sociaux"}) == (
        "Ann",
        "Person",
        None,
    )
    assert claimant({"name": ["Ann", "mayor"]}) == ("Ann, mayor", None, None)
    assert claimant([{"@type": "Person"}, {"@type": "NewsMediaOrganization", "name": "Paper"}]) == (
        "Paper",
        "Organization",
        None,
    )
    assert claimant("A blog") == ("A blog", None, None)


def test_authors_and_publisher() -> None:
    journalist = {"@type": "Person", "name": "Ann Reporter", "url": "/authors/ann"}
    organisation = {"@type": "NewsMediaOrganization", "name": "Checker", "url": "checker.example"}
    both = _one(_claimreview(author=[journalist, organisation]))
    assert both.authors == (Person("Ann Reporter", "https://checker.example/authors/ann"),)
    assert both.publisher_name == "Checker"
    assert both.publisher_url is None  # scheme-less: only absolute URLs name the organisation

    alone = _one(_claimreview(author=journalist, publisher={"name": "Pub", "url": "https://p.ex/"}))
    assert (alone.publisher_name, alone.publisher_url) == ("Pub", "https://p.ex/")
    assert alone.authors == (Person("Ann Reporter", "https://checker.example/authors/ann"),)

    nobody = _one(_claimreview(author=None))
    assert (nobody.publisher_name, nobody.authors) == (None, ())

    assert _one(_claimreview(author="Checker")).publisher_name == "Checker"
    # creator is where we publish journalists ourselves.
    ours = _one(_claimreview(creator=[{"@type": "Person", "name": "Bo"}, "Cy"]))
    assert ours.authors == (Person("Bo", None), Person("Cy", None))
    assert ours.publisher_name == "Checker"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("Incorrect \r", "Incorrect"),
        ("\x00False\x07", "False"),
        ("Mostly\u0085 false", "Mostly false"),
        ("  Half\t\ntrue  ", "Half true"),
        ("really_false", "really_false"),
        ("não_é_bem_assim", "não_é_bem_assim"),
        ("Singh&#039;s &amp; co&#x2019;s", "Singh's & co’s"),
    ],
)
def test_label_cleaning(raw: str, cleaned: str) -> None:
    review = _one(_claimreview(reviewRating={"alternateName": raw}))
    assert review.rating_label == cleaned


def test_control_characters_in_texts() -> None:
    review = _one(
        _claimreview(
            claimReviewed="The\x0b moon\x1f is\r\ncheese\x9f",
            name="Head\x00line",
            reviewBody="Line one\r\nLine\ttwo\x01",
            reviewRating={"alternateName": "False", "ratingExplanation": "Because\x1b."},
            itemReviewed={"author": {"name": "Ann\x7f"}},
        )
    )
    assert review.claim_text == "The moon is cheese"
    assert review.headline == "Headline"
    assert review.summary == "Line one\nLine\ttwo"  # prose keeps its line breaks and tabs
    assert review.rating_explanation == "Because."
    assert review.claimant_name == "Ann"


def test_headline_summary_and_explanation_sources() -> None:
    assert _one(_claimreview(headline="H")).headline == "H"
    assert _one(_claimreview(title="T")).headline == "T"
    assert _one(_claimreview(name="N", headline="H")).headline == "N"
    assert _one(_claimreview(description="D")).summary == "D"
    assert _one(_claimreview(description="D", reviewBody="B")).summary == "B"
    number = _claimreview(reviewRating={"alternateName": "False", "ratingExplanation": 5})
    assert _one(number).rating_explanation is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-01-31", _utc(2018, 1, 31)),
        ("2022-01-28 18:35", _utc(2022, 1, 28, 18, 35)),
        ("2020-03-27T10:46:13+0200", _utc(2020, 3, 27, 8, 46, 13)),
        ("2019-12-09T15:11:25.619782+00:00", _utc(2019, 12, 9, 15, 11, 25, 619782)),
        ("2019-06-20T12:12:40Z", _utc(2019, 6, 20, 12, 12, 40)),
        ("2021-08-03T13:26:54+05:30", _utc(2021, 8, 3, 7, 56, 54)),
        ("2021-08-03T01:00-03", _utc(2021, 8, 3, 4)),
        (" 2021-08-03T01:00:00.5 ", _utc(2021, 8, 3, 1, 0, 0, 500000)),
        ("2023-02-30", None),
        ("2023-01-01T24:00", None),
        ("2023-01-01T10:00+25:00", None),
        ("31/01/2018", None),
        ("January 31, 2018", None),
        ("", None),
        (20180131, None),
        (None, None),
    ],
)
def test_dates(raw: Any, expected: datetime | None) -> None:
    assert parse_datetime(raw) == expected
    review = _one(
        _claimreview(datePublished=raw, dateModified=raw, itemReviewed={"datePublished": raw})
    )
    assert review.date_published == review.date_modified == review.claim_date == expected
    if expected is not None:
        assert review.date_published is not None
        assert review.date_published.utcoffset() == timedelta(0)


def test_dates_are_utc_instants() -> None:
    moment = parse_datetime("2020-03-27T10:46:13+02:00")
    assert moment == datetime(2020, 3, 27, 10, 46, 13, tzinfo=timezone(timedelta(hours=2)))
    assert moment is not None
    assert moment.tzinfo == UTC


@pytest.mark.parametrize(
    ("value", "best", "worst", "expected"),
    [
        ("1", "5", "1", (1.0, 5.0, 1.0)),
        (2, 5, 1, (2.0, 5.0, 1.0)),
        (" 2.5 ", "5", 0, (2.5, 5.0, 0.0)),
        (5, 6, None, (5.0, 6.0, 1.0)),  # worstRating defaults to 1
        (0, 6, None, NO_SCALE),  # ...and then 0 is off the scale
        ("1", "", None, NO_SCALE),
        ("", "5", "1", NO_SCALE),
        (None, "5", "1", NO_SCALE),
        ("-1", "-1", "-1", NO_SCALE),
        (3, 3, 3, NO_SCALE),
        (1, 1, 5, NO_SCALE),
        (7, 5, 1, NO_SCALE),
        ("five", "5", "1", NO_SCALE),
        (True, 5, 1, NO_SCALE),
        ("nan", "5", "1", NO_SCALE),
        (1, float("inf"), 1, NO_SCALE),
    ],
)
def test_rating_scale(value: Any, best: Any, worst: Any, expected: tuple[Any, ...]) -> None:
    assert rating_scale(value, best, worst) == expected
    rating = {"alternateName": "x", "ratingValue": value, "bestRating": best, "worstRating": worst}
    review = _one(_claimreview(reviewRating={k: v for k, v in rating.items() if v is not None}))
    assert (review.rating_value, review.rating_best, review.rating_worst) == expected


def test_review_url_forms() -> None:
    assert (
        _one(_claimreview(url="aosfatos.org/noticias/x/")).url == "https://aosfatos.org/noticias/x/"
    )
    assert _one(_claimreview(url="//checker.example/x")).url == "https://checker.example/x"
    assert _one(_claimreview(url=" https://checker.example/x ")).url == "https://checker.example/x"
    page = "https://checker.example/page"
    assert _one(_claimreview(url=None), page_url=page).url == page
    assert _one(_claimreview(url=""), page_url=page).url == page
    assert _one(_claimreview(url="javascript:alert(1)"), page_url=page).url == page
    assert _one(_claimreview(url="/fact/1"), page_url=page).url == "https://checker.example/fact/1"
    # mainEntityOfPage names the page too.
    entity = {"@type": "WebPage", "@id": "https://checker.example/entity"}
    assert _one(_claimreview(url=None, mainEntityOfPage=entity)).url == entity["@id"]


def test_appearances() -> None:
    item = {
        "url": "https://twitter.com/someone/status/1",
        "sameAs": ["Réseaux sociaux", "https://facebook.com/post/2"],
        "appearance": [
            "https://www.tiktok.com/@x/video/3",
            {
                "@type": "CreativeWork",
                "url": "https://example.org/a",
                "archivedAt": "https://archive.ph/abc",
            },
            {"url": "https://example.org/b", "archivedAt": {"url": "https://web.archive.org/b"}},
            {"url": "ftp://example.org/file"},
            {"url": "http://www.example.org/a/"},  # the same page as the second one
            {"url": "/relative"},
            42,
        ],
        "firstAppearance": {"@type": "CreativeWork", "url": "https://www.tiktok.com/@x/video/3"},
    }
    review = _one(_claimreview(itemReviewed=item))
    assert review.appearances == (
        ("https://www.tiktok.com/@x/video/3", None),
        ("https://example.org/a", "https://archive.ph/abc"),
        ("https://example.org/b", "https://web.archive.org/b"),
        ("https://twitter.com/someone/status/1", None),
        ("https://facebook.com/post/2", None),
    )
    assert review.first_appearance == "https://www.tiktok.com/@x/video/3"
    single = _one(_claimreview(itemReviewed={"appearance": {"url": "https://a.example/x"}}))
    assert single.appearances == (("https://a.example/x", None),)
    assert _one(_claimreview(itemReviewed={"firstAppearance": "nope"})).first_appearance is None


def test_archived_copy_found_later_is_kept() -> None:
    item = {
        "appearance": [
            {"url": "https://a.example/x"},
            {"url": "https://a.example/x", "archivedAt": "https://archive.ph/x"},
        ]
    }
    appearances = _one(_claimreview(itemReviewed=item)).appearances
    assert appearances == (("https://a.example/x", "https://archive.ph/x"),)


# --- Rejections ------------------------------------------------------------------------------


@pytest.mark.parametrize("claim", [None, "", "   ", "\x00\r", 42])
def test_missing_claim(claim: Any) -> None:
    record = _rejected(_claimreview(claimReviewed=claim, reviewRating={"alternateName": "False"}))
    assert record.error == "claimReviewed is missing or empty"
    assert record.url == "https://checker.example/fact-check/moon"


def test_missing_verdict() -> None:
    record = _rejected(_claimreview(reviewRating={"ratingValue": 1, "alternateName": ""}))
    assert record.error == "reviewRating.alternateName is missing (the verdict in words)"
    record = _rejected(_claimreview(**{"@type": "ClaimReview", "reviewRating": None}))
    assert record.error == "reviewRating is missing (the verdict, with its alternateName in words)"


def test_bad_url_without_page_url() -> None:
    record = _rejected(_claimreview(url="javascript:alert(1)"))
    assert record.error == (
        "url 'javascript:alert(1)' is not an http(s) URL and the page URL is unknown"
    )
    assert record.url == "javascript:alert(1)"  # still shown in the report
    record = _rejected(_claimreview(url="/relative/only"))
    assert record.error == "url '/relative/only' is not an http(s) URL and the page URL is unknown"
    record = _rejected(_claimreview(url=None))
    assert (record.url, record.error) == (None, "url is missing and the page URL is unknown")
    record = _rejected(_claimreview(url=["https://a.example/"]))
    assert record.error == "url a list is not an http(s) URL and the page URL is unknown"


def test_several_reasons_are_all_given() -> None:
    record = _rejected(_claimreview(url="nope", claimReviewed="", reviewRating={}))
    assert record.error == (
        "url 'nope' is not an http(s) URL and the page URL is unknown; "
        "claimReviewed is missing or empty; "
        "reviewRating.alternateName is missing (the verdict in words)"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"claimReviewed": "x" * 10_001},
            "claimReviewed is 10,001 characters long, over the limit of 10,000",
        ),
        (
            {"reviewRating": {"alternateName": "F" * 20_001}},
            "reviewRating.alternateName is 20,001 characters long, over the limit of 20,000",
        ),
        (
            {"name": "h" * 1_001},
            "name (the headline) is 1,001 characters long, over the limit of 1,000",
        ),
        (
            {"reviewBody": "b" * 20_001},
            "reviewBody is 20,001 characters long, over the limit of 20,000",
        ),
        (
            {"reviewRating": {"alternateName": "F", "ratingExplanation": "e" * 10_001}},
            "reviewRating.ratingExplanation is 10,001 characters long, over the limit of 10,000",
        ),
        (
            {"author": {"@type": "Organization", "name": "n" * 501}},
            "the publisher's name is 501 characters long, over the limit of 500",
        ),
        (
            {"author": {"@type": "Person", "name": "n" * 501}},
            "an author's name is 501 characters long, over the limit of 500",
        ),
        (
            {"itemReviewed": {"author": {"name": "n" * 501}}},
            "itemReviewed.author.name is 501 characters long, over the limit of 500",
        ),
    ],
)
def test_over_long_texts_are_rejected_not_cut(fields: dict[str, Any], message: str) -> None:
    record = _rejected(_claimreview(**fields))
    assert record.error is not None
    assert record.error.startswith(message)
    assert "not cut short" in record.error


def test_limits_count_cleaned_text() -> None:
    # Exactly at the limit once trimmed and cleaned: accepted.
    claim = "  " + "x" * 10_000 + "\x00 "
    assert len(_one(_claimreview(claimReviewed=claim)).claim_text) == 10_000


def test_one_bad_record_among_good_ones() -> None:
    document = {
        "@graph": [
            _claimreview(url="https://checker.example/1"),
            {"@type": "WebPage", "name": "not a record"},
            _claimreview(url="https://checker.example/2", claimReviewed=""),
            {
                "@type": "DataFeedItem",
                "url": "https://checker.example/3",
                "item": _claimreview(url=None),
            },
        ]
    }
    records = extract(document)
    assert [(record.index, record.url) for record in records] == [
        (0, "https://checker.example/1"),
        (1, "https://checker.example/2"),
        (2, "https://checker.example/3"),
    ]
    assert [record.error for record in records] == [None, "claimReviewed is missing or empty", None]
    assert [record.review is None for record in records] == [False, True, False]


def test_garbage_in_nothing_out() -> None:
    garbage: list[Any] = [None, 1, 2.5, True, "ClaimReview", [], {}, [[[]]], {"@graph": None}]
    for document in garbage:
        assert extract(document) == []


def test_very_deep_input_does_not_overflow_the_stack() -> None:
    document: Any = _claimreview()
    for _ in range(50_000):
        document = [{"x": document}]
    (record,) = extract(document)
    assert record.review is not None
    assert record.index == 0


def test_shared_and_cyclic_containers() -> None:
    review = _claimreview()
    cyclic: dict[str, Any] = {"a": review, "b": review}
    cyclic["self"] = cyclic
    assert len(extract(cyclic)) == 1


# --- Properties ------------------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "@context", "@type", "@graph", "jsonld", "page_url", "url", "claimReviewed", "reviewRating",
        "alternateName", "ratingValue", "bestRating", "worstRating", "ratingExplanation",
        "itemReviewed", "author", "publisher", "creator", "name", "appearance", "archivedAt",
        "firstAppearance", "sameAs", "datePublished", "dateModified", "inLanguage", "item",
        "dataFeedElement", "dateDeleted", "claims", "claimReview", "text", "textualRating",
        "languageCode", "mainEntityOfPage", "title", "headline", "reviewBody", "description",
    ]
) | st.text(max_size=8)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(
        [
            "ClaimReview", "DataFeedItem", "Person", "Organization", "https://a.example/x",
            "a.example/y", "/z", "javascript:x", "False", "", " ", "-1", "5", "2020-01-01",
            "2020-02-30T10:00+02", "fr", "\x00",
        ]
    )
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(KEYS, children, max_size=6),
    max_leaves=40,
)


def _check_records(records: list[Extracted]) -> None:
    assert [record.index for record in records] == list(range(len(records)))
    for record in records:
        assert (record.review is None) != (record.error is None)
        if record.error is not None:
            assert not record.error.startswith("could not be read")  # no internal error
        if record.review is not None:
            assert is_http_url(record.review.url)
            assert record.url == record.review.url
            assert record.review.claim_text.strip()
            assert record.review.rating_label.strip()
            for url, archived in record.review.appearances:
                assert is_http_url(url)
                assert archived is None or is_http_url(archived)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_extract_never_raises(document: Any) -> None:
    _check_records(extract(document))


# ClaimReview-shaped documents whose values are mostly usable, so that about half the records
# are accepted and the invariants above are really exercised, not only the rejections.
def _mostly(good: st.SearchStrategy[Any], noise: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """`good` three times out of four (one_of would merge the branches, `|` flatten them)."""
    return st.integers(0, 3).flatmap(lambda pick: noise if pick == 0 else good)


URLS = _mostly(
    st.sampled_from(
        ["https://a.example/x", "http://b.example/y?z=1", "c.example/p", "//d.example/"]
    ),
    st.sampled_from(["/rel", "javascript:alert(1)", "mailto:x@y.example", "https://localhost/", ""])
    | SCALARS,
)
TEXTS = _mostly(
    st.text(min_size=1)
    | st.sampled_from(["False", "Incorrect \r", "really_false", "The moon is cheese", "x" * 501]),
    SCALARS,
)
NUMBERS = _mostly(st.integers(-2, 7) | st.sampled_from(["1", "5", "", " 2.5 ", "-1"]), SCALARS)
RATINGS = _mostly(
    st.fixed_dictionaries(
        {"alternateName": TEXTS},
        optional={"ratingValue": NUMBERS, "bestRating": NUMBERS, "worstRating": NUMBERS}
        | {"ratingExplanation": TEXTS},
    ),
    JSON,
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "@type": st.sampled_from(["ClaimReview", ["Review", "ClaimReview"], "claimreview"]),
            "url": URLS,
            "claimReviewed": TEXTS,
            "reviewRating": RATINGS,
        },
        optional={"itemReviewed": JSON, "author": JSON, "inLanguage": SCALARS, "name": TEXTS},
    ),
    st.sampled_from([None, "https://page.example/p"]) | URLS,
    st.none() | st.sampled_from(["fr", "pt_br", "zh-hant", "??"]) | st.text(max_size=6),
)
def test_claimreview_like_documents(document: Any, page_url: Any, language: Any) -> None:
    records = extract(document, page_url=page_url, language=language)
    assert len(records) == 1
    _check_records(records)
