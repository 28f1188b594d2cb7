"""`make bench-import`: records/s of an import through the command line and over HTTP.

    python -m bench.imports [--engine sqlite|postgresql|both] [--via cli|http|both]
                            [--records 100000] [--bad-every 33]

The corpus's documents as NDJSON (one record in --bad-every one the import must reject), into a
fresh migrated database each time: `claimreview import FILE` as a child process (its wall and CPU
time), or streamed to POST /v1/import with an importer key (the request's wall time and the
server's CPU time). The counts the import reports are checked against what was sent.
"""

import http.client
import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import data, harness

CLI = str(Path(sys.executable).parent / "claimreview")


def main() -> None:
    parser = harness.arguments(__doc__)
    parser.add_argument("--via", choices=("cli", "http", "both"), default="both")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--bad-every", type=int, default=33)
    args = parser.parse_args()
    source = data.ndjson(args.records, args.seed, args.bad_every)
    bad = args.records // args.bad_every if args.bad_every else 0
    rows = []
    for engine in harness.engines(args):
        for via in ("cli", "http") if args.via == "both" else (args.via,):
            url = data.database(engine, f"import_{via}", args.pg_url, fresh=True)
            env = harness.service_env(
                url, CLAIMREVIEW_MAX_IMPORT_BYTES=str(source.stat().st_size + 1)
            )
            created, rejected, seconds, cpu = (_cli if via == "cli" else _http)(source, env)
            if (created, rejected) != (args.records - bad, bad):
                raise SystemExit(f"{engine}/{via}: {created} created, {rejected} rejected")
            rows.append(
                {"engine": engine, "via": via, "records": args.records, "rejected": rejected}
                | {"seconds": seconds, "records/s": args.records / seconds, "CPU s": cpu}
            )
    harness.report("import", rows, harness.settings(args))


def _cli(source: Path, env: dict[str, str]) -> tuple[int, int, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run = subprocess.run([CLI, "import", str(source)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    found = re.search(r"(\d+) created, .* (\d+) rejected", run.stderr)
    if found is None:
        raise SystemExit(f"claimreview import: {run.stderr[-2000:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return int(found[1]), int(found[2]), seconds, cpu


def _http(source: Path, env: dict[str, str]) -> tuple[int, int, float, float]:
    key = subprocess.run(
        [CLI, "keys", "create", "--role", "importer", "--name", "bench"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with harness.serve("app.main:app", env) as server, source.open("rb") as body:
        conn = http.client.HTTPConnection(server.base.removeprefix("http://"), timeout=3600)
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/x-ndjson"}
        headers["Content-Length"] = str(source.stat().st_size)
        started = time.perf_counter()
        conn.request("POST", "/v1/import", body=body, headers=headers)
        response = conn.getresponse()
        answer: dict[str, Any] = json.loads(response.read())
        seconds = time.perf_counter() - started
        cpu = server.cpu_seconds()
    if response.status != 200:
        raise SystemExit(f"POST /v1/import answered {response.status}: {answer}")
    return answer["created"], len(answer["rejected"]), seconds, cpu


if __name__ == "__main__":
    main()
