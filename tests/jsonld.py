"""Checks every ClaimReview JSON-LD document in the tests against the hand-written oracle
(tests/oracles), not against the schema generated from the service's own model."""

from typing import Any

from tests.oracles.rules import assert_claimreview


def assert_valid(document: Any) -> None:
    assert_claimreview(document)
