"""`make bench`: read throughput of GET /v1/reviews/{id}/claimreview against a FastAPI floor.

    python -m bench.claimreview_read [--reviews 100000] [--duration 15] [--connections 32]
                                     [--threads 2] [--keep-db PATH]

1. Loads N published reviews into a fresh, migrated SQLite file (bench/dataset.py).
2. Serves it with `uvicorn app.main:app --workers 1` and drives random ids with wrk.
3. Serves bench/minimal_app.py (fixed bytes of the same size) the same way, same load.
4. Prints both throughputs, the ratio service/minimal (target >= 0.7) and the latencies.

On a machine with two or more CPUs the server is pinned to one CPU and wrk to another
(taskset), so that the load generator does not steal the server's CPU.
"""

import argparse
import json
import os
import platform
import random
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "random_ids.lua"
TARGET_RATIO = 0.7
SOCKET_ERRORS = ("connect", "read", "write", "timeout")


# --- small helpers --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _cpu_seconds(pid: int) -> float | None:
    """utime + stime of a live process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_busy(cpus: frozenset[int] | None) -> tuple[float, float] | None:
    """Busy and stolen seconds since boot of the given CPUs (all when None), from /proc/stat."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    busy = steal = 0.0
    for line in lines:
        name, *values = line.split()
        if not name.startswith("cpu") or name == "cpu":
            continue
        if cpus is not None and int(name[3:]) not in cpus:
            continue
        user, nice, system, _idle, _iowait, irq, softirq, stolen = map(int, values[:8])
        busy += (user + nice + system + irq + softirq) / tick
        steal += stolen / tick
    return busy, steal


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(number: str, unit: str) -> float:
    return float(number) * _UNITS[unit]


# --- wrk --------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    bytes_per_response: float
    non_2xx: int
    socket_errors: dict[str, int]
    wrk_cpu_s: float
    server_cpu_s: float | None
    # CPU time other processes used meanwhile on the server's CPU(s) and on wrk's; stolen time
    others_on_server_cpus_s: float | None
    others_on_wrk_cpus_s: float | None
    steal_s: float | None
    seconds: float
    raw: str = field(repr=False)


def parse_wrk(output: str) -> dict[str, float | int]:
    """Requests/sec, the latency distribution (--latency) and the error lines of wrk's report."""
    found: dict[str, float | int] = {}
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if rps is None:
        raise RuntimeError("wrk printed no Requests/sec line:\n" + output)
    found["requests_per_s"] = float(rps.group(1))
    for pct, number, unit in re.findall(
        r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE
    ):
        found[f"p{pct}_ms"] = _ms(number, unit)
    if "p99_ms" not in found:
        raise RuntimeError("wrk printed no latency distribution (was --latency given?)")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    found["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    found["requests"] = int(total.group(1)) if total else 0
    sock = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    for name, value in zip(
        ("connect", "read", "write", "timeout"),
        sock.groups() if sock else (0, 0, 0, 0),
        strict=True,
    ):
        found[f"socket_{name}"] = int(value)
    return found


def run_wrk(
    url: str,
    script_args: list[str],
    *,
    duration: float,
    connections: int,
    threads: int,
    pin: list[str],
    server_pid: int,
    server_cpus: frozenset[int] | None = None,
    wrk_cpus: frozenset[int] | None = None,
) -> WrkResult:
    command = [
        *pin,
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(LUA),
        url,
        "--",
        *script_args,
    ]
    server_before = _cpu_seconds(server_pid)
    server_busy_before = _cpu_busy(server_cpus)
    wrk_busy_before = _cpu_busy(wrk_cpus) if wrk_cpus is not None else None
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output, _ = process.communicate(timeout=duration + 60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise RuntimeError(f"wrk did not finish within {duration + 60:.0f}s") from None
    seconds = time.perf_counter() - started
    server_after = _cpu_seconds(server_pid)
    server_busy_after = _cpu_busy(server_cpus)
    wrk_busy_after = _cpu_busy(wrk_cpus) if wrk_cpus is not None else None
    # communicate() reaped wrk, the only child that ended meanwhile: the delta is its own.
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    server_cpu = (
        server_after - server_before
        if server_before is not None and server_after is not None
        else None
    )
    # What else ran on the server's CPUs (all CPUs when not pinned) and on wrk's.
    others_server = others_wrk = steal = None
    if server_busy_before and server_busy_after and server_cpu is not None:
        own = server_cpu + (wrk_cpu if server_cpus is None else 0.0)
        others_server = max(0.0, server_busy_after[0] - server_busy_before[0] - own)
        steal = server_busy_after[1] - server_busy_before[1]
    if wrk_busy_before and wrk_busy_after:
        others_wrk = max(0.0, wrk_busy_after[0] - wrk_busy_before[0] - wrk_cpu)
    if process.returncode != 0:
        raise RuntimeError(f"wrk exited with {process.returncode}:\n{output}")
    parsed = parse_wrk(output)
    summary_line = re.search(r"^BENCH-SUMMARY (\{.*\})$", output, re.MULTILINE)
    summary = json.loads(summary_line.group(1)) if summary_line else {}
    requests = int(summary.get("requests") or parsed["requests"])
    non_2xx = max(int(parsed["non_2xx"]), int(summary.get("status_errors", 0)))
    return WrkResult(
        requests_per_s=float(parsed["requests_per_s"]),
        p50_ms=float(parsed["p50_ms"]),
        p90_ms=float(parsed["p90_ms"]),
        p99_ms=float(parsed["p99_ms"]),
        max_ms=summary.get("max_us", 0) / 1000,
        requests=requests,
        bytes_per_response=summary.get("bytes", 0) / requests if requests else 0.0,
        non_2xx=non_2xx,
        socket_errors={k: int(parsed[f"socket_{k}"]) for k in SOCKET_ERRORS},
        wrk_cpu_s=wrk_cpu,
        server_cpu_s=server_cpu,
        others_on_server_cpus_s=others_server,
        others_on_wrk_cpus_s=others_wrk,
        steal_s=steal,
        seconds=seconds,
        raw=output,
    )


# --- servers ----------------------------------------------------------------------------------


class Server:
    """One uvicorn worker on 127.0.0.1, terminated on exit whatever happens."""

    def __init__(self, app: str, env: dict[str, str], pin: list[str], log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.command = [
            *pin,
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def wait_ready(self, path: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{' '.join(self.command)} exited with {self.process.returncode}:\n"
                    + self.log.read_text(errors="replace")[-3000:]
                )
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.base}{path} did not answer within {timeout:.0f}s")

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        with urllib.request.urlopen(self.base + path, timeout=5) as response:
            return response.status, dict(response.headers.items()), response.read()


# --- the benchmark ----------------------------------------------------------------------------


def _check_wrk() -> None:
    if shutil.which("wrk") is None:
        print(
            "wrk is not installed. It is the load generator this benchmark drives; install it "
            "from Debian's packages with:\n\n    apt-get install -y wrk\n\n(as root; "
            "`make bench` does it for you).",
            file=sys.stderr,
        )
        sys.exit(2)


@dataclass(frozen=True)
class Pinning:
    server: list[str]  # command prefixes
    wrk: list[str]
    server_cpus: frozenset[int] | None  # None: not pinned
    wrk_cpus: frozenset[int] | None
    note: str


def _pinning(enabled: bool) -> Pinning:
    """taskset prefixes for the server and for wrk, and a sentence saying what was done."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not enabled:
        return Pinning([], [], None, None, "not pinned (--no-pin): server and wrk share all CPUs")
    if shutil.which("taskset") is None:
        return Pinning([], [], None, None, "not pinned (taskset not found): CPUs shared")
    if len(cpus) < 2:
        return Pinning([], [], None, None, f"not pinned (only {len(cpus)} CPU available)")
    server, rest = str(cpus[0]), ",".join(str(c) for c in cpus[1:])
    return Pinning(
        ["taskset", "-c", server],
        ["taskset", "-c", rest],
        frozenset(cpus[:1]),
        frozenset(cpus[1:]),
        f"pinned with taskset: uvicorn on CPU {server}, wrk on CPU {rest}",
    )


def _stored(db_file: Path, review_id: int) -> tuple[bytes, str]:
    with sqlite3.connect(db_file) as connection:
        row = connection.execute(
            "SELECT jsonld, jsonld_etag FROM review WHERE id = ?", (review_id,)
        ).fetchone()
    return bytes(row[0]), str(row[1])


def _count_reviews(db_file: Path) -> int:
    with sqlite3.connect(db_file) as connection:
        row = connection.execute(
            "SELECT count(*) FROM review WHERE status = 'published' AND jsonld IS NOT NULL"
        ).fetchone()
    return int(row[0])


def _sample_from_db(db_file: Path) -> tuple[bytes, list[int]]:
    with sqlite3.connect(db_file) as connection:
        sizes = [int(r[0]) for r in connection.execute("SELECT length(jsonld) FROM review")]
        median = sorted(sizes)[len(sizes) // 2]
        row = connection.execute(
            "SELECT jsonld FROM review WHERE length(jsonld) = ? LIMIT 1", (median,)
        ).fetchone()
    return bytes(row[0]), sizes


def _percentile(values: list[int], pct: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _prepare_database(args: argparse.Namespace, workdir: Path) -> tuple[Path, bytes, list[int]]:
    from app.storage.migrate import upgrade
    from bench import dataset

    db_file = Path(args.keep_db).resolve() if args.keep_db else workdir / "bench.db"
    url = f"sqlite:///{db_file}"
    if db_file.exists():
        if not args.keep_db:
            raise RuntimeError(f"{db_file} exists")
        have = _count_reviews(db_file)
        if have != args.reviews:
            raise RuntimeError(
                f"{db_file} exists with {have} published reviews, not {args.reviews}; "
                "remove it or give another --keep-db path"
            )
        upgrade(url)  # a no-op unless migrations were added since it was made
        print(f"reusing {db_file} ({have} published reviews; --keep-db and it exists)")
        body, sizes = _sample_from_db(db_file)
        return db_file, body, sizes
    print(f"database: {db_file}")
    started = time.perf_counter()
    upgrade(url)
    print(f"  migrated in {time.perf_counter() - started:.1f}s")
    result = dataset.load(url, args.reviews, workers=args.load_workers)
    print(
        f"  loaded {result.reviews} published reviews ({result.claims} claims, "
        f"{result.appearances} appearances, 6 publishers, 10 languages) in {result.seconds:.1f}s "
        f"({result.reviews / result.seconds:.0f} reviews/s, {result.workers} render processes)"
    )
    started = time.perf_counter()
    checked = dataset.verify(url, args.reviews)
    print(
        f"  verified: {checked} random reviews re-rendered through app.domain.publishing.render "
        f"from their stored rows give the stored bytes and etag "
        f"({time.perf_counter() - started:.1f}s)"
    )
    if args.search_index:
        started = time.perf_counter()
        claims = dataset.build_search_index(url)
        print(
            f"  search index: {claims} claims indexed by app.domain.indexing.reindex_all "
            f"in {time.perf_counter() - started:.1f}s"
        )
    return db_file, result.sample_body, result.body_sizes


def _check_service(server: Server, db_file: Path, count: int) -> None:
    rng = random.Random(1)
    for review_id in [1, count, *rng.sample(range(1, count + 1), min(20, count))]:
        status, headers, body = server.get(f"/v1/reviews/{review_id}/claimreview")
        stored, etag = _stored(db_file, review_id)
        lowered = {k.lower(): v for k, v in headers.items()}
        if status != 200 or body != stored or lowered.get("etag") != etag:
            raise RuntimeError(f"review {review_id}: unexpected answer {status} {headers}")
        if not lowered.get("content-type", "").startswith("application/ld+json"):
            raise RuntimeError(f"review {review_id}: content-type {lowered.get('content-type')}")


@dataclass
class Target:
    name: str
    server: Server
    script_args: list[str]
    runs: list[WrkResult] = field(default_factory=list)

    def median(self) -> WrkResult:
        ordered = sorted(self.runs, key=lambda r: r.requests_per_s)
        return ordered[len(ordered) // 2]


def _wrk(target: Target, args: argparse.Namespace, pins: Pinning, duration: float) -> WrkResult:
    result = run_wrk(
        target.server.base,
        target.script_args,
        duration=duration,
        connections=args.connections,
        threads=args.threads,
        pin=pins.wrk,
        server_pid=target.server.pid,
        server_cpus=pins.server_cpus,
        wrk_cpus=pins.wrk_cpus,
    )
    if result.non_2xx:
        print(result.raw, file=sys.stderr)
        raise RuntimeError(
            f"{target.name}: {result.non_2xx} responses were not 2xx/3xx out of {result.requests}"
        )
    if result.requests == 0:
        raise RuntimeError(f"{target.name}: wrk completed no request:\n{result.raw}")
    return result


def _cpu_share(r: WrkResult) -> float | None:
    return r.server_cpu_s / r.seconds if r.server_cpu_s is not None else None


def _pct(value: float | None, seconds: float) -> str:
    return f"{100 * value / seconds:.0f}%" if value is not None else "n/a"


def _round_line(target: str, number: int, r: WrkResult) -> str:
    return (
        f"  round {number} {target:<8}{r.requests_per_s:>9,.0f} requests/s  p50 {r.p50_ms:6.2f} ms"
        f"  p99 {r.p99_ms:7.2f} ms  server CPU {_pct(r.server_cpu_s, r.seconds)}"
        f" (others on its CPU {_pct(r.others_on_server_cpus_s, r.seconds)})"
        f"  wrk CPU {_pct(r.wrk_cpu_s, r.seconds)}"
        f" (others on its CPU {_pct(r.others_on_wrk_cpus_s, r.seconds)})"
    )


def _report(service: WrkResult, minimal: WrkResult, args: argparse.Namespace) -> float:
    ratio = service.requests_per_s / minimal.requests_per_s
    rows = [("claimreview (service)", service), ("minimal FastAPI app", minimal)]
    rounds = f" (median of {args.rounds} rounds)" if args.rounds > 1 else ""
    print(f"\nresults{rounds}: wrk -t{args.threads} -c{args.connections} -d{args.duration:.0f}s")
    print(
        f"{'target':<24}{'requests/s':>12}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'requests':>11}{'bytes/resp':>12}{'server CPU':>12}{'wrk CPU':>9}"
    )
    print("-" * 116)
    for name, r in rows:
        print(
            f"{name:<24}{r.requests_per_s:>12,.0f}{r.p50_ms:>9.2f}{r.p90_ms:>9.2f}"
            f"{r.p99_ms:>9.2f}{r.max_ms:>9.1f}{r.requests:>11,}{r.bytes_per_response:>12.0f}"
            f"{_pct(r.server_cpu_s, r.seconds):>12}{_pct(r.wrk_cpu_s, r.seconds):>9}"
        )
    print("-" * 116)
    met = ratio >= args.target
    print(
        f"ratio service/minimal throughput: {ratio:.3f}  "
        f"(target >= {args.target}: {'MET' if met else 'NOT MET'})"
    )
    print(f"service p99 latency: {service.p99_ms:.2f} ms (minimal: {minimal.p99_ms:.2f} ms)")
    shares = [_cpu_share(service), _cpu_share(minimal)]
    if shares[0] and shares[1]:
        per_cpu = [service.requests_per_s / shares[0], minimal.requests_per_s / shares[1]]
        print(
            f"server CPU per request: service {1e6 / per_cpu[0]:.0f} us, minimal "
            f"{1e6 / per_cpu[1]:.0f} us (ratio of requests per CPU-second: "
            f"{per_cpu[0] / per_cpu[1]:.3f})"
        )
    for name, r in rows:
        busy = []
        if r.others_on_server_cpus_s is not None and r.others_on_server_cpus_s > 0.05 * r.seconds:
            busy.append(
                f"other processes used {100 * r.others_on_server_cpus_s / r.seconds:.0f}% "
                "of the server's CPU"
            )
        wrk_cpu_busy = (r.others_on_wrk_cpus_s or 0.0) + r.wrk_cpu_s
        if r.others_on_wrk_cpus_s is not None and wrk_cpu_busy > 0.9 * r.seconds:
            busy.append(
                f"wrk's CPU was busy {100 * wrk_cpu_busy / r.seconds:.0f}% of the time "
                "(wrk may have been short of CPU)"
            )
        if r.steal_s is not None and r.steal_s / r.seconds > 0.05:
            busy.append(f"the hypervisor stole {100 * r.steal_s / r.seconds:.0f}%")
        if busy:
            print(
                f"warning: {name}: {'; '.join(busy)} during its run, so its requests/s are "
                "lower than on a quiet machine; the CPU-per-request figures are less affected"
            )
        errors = {k: v for k, v in r.socket_errors.items() if v}
        if errors:
            print(f"warning: {name}: wrk socket errors {errors}")
    return ratio


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.claimreview_read", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--reviews", type=int, default=100_000, help="published reviews to load")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds of load per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds first")
    parser.add_argument("--rounds", type=int, default=1, help="alternating runs per target")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--keep-db",
        metavar="PATH",
        help="write the database here and keep it; reused when it exists with --reviews rows",
    )
    parser.add_argument("--load-workers", type=int, default=None, help="render processes")
    parser.add_argument(
        "--search-index",
        action="store_true",
        help="also build the search index (slow; the JSON-LD read does not use it)",
    )
    parser.add_argument("--no-pin", action="store_true", help="do not use taskset")
    parser.add_argument("--target", type=float, default=TARGET_RATIO, help="ratio to meet")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the ratio is missed")
    parser.add_argument("--verbose", action="store_true", help="print wrk's own reports")
    args = parser.parse_args(argv)
    if min(args.reviews, args.connections, args.threads, args.rounds) < 1 or args.duration <= 0:
        parser.error("--reviews, --duration, --rounds, --connections, --threads: positive")
    if args.connections < args.threads:
        parser.error("wrk needs at least one connection per thread")

    _check_wrk()
    wrk_version = subprocess.run(
        ["wrk", "-v"], capture_output=True, text=True, check=False
    ).stdout.splitlines()[0:1]
    pins = _pinning(not args.no_pin)

    print("claimreview read benchmark")
    print(f"  python {platform.python_version()} ({sys.executable})")
    print(
        f"  uvicorn {_pkg('uvicorn')} (uvloop {_pkg('uvloop')}, httptools {_pkg('httptools')}), "
        f"fastapi {_pkg('fastapi')}, starlette {_pkg('starlette')}, "
        f"sqlalchemy {_pkg('sqlalchemy')}, SQLite {sqlite3.sqlite_version}"
    )
    print(f"  {wrk_version[0] if wrk_version else 'wrk'}")
    print(f"  {os.cpu_count()} CPUs ({_cpu_model()}); {pins.note}")
    print(f"  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    workdir = Path(tempfile.mkdtemp(prefix="claimreview-bench-"))
    try:
        db_file, body, sizes = _prepare_database(args, workdir)
        body_file = workdir / "fixed-body.json"
        body_file.write_bytes(body)
        print(
            f"  stored documents: median {_percentile(sizes, 50)} B, p10 "
            f"{_percentile(sizes, 10)} B, p90 {_percentile(sizes, 90)} B, max {max(sizes)} B; "
            f"the minimal app serves one of {len(body)} B"
        )

        env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMREVIEW_")}
        env["CLAIMREVIEW_DATABASE_URL"] = f"sqlite:///{db_file}"
        env["CLAIMREVIEW_LOG_LEVEL"] = "warning"
        env["BENCH_FIXED_BODY_FILE"] = str(body_file)

        print(
            "\nservers, one uvicorn worker each, started once and driven in turn:\n"
            "  service: uvicorn app.main:app --workers 1, GET /v1/reviews/{random id}/claimreview"
            "\n  minimal: uvicorn bench.minimal_app:app --workers 1, GET /fixed"
        )
        with (
            Server("app.main:app", env, pins.server, workdir / "service.log") as service_server,
            Server("bench.minimal_app:app", env, pins.server, workdir / "minimal.log") as minimal,
        ):
            service_server.wait_ready("/healthz")
            service_server.wait_ready("/readyz")
            _check_service(service_server, db_file, args.reviews)
            minimal.wait_ready("/fixed")
            if minimal.get("/fixed")[2] != body:
                raise RuntimeError("the minimal app does not serve the sample document")
            targets = [
                Target(
                    "service",
                    service_server,
                    ["random", str(args.reviews), "/v1/reviews/", "/claimreview"],
                ),
                Target("minimal", minimal, ["fixed", "/fixed"]),
            ]
            if args.warmup > 0:
                for target in targets:
                    print(f"  {target.name}: warm-up {args.warmup:.0f}s", flush=True)
                    _wrk(target, args, pins, args.warmup)
            for round_number in range(1, args.rounds + 1):
                for target in targets:
                    result = _wrk(target, args, pins, args.duration)
                    target.runs.append(result)
                    print(_round_line(target.name, round_number, result), flush=True)
                    if args.verbose:
                        print(result.raw)
        ratio = _report(targets[0].median(), targets[1].median(), args)
        return 1 if args.strict and ratio < args.target else 0
    finally:
        if args.keep_db:
            print(f"kept the database: {Path(args.keep_db).resolve()}")
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
