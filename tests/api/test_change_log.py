"""Every public change of a review is appended to the ordered change log in the same transaction."""

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import text

from app.storage.database import Database
from tests.conftest import auth


def changes(db: Database) -> list[tuple[str, int]]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text('SELECT type, review_id FROM "change" ORDER BY cursor')
        ).all()
    return [(row[0], row[1]) for row in rows]


class TestChangeLog:
    def test_lifecycle_is_logged_in_order(
        self,
        client: httpx.Client,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
        editor_key: str,
    ) -> None:
        draft = make_review(status="draft")
        assert changes(db) == []
        rid = draft["id"]
        client.patch(
            f"/v1/reviews/{rid}", json={"headline": "draft edit"}, headers=auth(editor_key)
        )
        client.patch(f"/v1/reviews/{rid}", json={"status": "published"}, headers=auth(editor_key))
        client.patch(
            f"/v1/reviews/{rid}", json={"headline": "correction"}, headers=auth(editor_key)
        )
        client.patch(
            f"/v1/reviews/{rid}", json={"headline": "correction"}, headers=auth(editor_key)
        )
        client.patch(f"/v1/reviews/{rid}", json={"status": "retracted"}, headers=auth(editor_key))
        client.patch(f"/v1/reviews/{rid}", json={"status": "published"}, headers=auth(editor_key))
        client.delete(f"/v1/reviews/{rid}", headers=auth(editor_key))
        assert changes(db) == [
            ("review.published", rid),
            ("review.updated", rid),
            ("review.retracted", rid),
            ("review.published", rid),
            ("review.deleted", rid),
        ]

    def test_claim_edit_logs_an_update_for_each_published_review(
        self,
        client: httpx.Client,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
        editor_key: str,
        admin_key: str,
    ) -> None:
        first = make_review()
        body = {
            "claim_id": first["claim_id"],
            "url": "https://verifact.example/2",
            "rating": {"label": "False"},
        }
        draft = client.post("/v1/reviews", json=body, headers=auth(editor_key)).json()
        client.patch(
            f"/v1/claims/{first['claim_id']}", json={"text": "Edited"}, headers=auth(admin_key)
        )
        assert changes(db) == [("review.published", first["id"]), ("review.updated", first["id"])]
        assert draft["status"] == "draft"

    def test_deleting_a_never_published_draft_logs_nothing(
        self,
        client: httpx.Client,
        db: Database,
        make_review: Callable[..., dict[str, Any]],
        editor_key: str,
    ) -> None:
        draft = make_review(status="draft")
        client.delete(f"/v1/reviews/{draft['id']}", headers=auth(editor_key))
        assert changes(db) == []

    def test_change_rows_carry_the_filters_webhooks_need(
        self, db: Database, make_review: Callable[..., dict[str, Any]]
    ) -> None:
        make_review(rating={"label": "Satire"}, language="en")
        with db.engine.connect() as connection:
            row = connection.execute(
                text('SELECT publisher_id, language, verdict FROM "change"')
            ).one()
        assert tuple(row) == ("verifact", "en", "satire")
