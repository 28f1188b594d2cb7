"""`claimreview import`: a file or standard input, JSON or NDJSON, with a progress bar."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from tqdm import tqdm

from app.domain.access import COMMAND_LINE
from app.domain.imports import Importer, ImportResult, Unreadable
from app.storage.database import Database


def _documents(stream: IO[bytes], progress: tqdm[Any] | None) -> Iterator[Any]:
    """NDJSON line by line (constant memory), or, when the first line is not a whole JSON
    value, the stream as one JSON document."""
    first = stream.readline()
    try:
        first_value = orjson.loads(first) if first.strip() else None
        ndjson = True
    except orjson.JSONDecodeError:
        ndjson = False
    if not ndjson:
        rest = stream.read()
        if progress is not None:
            progress.update(len(first) + len(rest))
        try:
            yield orjson.loads(first + rest)
        except orjson.JSONDecodeError as exc:
            yield Unreadable(f"the input is neither JSON nor NDJSON: {exc.msg}")
        return
    if progress is not None:
        progress.update(len(first))
    if first_value is not None:
        yield first_value
    for number, line in enumerate(stream, start=2):
        if progress is not None:
            progress.update(len(line))
        if not line.strip():
            continue
        try:
            yield orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Unreadable(f"line {number} is not valid JSON: {exc.msg}")


def run_import(db: Database, source: str, *, dry_run: bool = False) -> ImportResult:
    path = None if source == "-" else Path(source)
    stream: IO[bytes] = sys.stdin.buffer if path is None else path.open("rb")
    show = sys.stderr.isatty()
    progress = (
        tqdm(
            total=path.stat().st_size if path else None,
            unit="B",
            unit_scale=True,
            desc="Importing",
            file=sys.stderr,
        )
        if show
        else None
    )

    def on_record(result: ImportResult) -> None:
        if progress is not None and result.total % 100 == 0:
            progress.set_postfix(
                created=result.created, updated=result.updated, rejected=len(result.rejected)
            )

    importer = Importer(db, COMMAND_LINE, dry_run=dry_run, on_record=on_record)
    started = time.perf_counter()
    try:
        importer.import_documents(_documents(stream, progress))
    finally:
        if progress is not None:
            progress.close()
        if path is not None:
            stream.close()
    elapsed = time.perf_counter() - started
    result = importer.result
    rate = result.total / elapsed if elapsed > 0 else 0.0
    verb = "Checked (dry run, nothing stored)" if dry_run else "Imported"
    print(
        f"{verb}: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged, {len(result.rejected)} rejected "
        f"in {elapsed:.1f} s ({rate:,.0f} records/s).",
        file=sys.stderr,
    )
    for rejection in result.rejected[:20]:
        where = f" {rejection.url}" if rejection.url else ""
        print(f"  rejected #{rejection.index}{where}: {rejection.reason}", file=sys.stderr)
    if len(result.rejected) > 20:
        print(f"  … and {len(result.rejected) - 20} more rejected.", file=sys.stderr)
    return result
