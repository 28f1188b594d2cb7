"""URL lookup for browser extensions: the fact-checks that concern a web address."""

from collections.abc import Sequence

from sqlmodel import Session

from app.domain.schemas import LookupMatch, LookupResponse
from app.domain.urls import InvalidURL, normalize_url
from app.domain.verdicts import Verdict
from app.errors import Unprocessable
from app.storage import repositories as repo

MAX_URLS = 100


def lookup(session: Session, urls: Sequence[str], field: str = "urls") -> LookupResponse:
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
    by_key: dict[str, dict[int, LookupMatch]] = {}
    for row in repo.lookup_urls(session, sorted(set(keys.values()))):
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
