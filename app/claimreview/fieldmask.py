"""Google's partial-response selector (`fields=`), parsed, checked against a response's JSON
Schema and applied to a response: Google's clients send it, and answer with what it names only.

The syntax is that of Google's JSON APIs: a comma-separated list of selections; a selection is a
path of field names joined by `/` or `.` (`claims/text`, `claims.text`), optionally followed by
a parenthesised list of sub-selections (`claims(text,claimReview(url))`); `*` names every field
of an object. A selection of a list applies to each of its items.

A mask is a dict from field name to the mask of what is kept below it; an empty dict keeps the
whole field. Pure functions, no I/O.
"""

import re
from typing import Any

Mask = dict[str, "Mask"]

_NAME = re.compile(r"\*|[A-Za-z_][A-Za-z0-9_]*")
MAX_LENGTH = 2000
MAX_DEPTH = 16


class FieldMaskError(ValueError):
    """The selector cannot be read, or names a field the response does not have."""


def parse(text: str) -> Mask:
    """The mask a `fields=` value selects; the empty string selects everything (`{}`)."""
    if not text:
        return {}
    if len(text) > MAX_LENGTH:
        raise FieldMaskError(f"longer than {MAX_LENGTH} characters")
    mask, end = _selections(text, 0, 0)
    if end != len(text):
        raise FieldMaskError(f"unexpected {text[end]!r} at position {end}")
    return mask


def _selections(text: str, start: int, depth: int) -> tuple[Mask, int]:
    if depth > MAX_DEPTH:
        raise FieldMaskError(f"nested deeper than {MAX_DEPTH} levels")
    mask: Mask = {}
    position = start
    while True:
        path, position = _path(text, position)
        below: Mask = {}
        if position < len(text) and text[position] == "(":
            below, position = _selections(text, position + 1, depth + 1)
            if position >= len(text) or text[position] != ")":
                raise FieldMaskError(f"missing ')' at position {position}")
            position += 1
        for name in reversed(path[1:]):
            below = {name: below}
        _add(mask, path[0], below)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        return mask, position


def _path(text: str, position: int) -> tuple[list[str], int]:
    names = []
    while True:
        found = _NAME.match(text, position)
        if found is None:
            shown = repr(text[position]) if position < len(text) else "the end"
            raise FieldMaskError(f"expected a field name at position {position}, found {shown}")
        names.append(found.group())
        position = found.end()
        if position < len(text) and text[position] in "/.":
            position += 1
            continue
        return names, position


def _add(mask: Mask, name: str, below: Mask) -> None:
    mask[name] = union(mask[name], below) if name in mask else below


def union(a: Mask, b: Mask) -> Mask:
    """Both selections of one field: the whole field (`{}`) on either side keeps it whole."""
    if not a or not b:
        return {}
    merged = dict(a)
    for name, below in b.items():
        _add(merged, name, below)
    return merged


def apply(mask: Mask, value: Any) -> Any:
    """`value` (a JSON document) with only what `mask` selects; lists are masked item by item."""
    if not mask:
        return value
    if isinstance(value, list):
        return [apply(mask, item) for item in value]
    if not isinstance(value, dict):
        return value
    star = mask.get("*")
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if key in mask:
            below = mask[key] if star is None else union(star, mask[key])
        elif star is not None:
            below = star
        else:
            continue
        kept[key] = apply(below, item)
    return kept


def check(mask: Mask, schema: dict[str, Any]) -> None:
    """Raises FieldMaskError naming the first selected field that `schema` (a JSON Schema with
    its `$defs`) does not declare, or a sub-selection of a field that has no fields."""
    _check(mask, schema, schema.get("$defs", {}), "")


def _check(mask: Mask, schema: dict[str, Any], defs: dict[str, Any], where: str) -> None:
    if not mask:
        return
    properties = _object(schema, defs).get("properties")
    if properties is None:
        raise FieldMaskError(f"{where} has no fields to select")
    for name, below in mask.items():
        path = f"{where}.{name}" if where else name
        if name == "*":
            # A sub-selection under `*` applies to the fields that have fields of their own.
            for key, declared in properties.items():
                if below and "properties" in _object(declared, defs):
                    _check(below, declared, defs, f"{where}.{key}" if where else key)
            continue
        if name not in properties:
            raise FieldMaskError(f"unknown field {path}")
        _check(below, properties[name], defs, path)


def _object(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """The object schema behind references, arrays and optional (`anyOf` with null) types."""
    for _ in range(MAX_DEPTH):
        if "$ref" in schema:
            schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
        elif schema.get("type") == "array":
            schema = schema.get("items", {})
        elif "anyOf" in schema:
            options = [s for s in schema["anyOf"] if s.get("type") != "null"]
            schema = options[0] if len(options) == 1 else {}
        else:
            return schema
    return schema
