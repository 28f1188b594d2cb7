"""The ClaimReview rules that a JSON Schema cannot state, from Google's fact-check documentation.

Written apart from the service's model on purpose: a document the renderer produces is checked
against what schema.org and Google ask, never against the code that produced it.
"""

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

SCHEMA = Path(__file__).with_name("claimreview.schema.json")


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def problems(document: Any) -> list[str]:
    """Every way `document` falls short of a ClaimReview Google can show; empty when it is one."""
    found = [
        f"{'/'.join(map(str, e.path)) or '(document)'}: {e.message}"
        for e in sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
    ]
    if found:
        return found
    rating = document["reviewRating"]
    if "ratingValue" in rating:
        # A numeric rating: worstRating < bestRating, and the value within them.
        value, best, worst = rating["ratingValue"], rating["bestRating"], rating["worstRating"]
        if not worst < best:
            found.append(f"reviewRating: worstRating {worst} is not below bestRating {best}")
        if not worst <= value <= best:
            found.append(f"reviewRating: ratingValue {value} is outside {worst}..{best}")
    # The rating goes in reviewRating, not in the claim's text.
    if document["claimReviewed"].strip().lower() == rating["alternateName"].strip().lower():
        found.append("claimReviewed: is the rating, not the claim")
    if "dateModified" in document and _when(document["dateModified"]) < _when(
        document["datePublished"]
    ):
        found.append("dateModified: earlier than datePublished")
    if not urlsplit(document["url"]).hostname:
        found.append("url: no host")
    return found


def assert_claimreview(document: Any) -> None:
    found = problems(document)
    assert not found, "; ".join(found)
