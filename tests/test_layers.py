"""The pure layers stay pure: the schema.org parser (`app.claimreview`), the rules of the data
(`app.rules`), the text analysis and ranking (`app.search`) and the message catalogue import
nothing that reads a database or a network, so that each can be used and tested alone."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ("claimreview", "rules", "search")
# Modules that do I/O, and the layers built on them.
IMPURE = ("sqlalchemy", "sqlmodel", "httpx", "psycopg", "redis", "uvicorn", "starlette")
IMPURE_APP = ("app.storage", "app.domain", "app.api", "app.web", "app.main", "app.config")


def _pure_modules() -> list[str]:
    names = ["app.messages"]
    for package in PURE_PACKAGES:
        for path in sorted((ROOT / "app" / package).glob("*.py")):
            module = f"app.{package}" if path.stem == "__init__" else f"app.{package}.{path.stem}"
            names.append(module)
    return names


def test_the_pure_modules_are_found() -> None:
    modules = _pure_modules()
    for expected in ("app.claimreview.parse", "app.rules.urls", "app.rules.verdicts"):
        assert expected in modules


@pytest.mark.parametrize("module", _pure_modules())
def test_a_pure_module_loads_no_io(module: str) -> None:
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    impure = [
        name for name in loaded if name.split(".")[0] in IMPURE or name.startswith(IMPURE_APP)
    ]
    assert impure == [], f"{module} loads {impure[:5]}"
