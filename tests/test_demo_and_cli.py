"""The command line: migrate, keys, demo — run as a real subprocess against the test database."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.demo.load import DATA, load_demo
from app.storage.database import Database
from tests.conftest import auth
from tests.jsonld import assert_valid

NETFLIX_URL = "https://www.journaldugeek.com/non-netflix-ne-contacte-pas-ses-abonnes-pour-savoir-sils-vont-bien/"


def claimreview(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLAIMREVIEW_DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )


class TestDemo:
    def test_demo_loads_publishers_and_fact_checks_in_several_languages(
        self, db: Database, client: httpx.Client
    ) -> None:
        result = load_demo(db)
        data = json.loads(DATA.read_text(encoding="utf-8"))
        assert result.publishers == len(data["publishers"]) >= 5
        assert result.reviews == len(data["reviews"]) >= 30
        with db.engine.connect() as connection:
            languages = (
                connection.execute(text("SELECT DISTINCT language FROM review")).scalars().all()
            )
            netflix = connection.execute(
                text("SELECT id, verdict FROM review WHERE url = :url"), {"url": NETFLIX_URL}
            ).one()
            statuses = dict(
                connection.execute(
                    text("SELECT status, count(*) FROM review GROUP BY status")
                ).all()
            )
        assert len(set(languages)) >= 6
        assert netflix[1] == "false"
        assert statuses.get("draft", 0) >= 1
        assert statuses.get("retracted", 0) >= 1
        document = client.get(f"/v1/reviews/{netflix[0]}/claimreview").json()
        assert_valid(document)
        assert document["reviewRating"]["alternateName"] == "Faux"

    def test_every_demo_label_maps_to_a_verdict(self, db: Database) -> None:
        load_demo(db)
        with db.engine.connect() as connection:
            other = connection.execute(
                text("SELECT rating_label FROM review WHERE verdict = 'other'")
            ).all()
        assert other == []

    def test_demo_is_idempotent(self, db: Database) -> None:
        first = load_demo(db)
        second = load_demo(db)
        assert second.publishers == 0
        assert second.reviews == 0
        assert second.skipped == first.reviews


class TestCommandLine:
    def test_keys_create_prints_a_working_secret_once(
        self, database_url: str, client: httpx.Client, make_publisher: Callable[..., str]
    ) -> None:
        make_publisher("verifact")
        done = claimreview(
            database_url, "keys", "create", "--role", "editor", "--publisher", "verifact"
        )
        assert done.returncode == 0, done.stderr
        secret = done.stdout.strip().splitlines()[-1]
        assert secret.startswith("crk_")
        assert "only this once" in done.stderr
        response = client.post(
            "/v1/claims", json={"text": "x", "language": "en"}, headers=auth(secret)
        )
        assert response.status_code == 201
        listed = claimreview(database_url, "keys", "list")
        assert secret not in listed.stdout
        key_id = listed.stdout.split()[0]
        assert claimreview(database_url, "keys", "revoke", key_id).returncode == 0
        again = client.post(
            "/v1/claims", json={"text": "x", "language": "en"}, headers=auth(secret)
        )
        assert again.status_code == 401

    def test_editor_key_without_publisher_is_a_clear_error(
        self, database_url: str, db: Database
    ) -> None:
        done = claimreview(database_url, "keys", "create", "--role", "editor")
        assert done.returncode == 2
        assert "publisher" in done.stderr
        assert "Traceback" not in done.stderr

    def test_migrate_is_idempotent(self, database_url: str) -> None:
        done = claimreview(database_url, "migrate")
        assert done.returncode == 0, done.stderr
        assert "head" in done.stdout

    @pytest.mark.parametrize(
        "args",
        [
            ["keys", "revoke", "key_nope"],
            ["keys", "create", "--role", "editor", "--publisher", "nobody"],
        ],
    )
    def test_refusals_exit_2_with_a_message(
        self, database_url: str, db: Database, args: list[str]
    ) -> None:
        done = claimreview(database_url, *args)
        assert done.returncode == 2
        assert done.stderr.startswith("claimreview: ")


def test_demo_data_has_the_reference_fact_check() -> None:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    assert any(r["url"] == NETFLIX_URL for r in data["reviews"])
