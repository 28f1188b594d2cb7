"""Every real ClaimReview file imports over HTTP, and each stored record is what the page said."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.storage.database import Database
from tests.conftest import DATA, auth, load_json

# file -> (review url, publisher id, label, verdict, date published (None: not in the markup),
#          language, claim text starts with)
EXPECTED: dict[str, tuple[str, str, str, str, str | None, str, str]] = {
    "aajtak_india_today_raw.json": (
        "https://aajtak.intoday.in/story/fact-check-bbc-and-new-york-times-write-these-things-about-pm-modi-and-india-1-1208682.html",
        "aajtak",
        "False",
        "false",
        "2020-07-05T00:00:00",
        "hi",
        "न्यू यॉर्क टाइम्स और बीबीसी",
    ),
    "afp_checamos_raw.json": (
        "https://checamos.afp.com/suposta-fala-de-soros-sobre-financiar-grupos-de-odio-negro-nao-foi-publicada-pelo-bild",
        "checamos",
        "Falso",
        "false",
        "2020-06-23T20:02:00",
        "pt",
        "George Soros disse ao jornal alemão",
    ),
    "afp_factual_all_raw.json": (
        "https://factual.afp.com/doc.afp.com.32DE93V",
        "afp",
        "Falso",
        "false",
        "2022-06-28T21:14:00",
        "es",
        "Video muestra a pilotos protestando",
    ),
    "afp_factual_raw.json": (
        "https://factual.afp.com/no-hay-registro-de-que-morena-o-el-pt-difundieran-el-montaje-de-un-cierre-de-campana",
        # AFP's Spanish service names itself "Factual" on this page.
        "factual",
        "Engañoso",
        "misleading",
        "2021-06-01T23:35:00",
        "es",
        "Fotomontaje de cierre de campaña",
    ),
    "afp_factual_usa_raw.json": (
        "https://factual.afp.com/doc.afp.com.32DZ4YE",
        "afp",
        "Falso",
        "false",
        "2022-07-08T09:48:00",
        "es",
        "España da la nacionalidad",
    ),
    "afp_factuel_raw.json": (
        "https://factuel.afp.com/doc.afp.com.9XC9W4",
        "afp",
        "Faux",
        "false",
        "2022-01-28T18:35:00",
        "fr",
        "Le Mali a rompu ses relations diplomatiques",
    ),
    "afp_india_raw.json": (
        "https://factcheck.afp.com/doc.afp.com.32427BX",
        "afp",
        "Misleading",
        "misleading",
        "2022-03-02T07:11:00",
        "en",
        "Kharkiv fell and Russian flag",
    ),
    "afp_raw.json": (
        "https://factcheck.afp.com/cdc-does-not-add-flu-and-pneumonia-deaths-covid-19-toll",
        "afp-fact-check",
        "False",
        "false",
        "2020-06-24T00:03:00",
        "en",
        "The US Centers for Disease Control",
    ),
    "africa_check_raw.json": (
        "https://africacheck.org/fact-checks/reports/south-african-mayor-incorrect-about-covid-19-vaccine",
        # The page names a journalist as its Organization author; that is what it says.
        "taryn-willows",
        "Incorrect",
        "false",
        "2020-03-27T08:46:13",
        "en",
        "Interferon alpha-2b",
    ),
    "aos_fatos_raw.json": (
        "https://aosfatos.org/noticias/video-manipulado-faz-crer-que-drauzio-incentiva-criancas-a-usarem-drogas/",
        "aos-fatos",
        "não_é_bem_assim",
        "misleading",
        "2022-08-11T00:00:00",
        "pt",
        "Drauzio Varella incentiva",
    ),
    "bangla_boom_live_raw.json": (
        "https://bangla.boomlive.in/fast-check/fact-check-new-york-times-edited-front-page-modi-crying-crocodile-fake-news-13562",
        "boom",
        "False",
        "false",
        "2021-06-17T09:19:04",
        "bn",
        "দ্য নিউ",
    ),
    "boom_live_raw.json": (
        "https://www.boomlive.in/video-claiming-hindu-kids-are-being-taught-namaz-in-karnataka-is-misleading/",
        "boom",
        "False",
        "false",
        "2019-04-10T06:39:05",
        "en",
        "In Karnataka, teacher is teaching",
    ),
    "datacommons_feed_item_de.json": (
        "https://www.presseportal.de/pm/133833/4381130",
        "deutsche-presse-agentur",
        "Reker hat diesen Satz nie gesagt. «Völliger Unsinn», heißt es dazu aus der Pressestelle der Stadt Köln.",
        "false",
        "2019-09-20T00:00:00",
        "de",
        "Im Netz sorgt ein angebliches Zitat",
    ),
    "efe_verifica_raw.json": (
        "https://verifica.efe.com/detenidos-mayoria-espanoles-no-extranjeros-como-asegura-ferris/",
        "agencia-efe",
        "Falso.",
        "false",
        "2022-10-24T00:00:00",
        "es",
        "La práctica totalidad",
    ),
    "fact_check_cite_raw.json": (
        "https://factcheck.cite.org.zw/do-antibodies-prevent-covid-19-reinfection/",
        "factcheckzw",
        "The Health Desk Experts said Current data shows that roughly 10% of infected people do not have measurable antibodies once they recover from COVID-19.",
        "other",
        "2021-06-18T00:00:00",
        "en",
        "7% don't have T-cells",
    ),
    "google_factcheck_claim_ur.json": (
        "https://www.vishvasnews.com/urdu/society/viral-video-of-doctor-beating-patient-is-of-jaipur-sms-hospital-not-from-kanpur-hallet-hospital/",
        "vishvasnews-com",
        "False",
        "false",
        "2019-06-20T12:12:40",
        "ur",
        "کانپور کے ہیلٹ اسپتال",
    ),
    "hindi_boom_live_raw.json": (
        "https://hindi.boomlive.in/fast-check/video-of-man-cuddling-cheetahs-shared-as-rajasthan-temple-14141",
        "boom-live",
        "Misleading",
        "misleading",
        "2021-08-03T07:56:54",
        "hi",
        "राजस्थान में एक गांव",
    ),
    "india_today_raw.json": (
        "https://www.indiatoday.in/fact-check/story/pm-modi-did-not-criticise-his-government-when-he-was-gujarat-cm-2006828-2022-09-30",
        "india-today",
        "Mostly false",
        "mostly_false",
        None,
        "en",
        "PM Modi, during a Gujarat speech",
    ),
    # `claimReviewed` as a list of one string, as The Quint's pages give it.
    "the_quint_raw.json": (
        "https://www.thequint.com/news/webqoof/are-these-last-tweets-of-sushant-singh-rajput-no-images-are-fake-fact-check",
        "the-quint",
        "False",
        "false",
        "2020-06-16T14:45:35",
        "en",
        "Last Tweets of Sushant Singh Rajput shared on 14 June",
    ),
    "tfc_taiwan_missing_page.json": (
        "https://tfc-taiwan.org.tw/articles/4539",
        "tfc-taiwan-org-tw",
        "證據不足",
        "unproven",
        "2020-09-30T00:00:00",
        "zh",
        "安倍晉三患的是癌症",
    ),
    "twenty_minutes_claim_review_page.json": (
        "https://www.20minutes.fr/monde/ukraine/3288079-20220511-guerre-ukraine-role-urss-pendant-seconde-guerre-mondiale-sous-estime-enseignement-france",
        "20-minutes",
        "really_false",
        "false",
        "2022-05-11T00:00:00",
        "fr",
        "Le rôle de l'URSS",
    ),
    "vishvas_news_english_raw.json": (
        "https://www.vishvasnews.com/english/viral/fact-check-rishi-sunak-did-not-make-a-viral-statement-about-former-pm-manmohan-singh-viral-post-is-fake/",
        "vishvas-news",
        "False",
        "false",
        "2022-11-01T12:46:43",
        "en",
        "Rishi Sunak praises Manmohan Singh",
    ),
    "vishvas_news_raw.json": (
        "https://www.vishvasnews.com/politics/fact-check-priyanka-gandhi-and-robert-vadras-marriage-was-officiated-by-kashmiri-priest-fake-claim-viral/",
        "vishvas-news",
        "False",
        "false",
        "2022-10-18T06:01:08",
        "hi",
        "मौलवी ने कराई थी",
    ),
}


def stored(db: Database, url: str) -> dict[str, Any]:
    with db.engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT r.id, r.publisher_id, r.rating_label, r.verdict, r.date_published, "
                "r.language, c.text, r.status, r.jsonld FROM review r "
                "JOIN claim c ON c.id = r.claim_id WHERE r.url = :url"
            ),
            {"url": url},
        ).one()
    keys = [
        "id",
        "publisher_id",
        "label",
        "verdict",
        "date_published",
        "language",
        "text",
        "status",
        "jsonld",
    ]
    return dict(zip(keys, row, strict=True))


def _datetime(value: Any) -> datetime:
    return (datetime.fromisoformat(value) if isinstance(value, str) else value).replace(tzinfo=UTC)


@pytest.fixture
def importer_key(make_key: Any) -> str:
    key: str = make_key("importer")
    return key


def test_every_real_file_has_an_expectation() -> None:
    files = {p.name for p in (DATA / "claimreview-real").glob("*.json")} - {
        "newtral_api_index_es.json"
    }
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_file_imports_as_the_page_said(
    client: httpx.Client, db: Database, importer_key: str, name: str
) -> None:
    url, publisher, label, verdict, published, language, text_start = EXPECTED[name]
    response = client.post(
        "/v1/import", json=load_json(f"claimreview-real/{name}"), headers=auth(importer_key)
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
        "retracted": 0,
    }
    row = stored(db, url)
    assert row["publisher_id"] == publisher
    assert row["label"] == label
    assert row["verdict"] == verdict
    assert row["language"] == language
    assert row["text"].startswith(text_start)
    assert row["status"] == "published"
    assert row["jsonld"] is not None
    when = _datetime(row["date_published"])
    if published is None:  # not in the markup: the time it was first seen here
        assert datetime.now(UTC) - when < timedelta(minutes=5)
    else:
        assert when == _datetime(published)
    document = client.get(f"/v1/reviews/{row['id']}/claimreview").json()
    assert document["reviewRating"]["alternateName"] == label


def test_newtral_api_page_imports_all_fifteen(
    client: httpx.Client, db: Database, importer_key: str
) -> None:
    response = client.post(
        "/v1/import",
        json=load_json("claimreview-real/newtral_api_index_es.json"),
        headers=auth(importer_key),
    )
    assert response.json() == {
        "created": 15,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
        "retracted": 0,
    }
    first = stored(db, "https://www.newtral.es/pobreza-trabajo-cataluna-factcheck/20221008/")
    assert (first["publisher_id"], first["label"], first["verdict"], first["language"]) == (
        "newtral",
        "Falso",
        "false",
        "es",
    )
    assert _datetime(first["date_published"]) == datetime(2022, 10, 8, tzinfo=UTC)
    with db.engine.connect() as connection:
        verdicts = dict(
            connection.execute(text("SELECT verdict, count(*) FROM review GROUP BY verdict")).all()
        )
    assert verdicts == {"false": 5, "misleading": 10}


def test_one_publisher_across_its_sites(
    client: httpx.Client, db: Database, importer_key: str
) -> None:
    # The AFP pages name themselves "AFP" or "AFP Fact Check" on several hosts; the author's
    # home page (factcheck.afp.com) ties them to one publisher.
    for name in ("afp_factuel_raw.json", "afp_raw.json", "afp_factual_all_raw.json"):
        client.post(
            "/v1/import", json=load_json(f"claimreview-real/{name}"), headers=auth(importer_key)
        )
    publisher = client.get("/v1/publishers/afp").json()
    assert publisher["review_count"] == 3
    assert sorted(publisher["sites"]) == ["factcheck.afp.com", "factual.afp.com", "factuel.afp.com"]
