"""What every scenario shares: servers in subprocesses, wrk, a /healthz prober, sequential
latency, and the report (a table on stdout, JSON in bench/results/)."""

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "rotate.lua"
LOG = RESULTS / "server.log"  # what the bench servers print
# Benches touch only this database (a schema per corpus, see data.database); BENCH_PG_URL.
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test_bench")
ENGINES = ("sqlite", "postgresql")

# (method, path, JSON body or None)
Request = tuple[str, str, str | None]


def get(path: str) -> Request:
    return ("GET", path, None)


def lookup_path(url: str) -> str:
    return "/v1/lookup?url=" + quote(url, safe="")


# --- command line --------------------------------------------------------------------------------


def arguments(doc: str | None, *, engine: str = "both") -> argparse.ArgumentParser:
    """The options every scenario takes; each adds its own."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=(*ENGINES, "both"), default=engine)
    parser.add_argument("--pg-url", default=PG_URL, help="SQLAlchemy URL of the PostgreSQL db")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pin", action="store_true", help="pin the server to CPU 0 and wrk to CPU 1 (taskset)"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="CLAIMREVIEW_READ_CACHE_ENTRIES=0 (uncached path)"
    )
    return parser


def engines(args: argparse.Namespace) -> tuple[str, ...]:
    return ENGINES if args.engine == "both" else (args.engine,)


# --- servers -------------------------------------------------------------------------------------


def service_env(database_url: str, *, cache: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a bench server: no rate limit (a bench is one client address)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMREVIEW_")}
    env |= {
        "CLAIMREVIEW_DATABASE_URL": database_url,
        "CLAIMREVIEW_RATE_LIMIT_ANONYMOUS": "",
        "CLAIMREVIEW_RATE_LIMIT_KEY": "",
        "CLAIMREVIEW_LOG_LEVEL": "warning",
        "CLAIMREVIEW_TOKEN_SECRET": "bench",
    }
    if not cache:
        env["CLAIMREVIEW_READ_CACHE_ENTRIES"] = "0"
    return env | extra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _taskset(cpu: int | None) -> list[str]:
    if cpu is None or not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        return []
    return ["taskset", "-c", str(cpu)]


class Server:
    """`uvicorn APP` with one worker on 127.0.0.1, in its own process group."""

    def __init__(self, app: str, env: dict[str, str], *, cpu: int | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", "1", "--no-access-log"]
        # The asyncio loop, as the service is deployed (its dependencies leave uvloop out), for
        # every app alike even where a venv still holds uvloop.
        command += ["--loop", "asyncio", "--log-level", "warning"]
        # Its errors go to a log, so that a collapse does not bury the report under tracebacks.
        RESULTS.mkdir(parents=True, exist_ok=True)
        with LOG.open("ab") as log:
            log.write(f"--- {time.strftime('%H:%M:%S')} {app} on {self.base}\n".encode())
            self.process = subprocess.Popen(
                _taskset(cpu) + command,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while fetch(self.base, get("/healthz"), timeout=2)[0] != 200:
            if self.process.poll() is not None:
                raise RuntimeError(f"{app} exited with {self.process.returncode}: see {LOG}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{app} did not answer /healthz within 60 s")
            time.sleep(0.2)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def serve(app: str, env: dict[str, str], *, pin: bool = False) -> Iterator[Server]:
    server = Server(app, env, cpu=0 if pin else None)
    try:
        yield server
    finally:
        server.stop()


def bare_app(body: bytes) -> tuple[str, dict[str, str]]:
    """The floor of FastAPI itself: fixed bytes (the service's own document, for its size)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "bare-body.json"
    path.write_bytes(body)
    return "bench.apps:bare", service_env("", BENCH_BODY_FILE=str(path))


def floor_app(database_url: str) -> tuple[str, dict[str, str]]:
    """The floor of PostgreSQL: one primary-key query through psycopg's async pool."""
    dsn = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    return "bench.apps:floor", service_env(database_url, BENCH_FLOOR_DSN=dsn)


# --- one request at a time -----------------------------------------------------------------------


def fetch(
    base: str, request: Request, *, timeout: float = 30, connection: Any = None
) -> tuple[int, bytes]:
    """Status and body; 0 when the server could not be reached in time."""
    method, path, body = request
    own = connection is None
    conn = connection or http.client.HTTPConnection(base.removeprefix("http://"), timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0, b""
    finally:
        if own:
            conn.close()


def metric(base: str, name: str) -> float:
    """The sum of a counter's samples in the server's GET /metrics (0 when it has none)."""
    _, body = fetch(base, get("/metrics"))
    total = 0.0
    for line in body.decode().splitlines():
        if line.startswith(name) and line[len(name) : len(name) + 1] in (" ", "{"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def sequential(base: str, requests: Sequence[Request], count: int) -> dict[str, float]:
    """Latency of `count` requests sent one after another on one keep-alive connection, in ms."""
    conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=30)
    for request in requests[:10]:  # a warm-up, unmeasured
        fetch(base, request, connection=conn)
    times, failed = [], 0
    for n in range(count):
        started = time.perf_counter()
        status, _ = fetch(base, requests[n % len(requests)], connection=conn)
        times.append((time.perf_counter() - started) * 1000)
        failed += status != 200
    conn.close()
    return {
        "p50 ms": percentile(times, 0.50),
        "p95 ms": percentile(times, 0.95),
        "p99 ms": percentile(times, 0.99),
        "non-200": failed,
    }


# --- wrk -----------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    seconds: float
    requests: int
    s2xx: int
    s3xx: int
    s4xx: int
    s429: int
    s503: int
    s5xx: int  # other than 503
    socket_errors: int  # connect, read, write errors and time-outs
    p50_ms: float
    p99_ms: float
    max_ms: float

    @property
    def served(self) -> float:
        """Successful answers per second."""
        return self.s2xx / self.seconds if self.seconds else 0.0


def write_requests(name: str, requests: Sequence[Request]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"requests-{name}.tsv"
    with path.open("w", encoding="utf-8") as out:
        for method, path_, body in requests:
            out.write(f"{method}\t{path_}\t{body or ''}\n")
    return path


def wrk(
    base: str,
    requests: Path,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    timeout: float = 10,
    pin: bool = False,
) -> WrkResult:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install -y wrk (the Makefile targets install it)")
    command = [*_taskset(1 if pin else None), "wrk", f"-t{min(threads, connections)}"]
    command += [f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={round(timeout)}s"]
    command += ["-s", str(LUA), base, "--", str(requests), str(random.randrange(1 << 30))]
    run = subprocess.run(command, capture_output=True, text=True)
    line = next((x for x in run.stdout.splitlines() if x.startswith("BENCH ")), None)
    if run.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({run.returncode}): {run.stderr or run.stdout}")
    r = json.loads(line.removeprefix("BENCH "))
    return WrkResult(
        seconds=r["duration_us"] / 1e6,
        requests=r["requests"],
        s2xx=r["2xx"],
        s3xx=r["3xx"],
        s4xx=r["4xx"],
        s429=r["429"],
        s503=r["503"],
        s5xx=r["5xx"],
        socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        max_ms=r["max_us"] / 1000,
    )


def throughput(
    base: str, requests: Path, *, connections: int, seconds: float, warmup: float, pin: bool
) -> WrkResult:
    """A short unmeasured run first, so that caches and pools are warm."""
    if warmup > 0:
        wrk(base, requests, connections=connections, seconds=warmup, pin=pin)
    return wrk(base, requests, connections=connections, seconds=seconds, pin=pin)


# --- /healthz during and after a load ------------------------------------------------------------


class HealthProbe:
    """Sends GET /healthz every `every` seconds, each on a new connection in its own thread (so
    that one stuck probe does not hide the next), while the load runs and for `after` seconds
    past its end; reports the worst latency of each period (the time-out when one went
    unanswered)."""

    def __init__(self, base: str, *, every: float = 0.2, after: float = 2.0, timeout: float = 10):
        self.base, self.every, self.after, self.timeout = base, every, after, timeout
        self.samples: list[tuple[bool, float]] = []  # (sent after the load, seconds)
        self._ended = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def _probe(self, after: bool) -> None:
        started = time.perf_counter()
        status, _ = fetch(self.base, get("/healthz"), timeout=self.timeout)
        elapsed = time.perf_counter() - started if status == 200 else self.timeout
        with self._lock:
            self.samples.append((after, elapsed))

    def _loop(self) -> None:
        end = None
        while end is None or time.monotonic() < end:
            if end is None and self._ended.is_set():
                end = time.monotonic() + self.after
            thread = threading.Thread(target=self._probe, args=(end is not None,), daemon=True)
            thread.start()
            self._threads.append(thread)
            time.sleep(self.every)

    @contextmanager
    def during(self) -> Iterator["HealthProbe"]:
        loop = threading.Thread(target=self._loop, daemon=True)
        loop.start()
        try:
            yield self
        finally:
            self._ended.set()
            loop.join()
            for thread in self._threads:
                thread.join()

    def worst(self, after: bool) -> float:
        return max((s for a, s in self.samples if a == after), default=0.0) * 1000


# --- the report ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "commit": commit,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def report(name: str, rows: list[dict[str, Any]], settings: dict[str, Any]) -> None:
    """Prints the rows as a table and saves them, with the settings, to bench/results/."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print("  ".join(_justify(v, w) for v, w in zip(r, widths, strict=True)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    document = {"scenario": name, "settings": settings, "machine": machine(), "rows": rows}
    path.write_text(json.dumps(document, indent=1, default=str) + "\n")
    print(f"\n{name}: {path.relative_to(ROOT)}; {json.dumps(machine())}")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _justify(value: str, width: int) -> str:
    try:
        float(value.replace(",", ""))
    except ValueError:
        return value.ljust(width)
    return value.rjust(width)


def wrk_row(result: WrkResult) -> dict[str, Any]:
    return {
        "req/s": result.served,
        "p50 ms": result.p50_ms,
        "p99 ms": result.p99_ms,
        "non-2xx": result.requests - result.s2xx,
        "sock err": result.socket_errors,
    }


def settings(args: argparse.Namespace) -> dict[str, Any]:
    return dict(vars(args))
