"""URL lookup for browser extensions: the fact-checks that concern a web address."""

from collections.abc import Callable, Sequence

from sqlmodel import Session

from app.domain.schemas import LookupMatch, LookupResponse
from app.errors import Unprocessable
from app.rules.urls import InvalidURL, normalize_url
from app.rules.verdicts import Verdict
from app.storage import repositories as repo

MAX_URLS = 100


def url_keys(urls: Sequence[str], field: str = "urls") -> dict[str, str]:
    """Each address sent, by its normalised key; every invalid one reported at its field.
    No I/O: the API runs it on the event loop, before deciding whether to read the database."""
    if len(urls) > MAX_URLS:
        raise Unprocessable(
            f"At most {MAX_URLS} URLs per request; {len(urls)} were sent.",
            errors=[{"field": field, "message": f"more than {MAX_URLS} URLs"}],
        )
    keys: dict[str, str] = {}
    errors = []
    for i, url in enumerate(urls):
        try:
            keys[url] = normalize_url(url)
        except InvalidURL as exc:
            errors.append(
                {"field": f"{field}.{i}" if field == "urls" else field, "message": str(exc)}
            )
    if errors:
        raise Unprocessable(
            "; ".join(f"{e['field']}: {e['message']}" for e in errors), errors=errors
        )
    return keys


def answer(keys: dict[str, str], rows: Sequence[repo.LookupRow]) -> LookupResponse:
    """The response for these addresses, given the stored rows of their keys."""
    by_key: dict[str, dict[int, LookupMatch]] = {}
    for row in rows:
        by_key.setdefault(row.url_key, {})[row.review_id] = LookupMatch(
            id=row.review_id,
            claim_id=row.claim_id,
            publisher_id=row.publisher_id,
            url=row.url,
            label=row.label,
            verdict=Verdict(row.verdict),
        )
    return LookupResponse(
        matches={
            url: sorted(by_key.get(key, {}).values(), key=lambda m: m.id)
            for url, key in keys.items()
        }
    )


def lookup_keys(
    session: Session, keys: dict[str, str], may_match: Callable[[str], bool] | None = None
) -> LookupResponse:
    """The published reviews of these (normalised) addresses. `may_match` spares the database
    the keys it knows no review concerns (`KnownAddresses`); without it every key is read."""
    wanted = sorted({key for key in keys.values() if may_match is None or may_match(key)})
    return answer(keys, repo.lookup_urls(session, wanted) if wanted else [])
