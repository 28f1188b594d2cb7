"""The README's tour and configuration table are true: the tour runs as written."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
from pydantic_settings import BaseSettings

from app.config import Settings
from tests.conftest import LiveServer

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```sh\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines()[0].startswith("make run")
    assert first_block.splitlines()[1].startswith("make test")


def test_every_setting_is_in_the_configuration_table() -> None:
    assert issubclass(Settings, BaseSettings)
    for name in Settings.model_fields:
        assert f"`CLAIMREVIEW_{name.upper()}`" in README, name


def test_tour_runs_as_written(
    live_server: LiveServer, client: httpx.Client, tmp_path: Path
) -> None:
    tour = README.split("## A five-minute tour", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    tour = tour.replace("API=http://127.0.0.1:8000", f"API={live_server.url}")
    bin_dir = Path(sys.executable).parent
    tour = tour.replace(".venv/bin/claimreview", str(bin_dir / "claimreview"))
    script = tmp_path / "tour.sh"
    script.write_text(
        "set -euo pipefail\n" + tour.replace("curl -sf", "curl -sSf"), encoding="utf-8"
    )
    env = {**os.environ, "CLAIMREVIEW_DATABASE_URL": live_server.settings.database_url}
    done = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "HTTP/1.1 200 OK" in done.stdout
    assert "application/ld+json" in done.stdout
    document = done.stdout.split("\n\n", 1)[1]  # text mode folds \r\n
    assert re.search(r'"alternateName":"False"', document)
    assert '"claimReviewed":"Drinking hot water cures the flu"' in document
