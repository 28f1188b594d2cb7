"""The ClaimReview validator: the reference example, each rule on a minimal document, and every
real markup file we hold."""

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from app.claimreview.parse import extract
from app.claimreview.validate import Finding, Report, validate
from tests.claimreview.test_parse import JSON

DATA = Path(__file__).resolve().parents[1] / "data"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _document(**fields: Any) -> dict[str, Any]:
    """A ClaimReview with no errors and no warnings; a field given as None is removed."""
    document: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://checker.example/fact-check/moon",
        "claimReviewed": "The moon is made of cheese",
        "datePublished": "2024-05-31",
        "author": {"@type": "Organization", "name": "Checker", "url": "https://checker.example/"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": "False",
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A blogger"},
            "datePublished": "2024-05-01",
            "appearance": [{"@type": "CreativeWork", "url": "https://blog.example/post"}],
        },
    }
    document.update(fields)
    return {key: value for key, value in document.items() if value is not None}


def _rating(**fields: Any) -> dict[str, Any]:
    rating: dict[str, Any] = {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    rating.update(fields)
    return {key: value for key, value in rating.items() if value is not None}


def _item(**fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "A blogger"},
        "datePublished": "2024-05-01",
    }
    item.update(fields)
    return {key: value for key, value in item.items() if value is not None}


def _paths(findings: tuple[Finding, ...]) -> list[str]:
    return [finding.path for finding in findings]


def test_baseline_document_is_clean() -> None:
    assert validate(_document()) == Report(valid=True, errors=(), warnings=(), claimreviews=1)


def test_reference_example() -> None:
    report = validate(_load(DATA / "examples" / "netflix-binge-watch-hoax.fr.jsonld"))
    assert report == Report(
        valid=True,
        errors=(),
        warnings=(
            Finding(
                "claimReviewed",
                "claimReviewed is 127 characters long; Google recommends a short claim "
                "(at most 75)",
            ),
        ),
        claimreviews=1,
    )


def test_google_example() -> None:
    report = validate(
        _load(DATA / "examples" / "netflix-binge-watch-hoax.google-claims-search.json")
    )
    assert report == Report(valid=True, errors=(), warnings=(), claimreviews=1)


# --- Errors ----------------------------------------------------------------------------------

# (document, [(path, words in the message)]): these errors and no warnings.
ERRORS: dict[str, tuple[dict[str, Any], list[tuple[str, str]]]] = {
    "claim missing": (
        _document(claimReviewed=None, reviewRating=_rating()),
        [("claimReviewed", "claimReviewed is missing or empty")],
    ),
    "claim empty": (_document(claimReviewed="  "), [("claimReviewed", "missing or empty")]),
    "claim not text": (_document(claimReviewed=42), [("claimReviewed", "must be text, not int")]),
    "url missing": (_document(url=None), [("url", "url is missing")]),
    "url without scheme": (
        _document(url="aosfatos.org/x"),
        [("url", "url 'aosfatos.org/x' is not an absolute http(s) URL")],
    ),
    "url relative": (_document(url="/fact/1"), [("url", "not an absolute http(s) URL")]),
    "url javascript": (_document(url="javascript:alert(1)"), [("url", "not an absolute")]),
    "rating missing": (_document(reviewRating=None), [("reviewRating", "reviewRating is missing")]),
    "rating list": (
        _document(reviewRating=[_rating(), _rating()]),
        [("reviewRating", "must be one Rating, not a list")],
    ),
    "verdict missing": (
        _document(reviewRating=_rating(alternateName=None)),
        [("reviewRating.alternateName", "alternateName is missing")],
    ),
    "verdict blank": (
        _document(reviewRating=_rating(alternateName=" ")),
        [("reviewRating.alternateName", "alternateName is missing")],
    ),
    "author missing": (_document(author=None), [("author", "author is missing")]),
    "author empty list": (_document(author=[]), [("author", "author is missing")]),
    "value not numeric": (
        _document(reviewRating=_rating(ratingValue="one")),
        [("reviewRating.ratingValue", "ratingValue 'one' is not a number")],
    ),
    "value boolean": (
        _document(reviewRating=_rating(ratingValue=True)),
        [("reviewRating.ratingValue", "ratingValue True is not a number")],
    ),
    "value above best": (
        _document(reviewRating=_rating(ratingValue=6)),
        [("reviewRating.ratingValue", "ratingValue (6) is outside the scale [1, 5]")],
    ),
    "value below worst": (
        _document(reviewRating=_rating(ratingValue=1, worstRating=2)),
        [("reviewRating.ratingValue", "ratingValue (1) is outside the scale [2, 5]")],
    ),
    "flat scale": (
        _document(reviewRating=_rating(ratingValue=3, bestRating=3, worstRating=3)),
        [("reviewRating.bestRating", "bestRating (3) must be above worstRating (3)")],
    ),
    "worst below one": (
        _document(reviewRating=_rating(ratingValue=0, bestRating=4, worstRating=0)),
        [("reviewRating.worstRating", "worstRating (0) must be at least 1")],
    ),
    "sentinel": (
        _document(reviewRating=_rating(ratingValue=-1, bestRating=-1, worstRating=-1)),
        [("reviewRating", "ratings are -1: leave ratingValue/bestRating/worstRating out instead")],
    ),
    "sentinel as strings": (
        _document(reviewRating=_rating(ratingValue="-1", bestRating="-1", worstRating="-1")),
        [("reviewRating", "ratings are -1")],
    ),
    "appearance not a URL": (
        _document(itemReviewed=_item(appearance=["not a url"])),
        [("itemReviewed.appearance[0]", "appearance URL 'not a url' is not an absolute")],
    ),
    "appearance ftp": (
        _document(itemReviewed=_item(appearance=[{"url": "ftp://x.example/f"}])),
        [("itemReviewed.appearance[0].url", "is not an absolute http(s) URL")],
    ),
    "appearance object without url": (
        _document(itemReviewed=_item(appearance={"@type": "CreativeWork"})),
        [("itemReviewed.appearance.url", "appearance URL None is not")],
    ),
    "archived copy not a URL": (
        _document(
            itemReviewed=_item(appearance=[{"url": "https://a.example/", "archivedAt": "x"}])
        ),
        [("itemReviewed.appearance[0].archivedAt", "archivedAt 'x' is not an absolute")],
    ),
    "first appearance relative": (
        _document(itemReviewed=_item(firstAppearance={"url": "/post/1"})),
        [("itemReviewed.firstAppearance.url", "'/post/1' is not an absolute")],
    ),
    "date not ISO 8601": (
        _document(datePublished="31/05/2024"),
        [("datePublished", "datePublished '31/05/2024' is not an ISO 8601 date")],
    ),
    "date a number": (
        _document(dateModified=20240531),
        [("dateModified", "dateModified 20240531 is not an ISO 8601 date")],
    ),
    "impossible date": (
        _document(datePublished="2023-02-30"),
        [("datePublished", "datePublished '2023-02-30' is not a real date or time")],
    ),
    "impossible time": (
        _document(dateModified="2023-02-03T25:10:00Z"),
        [("dateModified", "is not a real date or time")],
    ),
    "bad claim date": (
        _document(itemReviewed=_item(datePublished="yesterday")),
        [("itemReviewed.datePublished", "'yesterday' is not an ISO 8601 date")],
    ),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_rule(case: str) -> None:
    document, expected = ERRORS[case]
    report = validate(document)
    assert not report.valid
    assert report.warnings == ()
    assert _paths(report.errors) == [path for path, _ in expected]
    for finding, (_, words) in zip(report.errors, expected, strict=True):
        assert words in finding.message


def test_several_errors_in_one_record() -> None:
    report = validate(_document(url=None, claimReviewed="", author=None))
    assert _paths(report.errors) == ["claimReviewed", "url", "author"]


# --- Warnings --------------------------------------------------------------------------------

# (document, [(path, words in the message)]): these warnings and no errors.
WARNINGS: dict[str, tuple[Any, list[tuple[str, str]]]] = {
    "type missing": (
        _document(**{"@type": None}),
        [("@type", '@type is missing: add "@type": "ClaimReview"')],
    ),
    "type not ClaimReview": (
        _document(**{"@type": "Review"}),
        [("@type", "@type is 'Review', not ClaimReview")],
    ),
    "context missing": (
        _document(**{"@context": None}),
        [("", '@context is missing: add "@context": "https://schema.org"')],
    ),
    "context elsewhere": (
        _document(**{"@context": "https://example.org/vocab"}),
        [("@context", "@context is 'https://example.org/vocab', not schema.org")],
    ),
    "long claim": (
        _document(claimReviewed="A claim that goes on and on " * 3),
        [("claimReviewed", "claimReviewed is 83 characters long; Google recommends")],
    ),
    "verdict first": (
        _document(claimReviewed="FALSE: the moon is cheese"),
        [("claimReviewed", "claimReviewed seems to contain the verdict ('false')")],
    ),
    "verdict last": (
        _document(claimReviewed="The moon is cheese - fake"),
        [("claimReviewed", "contain the verdict ('fake')")],
    ),
    "verdict in another language": (
        _document(claimReviewed="Faux : la lune est en fromage"),
        [("claimReviewed", "contain the verdict ('faux')")],
    ),
    "the rating's own words": (
        _document(
            claimReviewed="Moon of cheese is pants on fire, says blog",
            reviewRating=_rating(alternateName="Pants-on-Fire!"),
        ),
        [("claimReviewed", "contain the verdict ('pants on fire')")],
    ),
    "item reviewed missing": (
        _document(itemReviewed=None),
        [("itemReviewed", "itemReviewed is missing")],
    ),
    "claim author missing": (
        _document(itemReviewed=_item(author=None)),
        [("itemReviewed.author", "itemReviewed.author is missing")],
    ),
    "claim date missing": (
        _document(itemReviewed=_item(datePublished="")),
        [("itemReviewed.datePublished", "itemReviewed.datePublished is missing")],
    ),
    "date published missing": (
        _document(datePublished=None),
        [("datePublished", "datePublished is missing")],
    ),
    "date with a space": (
        _document(datePublished="2022-01-28 18:35"),
        [("datePublished", "ISO 8601 puts a 'T' between the date and the time")],
    ),
    "author a person": (
        _document(author={"@type": "Person", "name": "Ann Reporter"}),
        [("author", "author is a Person: Google expects the fact-checking Organization")],
    ),
    "author list with a person": (
        _document(
            author=[{"@type": "Person", "name": "A"}, {"@type": "Organization", "name": "C"}]
        ),
        [("author[0]", "author is a Person")],
    ),
    "author without name": (
        _document(author={"@type": "Organization", "url": "https://checker.example/"}),
        [("author.name", "the author has no name")],
    ),
    "numbers as strings": (
        _document(reviewRating=_rating(ratingValue="1", bestRating="5", worstRating="1")),
        [
            ("reviewRating.ratingValue", "ratingValue should be a number, not the string '1'"),
            ("reviewRating.bestRating", "bestRating should be a number, not the string '5'"),
            ("reviewRating.worstRating", "worstRating should be a number"),
        ],
    ),
    "one number only": (
        _document(reviewRating=_rating(bestRating=None, worstRating=None)),
        [("reviewRating", "give all three of ratingValue, bestRating and worstRating, or none")],
    ),
    "empty number": (
        _document(reviewRating=_rating(bestRating="", worstRating=None)),
        [
            ("reviewRating.bestRating", "bestRating is empty: give a number or leave it out"),
            ("reviewRating", "give all three"),
        ],
    ),
    "same url twice": (
        [_document(), _document(claimReviewed="Another claim")],
        [("[1]", "another ClaimReview ([0]) is for the same page: Google shows one")],
    ),
    "two on one page": (
        {
            "@context": "https://schema.org",
            "@graph": [
                {**_document(**{"@context": None}), "url": "https://checker.example/a"},
                {**_document(**{"@context": None}), "url": "https://checker.example/b"},
            ],
        },
        [("@graph[1]", "another ClaimReview (@graph[0]) is for the same page")],
    ),
    "two in one envelope": (
        {
            "page_url": "https://checker.example/p",
            "jsonld": [
                _document(url="https://checker.example/a"),
                _document(url="https://checker.example/b"),
            ],
        },
        [("jsonld[1]", "another ClaimReview (jsonld[0]) is for the same page")],
    ),
    "same page under two spellings": (
        [
            _document(url="https://www.checker.example/x/"),
            _document(url="http://checker.example/x"),
        ],
        [("[1]", "another ClaimReview ([0]) is for the same page")],
    ),
}


@pytest.mark.parametrize("case", sorted(WARNINGS))
def test_warning_rule(case: str) -> None:
    document, expected = WARNINGS[case]
    report = validate(document)
    assert report.valid
    assert report.errors == ()
    assert _paths(report.warnings) == [path for path, _ in expected]
    for finding, (_, words) in zip(report.warnings, expected, strict=True):
        assert words in finding.message


@pytest.mark.parametrize(
    "document",
    [
        _document(**{"@context": "http://schema.org"}),
        _document(**{"@context": "https://schema.org/"}),
        _document(**{"@context": ["https://schema.org", {"ex": "https://example.org/"}]}),
        _document(**{"@context": {"@vocab": "https://schema.org/"}}),
        _document(**{"@type": ["Review", "ClaimReview"]}),
        _document(**{"@type": "http://schema.org/ClaimReview"}),
        # Graph members take the graph's @context.
        {"@context": "https://schema.org", "@graph": [_document(**{"@context": None})]},
        # "Truth" is not "true", "falsehoods" is not "false"; a sentence-long label is not sought.
        _document(claimReviewed="Truth Social bans falsehoods"),
        _document(
            claimReviewed="The mayor said it was a vaccine",
            reviewRating=_rating(alternateName="The mayor was wrong: it is not a vaccine"),
        ),
        _document(reviewRating=_rating(ratingValue=None, bestRating=None, worstRating=None)),
        _document(itemReviewed=_item(appearance="https://blog.example/p")),
        _document(dateModified="2024-06-01T10:00:00.123+02:00"),
    ],
)
def test_accepted_variants(document: Any) -> None:
    assert validate(document) == Report(valid=True, errors=(), warnings=(), claimreviews=1)


def test_an_api_list_is_not_one_page() -> None:
    # Records in a vendor API's "data" are distinct pages, unlike a page's list or @graph.
    document = {"total_results": 2, "data": [_document(), _document(url="https://c.example/b")]}
    assert validate(document) == Report(valid=True, errors=(), warnings=(), claimreviews=2)


def test_paths_into_a_page_list() -> None:
    page = [
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x"},
        {"@context": "https://schema.org", "@type": "BreadcrumbList"},
        _document(itemReviewed=_item(appearance=[{"url": "www.blog.example/post"}])),
    ]
    report = validate(page)
    assert report.errors == (
        Finding(
            "[2].itemReviewed.appearance[0].url",
            "appearance URL 'www.blog.example/post' is not an absolute http(s) URL",
        ),
    )
    assert report.claimreviews == 1


# --- Nothing found ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "hint"),
    [
        ({}, None),
        (None, None),
        ([{"@type": "NewsArticle"}], None),
        ({"claimReviewed": "x", "url": "https://a.example/"}, "the object given has claimReviewed"),
        ([{"@type": "WebPage"}, {"claimReviewed": "x"}], "the object at [1] has claimReviewed"),
    ],
)
def test_no_claimreview(document: Any, hint: str | None) -> None:
    report = validate(document)
    assert report.claimreviews == 0
    assert not report.valid
    (error,) = report.errors
    assert error.path == ""
    assert error.message.startswith('no ClaimReview found: expected an object with "@type"')
    assert (hint in error.message) if hint else ("claimReviewed" not in error.message)


# --- Google Fact Check Tools responses -------------------------------------------------------


def test_google_entry_rules() -> None:
    response = {
        "claims": [
            {
                "claimDate": "2024-13-01T00:00:00Z",
                "claimReview": [
                    {"url": "checker.example/x", "reviewDate": "soon"},
                    {"url": "https://checker.example/y", "textualRating": "False"},
                ],
            }
        ]
    }
    report = validate(response)
    assert report.claimreviews == 2
    assert report.warnings == ()
    assert _paths(report.errors) == [
        "claims[0].text",
        "claims[0].claimReview[0].url",
        "claims[0].claimReview[0].textualRating",
        "claims[0].claimReview[0].reviewDate",
        "claims[0].claimDate",
    ]


# --- Every real file -------------------------------------------------------------------------

REAL_FILES = sorted((DATA / "claimreview-real").iterdir())
# The real files' errors (by path); every other file is valid, warnings aside.
REAL_ERRORS = {
    "aos_fatos_raw.json": ["jsonld.url"],  # "aosfatos.org/..." has no scheme
    "the_quint_raw.json": ["jsonld.reviewRating.worstRating"],  # 0: Google asks for 1 or more
    "twenty_minutes_claim_review_page.json": ["jsonld.reviewRating"],  # -1/-1/-1
}


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda path: path.name)
def test_real_file(path: Path) -> None:
    document = _load(path)
    report = validate(document)
    assert report.claimreviews == len(extract(document))
    assert report.claimreviews == (15 if path.name == "newtral_api_index_es.json" else 1)
    assert _paths(report.errors) == REAL_ERRORS.get(path.name, [])
    assert report.valid == (path.name not in REAL_ERRORS)


def test_real_file_warnings() -> None:
    """A few real files' warnings in full: what a publisher would be told."""
    boom = validate(_load(DATA / "claimreview-real" / "boom_live_raw.json"))
    assert _paths(boom.warnings) == [
        "jsonld.reviewRating.bestRating",
        "jsonld.reviewRating.ratingValue",
        "jsonld.reviewRating",
        "jsonld.author",
    ]
    afp = validate(_load(DATA / "claimreview-real" / "afp_factuel_raw.json"))
    assert _paths(afp.warnings) == [
        "jsonld.@graph[0].reviewRating.ratingValue",
        "jsonld.@graph[0].reviewRating.bestRating",
        "jsonld.@graph[0].reviewRating.worstRating",
        "jsonld.@graph[0].datePublished",
    ]
    newtral = validate(_load(DATA / "claimreview-real" / "newtral_api_index_es.json"))
    missing_context = [w.path for w in newtral.warnings if w.message.startswith("@context")]
    assert missing_context == [f"data[{index}]" for index in range(15)]
    assert not any("one ClaimReview per page" in w.message for w in newtral.warnings)


# --- Properties ------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_validate_never_raises(document: Any) -> None:
    report = validate(document)
    assert report.valid == (not report.errors)
    assert report.claimreviews == len(extract(document))
    if report.claimreviews == 0:
        assert len(report.errors) == 1
