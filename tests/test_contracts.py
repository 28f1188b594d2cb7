"""openapi.yaml and schemas/ are generated from the code and committed; stale copies fail here."""

from typing import Any

import pytest

from app.tools import contracts


def test_committed_contracts_are_current() -> None:
    stale = [
        str(path.relative_to(contracts.ROOT))
        for path, content in contracts.rendered().items()
        if not path.exists() or path.read_text(encoding="utf-8") != content
    ]
    assert not stale, f"stale: {stale}; run: python -m app.tools.contracts"


def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            found.extend(_walk(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found.extend(_walk(value, f"{path}/{i}"))
    return found


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    from app.main import create_app

    return create_app().openapi()


def test_every_operation_has_a_summary(spec: dict[str, Any]) -> None:
    missing = [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if not operation.get("summary")
    ]
    assert not missing


def test_every_field_and_parameter_has_a_description(spec: dict[str, Any]) -> None:
    undocumented = []
    for name, schema in spec["components"]["schemas"].items():
        if name in ("HTTPValidationError", "ValidationError"):
            continue
        for field, prop in schema.get("properties", {}).items():
            if field.startswith("@"):
                continue
            if "description" not in prop:
                undocumented.append(f"{name}.{field}")
    for path, item in spec["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if "description" not in parameter:
                    undocumented.append(f"{path} {parameter['name']}")
    assert not undocumented


def test_errors_are_declared_as_problem_json(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/v1/reviews/{review_id}"]["patch"]
    for status in ("401", "403", "404", "412", "422"):
        assert "application/problem+json" in operation["responses"][status]["content"], status
