"""Loads the demo publishers and fact-checks (app/demo/data.json) through the ordinary use cases."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain import publishers, reviews
from app.domain.access import COMMAND_LINE
from app.domain.schemas import PublisherCreate, ReviewCreate, ReviewStatus, ReviewUpdate
from app.rules.urls import normalize_url
from app.storage import repositories as repo
from app.storage.database import Database

DATA = Path(__file__).with_name("data.json")


@dataclass
class DemoResult:
    publishers: int = 0
    reviews: int = 0
    skipped: int = 0


def load_demo(db: Database, path: Path = DATA) -> DemoResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    result = DemoResult()
    for item in data["publishers"]:
        with db.unit_of_work() as session:
            if repo.get_publisher(session, item["id"]) is None:
                publishers.create_publisher(session, COMMAND_LINE, PublisherCreate(**item))
                result.publishers += 1
    claim_ids: dict[str, int] = {}
    for item in data["reviews"]:
        item = dict(item)
        with db.unit_of_work() as session:
            existing = repo.latest_review_id_at(session, normalize_url(item["url"]))
            if existing is not None:
                found = repo.get_review(session, existing)
                if found is not None and "claim" in item:
                    claim_ids[item["claim"]["key"]] = found.claim_id
                result.skipped += 1
                continue
            key = None
            if "claim" in item:
                claim: dict[str, Any] = dict(item["claim"])
                key = claim.pop("key")
                item["claim"] = claim
            else:
                item["claim_id"] = claim_ids[item.pop("claim_key")]
            retract = item.get("status") == ReviewStatus.RETRACTED
            if retract:
                item["status"] = ReviewStatus.PUBLISHED
            created = reviews.create_review(session, COMMAND_LINE, ReviewCreate(**item))
            if key is not None:
                claim_ids[key] = created.claim_id
        if retract:
            with db.unit_of_work() as session:
                reviews.update_review(
                    session,
                    COMMAND_LINE,
                    created.id,
                    ReviewUpdate(status=ReviewStatus.RETRACTED),
                    None,
                )
        result.reviews += 1
    return result
