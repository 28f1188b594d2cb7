"""Writes the generated contracts: openapi.yaml and schemas/*.schema.json (JSON Schema 2020-12).

python -m app.tools.contracts          # write them
python -m app.tools.contracts --check  # fail if the committed files are stale
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from app.api.problems import Problem
from app.claimreview.jsonld import ClaimReview
from app.domain import schemas
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_BASE = "https://schemas.claimreview-api.example/"

# name -> (model, mode): outputs are described as serialised, inputs as validated.
PAYLOADS: dict[str, tuple[type[BaseModel], str]] = {
    "claimreview": (ClaimReview, "serialization"),
    "review": (schemas.ReviewPublic, "serialization"),
    "review-create": (schemas.ReviewCreate, "validation"),
    "review-update": (schemas.ReviewUpdate, "validation"),
    "review-revisions": (schemas.ReviewRevisionList, "serialization"),
    "claim": (schemas.ClaimWithReviews, "serialization"),
    "claim-create": (schemas.ClaimCreate, "validation"),
    "claim-update": (schemas.ClaimUpdate, "validation"),
    "publisher": (schemas.PublisherPublic, "serialization"),
    "publisher-create": (schemas.PublisherCreate, "validation"),
    "api-key-create": (schemas.ApiKeyCreate, "validation"),
    "api-key-created": (schemas.ApiKeyCreated, "serialization"),
    "problem": (Problem, "serialization"),
}


def json_schema(name: str) -> dict[str, Any]:
    model, mode = PAYLOADS[name]
    body = model.model_json_schema(by_alias=True, mode=mode)  # type: ignore[arg-type]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{name}.schema.json",
        **body,
    }


def rendered() -> dict[Path, str]:
    files = {
        ROOT / "schemas" / f"{name}.schema.json": json.dumps(
            json_schema(name), indent=2, ensure_ascii=False
        )
        + "\n"
        for name in PAYLOADS
    }
    spec = create_app().openapi()
    files[ROOT / "openapi.yaml"] = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
    return files


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--check", action="store_true", help="only check, write nothing")
    check = args.parse_args(argv).check
    stale = []
    for path, content in rendered().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != content:
            stale.append(path.relative_to(ROOT))
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content, encoding="utf-8")
    if check and stale:
        names = ", ".join(str(p) for p in stale)
        print(f"Stale: {names}. Run: python -m app.tools.contracts", file=sys.stderr)
        return 1
    if not check:
        print(f"Wrote {len(stale)} file(s)." if stale else "Contracts are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
