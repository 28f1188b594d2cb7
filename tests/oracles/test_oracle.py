"""The oracle itself can fail: each documented requirement, broken once in a hand-written golden
document, is reported."""

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.oracles.rules import problems

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[1] / "golden" / "full.claimreview.json").read_text("utf-8")
)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def change(document: dict[str, Any]) -> None:
        node = document
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is KeyError:
            del node[last]
        else:
            node[last] = value

    return change


BROKEN = {
    "no claimReviewed": _set("claimReviewed", KeyError),
    "empty claimReviewed": _set("claimReviewed", " "),
    "no reviewRating": _set("reviewRating", KeyError),
    "no url": _set("url", KeyError),
    "url not http": _set("url", "ftp://verifact.example/x"),
    "no rating text": _set("reviewRating/alternateName", KeyError),
    "no author": _set("author", KeyError),
    "no datePublished": _set("datePublished", KeyError),
    "date not ISO 8601": _set("datePublished", "05/03/2024"),
    "no itemReviewed": _set("itemReviewed", KeyError),
    "other context": _set("@context", "http://schema.org/"),
    "other type": _set("@type", "Review"),
    "a key that is no schema.org term": _set("verdict", "false"),
    "a native field in the rating": _set("reviewRating/label", "False"),
    "value without a scale": _set("reviewRating/bestRating", KeyError),
    "value above best": _set("reviewRating/ratingValue", 11),
    "value below worst": _set("reviewRating/ratingValue", 0),
    "worst not below best": _set("reviewRating/worstRating", 10),
    "rating as claim": _set("claimReviewed", "Pants on fire"),
    "modified before published": _set("dateModified", "2024-03-04T00:00:00Z"),
    "appearance without url": _set("itemReviewed/appearance/0/url", KeyError),
    "claimant of no type": _set("itemReviewed/author/@type", "Thing"),
}


def test_the_golden_document_satisfies_the_oracle() -> None:
    assert problems(GOLDEN) == []


@pytest.mark.parametrize("change", BROKEN.values(), ids=list(BROKEN))
def test_a_broken_requirement_is_reported(change: Callable[[dict[str, Any]], None]) -> None:
    document = copy.deepcopy(GOLDEN)
    change(document)
    assert problems(document)
