"""Google's `fields=` selector: parsed, checked against a response schema, applied."""

from typing import Any

import pytest

from app.claimreview import fieldmask
from app.claimreview.fieldmask import FieldMaskError, Mask
from app.claimreview.google import GoogleClaimsResponse


@pytest.mark.parametrize(
    ("text", "mask"),
    [
        ("", {}),
        ("claims", {"claims": {}}),
        ("claims.text", {"claims": {"text": {}}}),
        ("claims/text", {"claims": {"text": {}}}),
        ("claims/claimReview.url", {"claims": {"claimReview": {"url": {}}}}),
        (
            "claims(text,claimReview(url,textualRating)),nextPageToken",
            {
                "claims": {"text": {}, "claimReview": {"url": {}, "textualRating": {}}},
                "nextPageToken": {},
            },
        ),
        ("claims(text),claims(claimant)", {"claims": {"text": {}, "claimant": {}}}),
        ("claims.text,claims", {"claims": {}}),
        ("claims,claims.text", {"claims": {}}),
        (
            "claims(claimReview/publisher(name))",
            {"claims": {"claimReview": {"publisher": {"name": {}}}}},
        ),
        ("*", {"*": {}}),
        ("claims(*)", {"claims": {"*": {}}}),
        ("a_b9", {"a_b9": {}}),
    ],
)
def test_parse(text: str, mask: Mask) -> None:
    assert fieldmask.parse(text) == mask


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (",", "expected a field name at position 0, found ','"),
        ("claims,", "expected a field name at position 7, found the end"),
        ("claims(", "expected a field name at position 7, found the end"),
        ("claims()", "expected a field name at position 7, found ')'"),
        ("claims(text", "missing ')' at position 11"),
        ("claims)", "unexpected ')' at position 6"),
        ("claims..text", "expected a field name at position 7, found '.'"),
        ("claims text", "unexpected ' ' at position 6"),
        ("9claims", "expected a field name at position 0, found '9'"),
        ("claims(text))", "unexpected ')' at position 12"),
        ("a" * 2001, "longer than 2000 characters"),
        ("a(" * 20 + "b" + ")" * 20, "nested deeper than 16 levels"),
    ],
)
def test_bad_syntax_is_refused_saying_where(text: str, says: str) -> None:
    with pytest.raises(FieldMaskError) as raised:
        fieldmask.parse(text)
    assert str(raised.value) == says


RESPONSE = {
    "claims": [
        {
            "text": "The moon is cheese",
            "claimant": "A post",
            "claimReview": [
                {"url": "https://a/1", "textualRating": "False", "publisher": {"name": "A"}},
                {"url": "https://b/2", "textualRating": "Fake", "publisher": {"name": "B"}},
            ],
        },
        {"text": "Second", "claimReview": []},
    ],
    "nextPageToken": "t",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", RESPONSE),
        ("nextPageToken", {"nextPageToken": "t"}),
        ("claims.text", {"claims": [{"text": "The moon is cheese"}, {"text": "Second"}]}),
        (
            "claims(claimReview(publisher/name)),nextPageToken",
            {
                "claims": [
                    {"claimReview": [{"publisher": {"name": "A"}}, {"publisher": {"name": "B"}}]},
                    {"claimReview": []},
                ],
                "nextPageToken": "t",
            },
        ),
        ("claims(claimant)", {"claims": [{"claimant": "A post"}, {}]}),
        ("claims(*)", {"claims": RESPONSE["claims"]}),
        (
            "claims(*,claimReview(url))",
            {
                "claims": [
                    {
                        "text": "The moon is cheese",
                        "claimant": "A post",
                        "claimReview": RESPONSE["claims"][0]["claimReview"],
                    },
                    {"text": "Second", "claimReview": []},
                ]
            },
        ),
    ],
)
def test_apply(text: str, expected: dict[str, Any]) -> None:
    assert fieldmask.apply(fieldmask.parse(text), RESPONSE) == expected


SCHEMA = GoogleClaimsResponse.model_json_schema(by_alias=True, mode="serialization")


@pytest.mark.parametrize(
    "text",
    [
        "claims(text,claimant,claimDate,claimReview(publisher(name,site),url,title)),nextPageToken",
        "claims.claimReview.reviewDate,claims.claimReview.textualRating",
        "claims.claimReview.languageCode",
        "*",
        "claims(*)",
    ],
)
def test_check_accepts_declared_fields(text: str) -> None:
    fieldmask.check(fieldmask.parse(text), SCHEMA)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("claim", "unknown field claim"),
        ("claims.txt", "unknown field claims.txt"),
        (
            "claims(claimReview(publisher(name,url)))",
            "unknown field claims.claimReview.publisher.url",
        ),
        ("claims.text.length", "claims.text has no fields to select"),
        ("nextPageToken(x)", "nextPageToken has no fields to select"),
        ("*(x)", "claims.x"),
    ],
)
def test_check_names_the_undeclared_field(text: str, says: str) -> None:
    with pytest.raises(FieldMaskError) as raised:
        fieldmask.check(fieldmask.parse(text), SCHEMA)
    assert says in str(raised.value)
