"""`claimreview import`: a file or standard input, JSON or NDJSON, with a progress bar."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import IO, Any

import orjson
from tqdm import tqdm

from app.domain.access import COMMAND_LINE
from app.domain.importing import Importer, ImportResult, ReadDocument, Unreadable, read_document
from app.storage.database import Database


def _parse_line(number: int, line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return Unreadable(f"line {number} is not valid JSON: {exc.msg}")


def _documents(
    stream: IO[bytes], progress: tqdm[Any] | None, workers: Readers | None = None
) -> Iterator[Any]:
    """NDJSON line by line (constant memory), or, when the first line is not a whole JSON
    value, the stream as one JSON document. With `workers`, NDJSON lines are read (parsed,
    extracted, checked) in worker processes and come back as `ReadDocument`s, in order."""
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
    lines = _lines(stream, progress, first if first_value is not None else None)
    if workers is not None:
        yield from workers.read(lines)
        return
    for number, line in lines:
        yield _parse_line(number, line)


def _lines(
    stream: IO[bytes], progress: tqdm[Any] | None, first: bytes | None
) -> Iterator[tuple[int, bytes]]:
    if first is not None:
        yield 1, first
    for number, line in enumerate(stream, start=2):
        if progress is not None:
            progress.update(len(line))
        if line.strip():
            yield number, line


def _read_lines(lines: list[tuple[int, bytes]]) -> list[ReadDocument]:
    """In a worker process."""
    return [read_document(_parse_line(n, line), checked=True) for n, line in lines]


def _worker_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    with contextlib.suppress(OSError, AttributeError):
        # Linux: end with the parent, even when it is killed (a worker waits on its queue).
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


class Readers:
    """Worker processes for the pure part of an import (JSON, extraction, language detection,
    validation): chunks of lines go out, at most a few per worker at a time so that memory
    stays flat, and come back in order while the parent writes to the database."""

    CHUNK = 250

    def __init__(self, processes: int) -> None:
        self.processes = processes
        # Forked before any database connection or thread exists in this process.
        self.pool = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start
        )
        self.pool.submit(int).result()  # a forking pool starts all its workers on first use

    def read(self, lines: Iterator[tuple[int, bytes]]) -> Iterator[ReadDocument]:
        pending: deque[Future[list[ReadDocument]]] = deque()
        chunks = iter(lambda: list(islice(lines, self.CHUNK)), [])
        for chunk in chunks:
            pending.append(self.pool.submit(_read_lines, chunk))
            if len(pending) >= 3 * self.processes:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _worker_count() -> int:
    """One worker per CPU but the one the parent writes with (it is as busy as a worker)."""
    return min((os.cpu_count() or 1) - 1, 7)


def run_import(
    db: Database, source: str, *, dry_run: bool = False, workers: int | None = None
) -> ImportResult:
    """`workers`: processes reading NDJSON input besides this one, which writes (default: one
    per CPU but one; 0 reads here too)."""
    count = _worker_count() if workers is None else workers
    readers = Readers(count) if count > 0 else None
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

    importer = Importer(db.unit_of_work, COMMAND_LINE, dry_run=dry_run, on_record=on_record)
    started = time.perf_counter()
    try:
        importer.import_documents(_documents(stream, progress, readers))
    finally:
        if readers is not None:
            readers.close()
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
        f"{result.unchanged} unchanged, {len(result.rejected)} rejected, "
        f"{result.retracted} retracted "
        f"in {elapsed:.1f} s ({rate:,.0f} records/s).",
        file=sys.stderr,
    )
    for rejection in result.rejected[:20]:
        where = f" {rejection.url}" if rejection.url else ""
        print(f"  rejected #{rejection.index}{where}: {rejection.reason}", file=sys.stderr)
    if len(result.rejected) > 20:
        print(f"  … and {len(result.rejected) - 20} more rejected.", file=sys.stderr)
    return result
