#!/usr/bin/env bash
# Schemathesis against a live server, from the committed openapi.yaml, on SQLite and (when
# SCHEMATHESIS_POSTGRES_URL is set) on PostgreSQL: a bounded number of examples per operation,
# without a key and with an admin key. Fails on any server error, a status code or content type
# that openapi.yaml does not document, or a response body that breaks its schema.
#
#   make schemathesis                       # SQLite only
#   SCHEMATHESIS_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test make schemathesis
#
# The PostgreSQL database's public schema is dropped and recreated: give a test database.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-20}
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run_engine() {
  local name=$1 url=$2
  echo "== schemathesis on $name"
  export CLAIMREVIEW_DATABASE_URL=$url
  # Rate limits would answer the fuzzer 429 part-way; they are tested elsewhere.
  export CLAIMREVIEW_RATE_LIMIT_ANONYMOUS="" CLAIMREVIEW_RATE_LIMIT_KEY=""
  if [[ $url == postgresql* ]]; then
    "$BIN/python" - "$url" <<'PY'
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(text("DROP SCHEMA public CASCADE"))
    connection.execute(text("CREATE SCHEMA public"))
engine.dispose()
PY
  fi
  "$BIN/claimreview" migrate >/dev/null
  "$BIN/claimreview" demo >/dev/null  # real publishers, claims and reviews for the ids tried
  local admin port
  admin=$("$BIN/claimreview" keys create --role admin --name schemathesis)
  port=$(free_port)
  "$BIN/claimreview" serve --host 127.0.0.1 --port "$port" >"$work/server-$name.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    if "$BIN/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz')" 2>/dev/null; then break; fi
    sleep 0.2
  done
  local status=0
  for auth in anonymous admin; do
    echo "-- $name, $auth"
    headers=()
    if [ "$auth" = admin ]; then headers=(-H "Authorization: Bearer $admin"); fi
    "$BIN/schemathesis" --config-file tests/schemathesis/schemathesis.toml run openapi.yaml --url "http://127.0.0.1:$port" \
      --max-examples "$EXAMPLES" --phases examples,coverage,fuzzing \
      --generation-database none --seed 9 --workers 1 --request-timeout 30 --no-color \
      "${headers[@]}" || status=1
  done
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  if [ "$status" -ne 0 ]; then
    echo "server log ($name):"; tail -n 50 "$work/server-$name.log"
  fi
  return "$status"
}

failed=0
run_engine sqlite "sqlite:///$work/schemathesis.db" || failed=1
if [ -n "${SCHEMATHESIS_POSTGRES_URL:-}" ]; then
  run_engine postgresql "$SCHEMATHESIS_POSTGRES_URL" || failed=1
fi
exit "$failed"
