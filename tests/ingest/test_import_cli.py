"""`claimreview import` as a real process: summary, dry run, NDJSON, and surviving SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import text

from app.storage.database import Database
from tests.api.test_access import snapshot
from tests.conftest import DATA, auth
from tests.ingest.test_import_behaviour import claimreview

ROOT = Path(__file__).resolve().parents[2]


def command(database_url: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "app.cli", *args]


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command(database_url, *args),
        capture_output=True,
        text=True,
        env={**os.environ, "CLAIMREVIEW_DATABASE_URL": database_url},
        timeout=600,
        check=False,
        cwd=ROOT,
    )


def write_ndjson(path: Path, count: int) -> None:
    with path.open("wb") as out:
        for i in range(count):
            record = claimreview(
                f"https://verifact.example/bulk/{i}",
                claim=f"Bulk claim number {i} about cheese",
                itemReviewed={
                    "@type": "Claim",
                    "appearance": [{"url": f"https://x.com/a/status/{i}"}],
                },
            )
            out.write(orjson.dumps(record) + b"\n")


def integrity(db: Database) -> tuple[int, int, int, int]:
    """Reviews, and how many of them have each part a complete record has."""
    with db.engine.connect() as connection:
        reviews = connection.execute(text("SELECT count(*) FROM review")).scalar_one()
        rendered = connection.execute(
            text("SELECT count(*) FROM review WHERE jsonld IS NOT NULL")
        ).scalar_one()
        logged = connection.execute(
            text("SELECT count(DISTINCT review_id) FROM \"change\" WHERE type = 'review.published'")
        ).scalar_one()
        indexed = connection.execute(
            text("SELECT count(*) FROM review r JOIN search_doc d ON d.claim_id = r.claim_id")
        ).scalar_one()
    return reviews, rendered, logged, indexed


class TestCommandLineImport:
    def test_summary_and_rejections(self, database_url: str, db: Database, tmp_path: Path) -> None:
        path = tmp_path / "mixed.ndjson"
        bad = claimreview("https://verifact.example/bad")
        del bad["reviewRating"]
        path.write_bytes(
            b"\n".join(orjson.dumps(r) for r in [claimreview("https://verifact.example/1"), bad])
            + b"\n"
        )
        done = run(database_url, "import", str(path))
        assert done.returncode == 0, done.stderr
        assert "1 created, 0 updated, 0 unchanged, 1 rejected" in done.stderr
        assert "records/s" in done.stderr
        assert "rejected #1 https://verifact.example/bad: " in done.stderr
        assert integrity(db)[0] == 1

    def test_dry_run_stores_nothing(self, database_url: str, db: Database) -> None:
        before = snapshot(db)
        done = run(
            database_url,
            "import",
            "--dry-run",
            str(DATA / "claimreview-real/newtral_api_index_es.json"),
        )
        assert done.returncode == 0, done.stderr
        assert "15 created" in done.stderr
        assert "dry run" in done.stderr
        assert snapshot(db) == before

    def test_progress_bar_on_a_terminal(
        self, database_url: str, db: Database, tmp_path: Path
    ) -> None:
        import fcntl
        import pty
        import struct
        import termios

        path = tmp_path / "some.ndjson"
        write_ndjson(path, 5)
        controller, terminal = pty.openpty()
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
        process = subprocess.Popen(
            command(database_url, "import", str(path)),
            env={**os.environ, "CLAIMREVIEW_DATABASE_URL": database_url},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=terminal,
            cwd=ROOT,
        )
        os.close(terminal)
        output = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            output += chunk
        process.wait(timeout=120)
        os.close(controller)
        text_out = output.decode(errors="replace")
        assert "Importing" in text_out
        assert "100%" in text_out
        assert "5 created" in text_out

    def test_standard_input(self, database_url: str, db: Database) -> None:
        payload = orjson.dumps(claimreview("https://verifact.example/stdin"))
        done = subprocess.run(
            command(database_url, "import", "-"),
            input=payload,
            capture_output=True,
            env={**os.environ, "CLAIMREVIEW_DATABASE_URL": database_url},
            timeout=120,
            check=False,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        assert integrity(db)[0] == 1

    def test_killed_mid_import_leaves_whole_records_and_a_rerun_completes(
        self, database_url: str, db: Database, tmp_path: Path
    ) -> None:
        total = 5000
        path = tmp_path / "big.ndjson"
        write_ndjson(path, total)
        lines = path.read_bytes().splitlines(keepends=True)
        # The import reads standard input, which stays open after the first 3000 records: the
        # process cannot finish, so it is certainly killed mid-import, whatever the machine's speed.
        process = subprocess.Popen(
            command(database_url, "import", "-"),
            env={**os.environ, "CLAIMREVIEW_DATABASE_URL": database_url},
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
        )
        assert process.stdin is not None
        try:
            process.stdin.write(b"".join(lines[:3000]))
            process.stdin.flush()
            deadline = time.monotonic() + 240
            while integrity(db)[0] == 0:
                assert process.poll() is None, "the import ended with its input still open"
                assert time.monotonic() < deadline, "no batch was written from the first records"
                time.sleep(0.05)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
            process.stdin.close()
        reviews, rendered, logged, indexed = integrity(db)
        assert 0 < reviews <= 3000
        assert rendered == logged == indexed == reviews, "a record was stored in part"
        done = run(database_url, "import", str(path))
        assert done.returncode == 0, done.stderr
        assert (
            f"{total - reviews} created, 0 updated, {reviews} unchanged, 0 rejected" in done.stderr
        )
        assert integrity(db) == (total, total, total, total)


class TestLargeRequests:
    def test_a_50_mb_datafeed_imports_in_one_request(
        self, client: httpx.Client, db: Database, make_key: Any
    ) -> None:
        items: list[Any] = [
            {
                "@type": "DataFeedItem",
                "item": claimreview(f"https://verifact.example/feed/{i}", claim=f"Feed claim {i}"),
            }
            for i in range(50)
        ]
        # Real feeds carry much besides their ClaimReviews (images, organisation data...).
        items.append({"@type": "Organization", "description": "x" * (49 * 1000 * 1000)})
        body = orjson.dumps(
            {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": items}
        )
        assert 48_000_000 < len(body) < 50_000_000
        response = client.post(
            "/v1/import",
            content=body,
            headers={**auth(make_key("importer")), "Content-Type": "application/ld+json"},
        )
        assert response.status_code == 200, response.text[:500]
        assert response.json()["created"] == 50

    def test_over_the_import_limit_is_413(self, client: httpx.Client, make_key: Any) -> None:
        body = b'{"x": "' + b"x" * (50 * 1000 * 1000) + b'"}'
        response = client.post(
            "/v1/import",
            content=body,
            headers={**auth(make_key("importer")), "Content-Type": "application/json"},
        )
        assert response.status_code == 413
