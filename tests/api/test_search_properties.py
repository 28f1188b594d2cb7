"""Property: whatever text arrives as a query, search answers with results, never an error —
on either engine."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

OPERATORS = st.sampled_from(
    ['"', "*", "^", "-", ":", "(", ")", "AND", "OR", "NOT", "NEAR", "'", "&", "|", "!", "<->", "\\"]
)
QUERIES = st.lists(st.one_of(st.text(max_size=30), OPERATORS), max_size=12).map(" ".join)


@pytest.fixture
def corpus(publish: Callable[..., dict[str, Any]]) -> None:
    publish('A NEAR miss: (not) the "title" AND OR', "en")
    publish("Les vaccins n'ont pas d'effet", "fr")
    publish("安倍晉三患的是癌症", "zh-Hant")
    publish("اللِّقَاحُ يُسَبِّبُ العُقْم", "ar")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(q=QUERIES, language=st.sampled_from([None, "en", "fr", "zh", "ar"]))
def test_any_query_is_plain_text(
    client: httpx.Client, corpus: None, q: str, language: str | None
) -> None:
    params = {"q": q, **({"language": language} if language else {})}
    response = client.get("/v1/search", params=params)
    if "\x00" in q:
        assert response.status_code == 400, (q, response.text)  # app.api.hygiene refuses NUL
        return
    if not q.strip() and language is None:
        assert response.status_code == 422, (q, response.text)  # nothing to search by
        return
    assert response.status_code == 200, (q, response.text)
    assert isinstance(response.json()["results"], list)
