#!/usr/bin/env bash
# Proves openapi/openapi.json with real tools, on SQLite and on PostgreSQL:
#   - @redocly/cli lints the document without errors (clients/redocly.yaml);
#   - the TypeScript types (openapi-typescript) and the Python client (openapi-python-client) are
#     generated from it (build products, never committed); the TypeScript flow type-checks;
#   - schemathesis runs every check (--checks all) against every operation of a live gatehouse;
#   - both flow programs run the whole sign-up to sign-out flow against it.
# Installs what it needs: a Python venv with pinned tools under /var/tmp, pinned npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

VENV=${GATEHOUSE_OPENAPI_VENV:-/var/tmp/gatehouse-openapi-venv}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-40}
started=$(date +%s)

ensure_build_deps
ensure_postgres
ensure_mysql
[ -x "$GATEHOUSE_BIN" ] || cargo build --release --locked "${FEATURES[@]}"

log "tools"
if ! "$VENV/bin/python" -c 'import schemathesis' 2>/dev/null; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check schemathesis==4.32.5 -r clients/python/requirements.txt
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)

passed=0
pass() { passed=$((passed + 1)); echo "ok: $*"; }

log "redocly lint"
(cd clients/typescript && npx --no-install redocly lint --config ../redocly.yaml ../../openapi/openapi.json)
pass "the document lints"

work=$(mktemp -d)
pid=
pg_db="gatehouse_openapi_$$"
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  drop_pg_database "$pg_db" || true
  drop_mysql_database "$pg_db" || true
  rm -rf "$work"
}
trap cleanup EXIT

log "clients generated from openapi/openapi.json"
scripts/generate-clients.sh
pass "the TypeScript types and the Python client generate from the document"
(cd clients/typescript && npx --no-install tsc --noEmit)
pass "the TypeScript flow type-checks against them"

run_against() { # NAME DATABASE_URL
  local name=$1 url=$2 port
  # A mail transport whose server is not there: the mail endpoints answer as configured ones
  # (delivery is off the request path, its failures only logged).
  port=$(free_port)
  local base="http://127.0.0.1:$port"
  (exec env RUST_LOG=warn GATEHOUSE_BIND="127.0.0.1:$port" DATABASE_URL="$url" \
    GATEHOUSE_SECRET=openapi-test-secret-0123456789abcdef-01 GATEHOUSE_RATE_LIMIT=off GATEHOUSE_BCRYPT_COST=10 \
    GATEHOUSE_SMTP_URL="smtp://127.0.0.1:$(free_port)" GATEHOUSE_MAIL_FROM=no-reply@example.com \
    "$GATEHOUSE_BIN" >"$work/gatehouse-$name.log" 2>&1) &
  pid=$!
  wait_http "$base/readyz"

  log "schemathesis ($name)"
  # Every check (--checks all) over every operation, in the examples, coverage and fuzzing
  # phases, with a fixed seed so a CI run is repeatable (run it with other seeds by hand). The stateful phase needs OpenAPI links, and sessions travel in the Authorization
  # header, which links cannot target; the flow programs below cover that sequence.
  local report="$work/schemathesis-$name.txt" status=0
  "$VENV/bin/schemathesis" --config-file clients/schemathesis.toml run "$base/openapi.json" --url "$base" \
    --checks all --max-examples "$MAX_EXAMPLES" --workers 2 --no-color --seed 1 >"$report" 2>&1 || status=$?
  if [ "$status" != 0 ]; then
    # The report from its first FAILURES / ERRORS / WARNINGS section on (each case with its
    # reproduction), else all of it, and what gatehouse logged meanwhile.
    if grep -qE '^=+ (FAILURES|ERRORS|WARNINGS) =+$' "$report"; then
      sed -nE '/^=+ (FAILURES|ERRORS|WARNINGS) =+$/,$p' "$report"
    else
      cat "$report"
    fi
    echo "--- gatehouse log ($name), last 40 lines:"; tail -40 "$work/gatehouse-$name.log"
    echo "schemathesis ($name) failed with status $status" >&2
    return 1
  fi
  tail -25 "$report"
  pass "schemathesis ($name): $(grep -Eo '[0-9]+ generated' "$work/schemathesis-$name.txt" | head -1) cases, 0 failures"

  log "flow programs ($name)"
  (cd clients/typescript && GATEHOUSE_URL="$base" npx --no-install tsx src/flow.ts)
  pass "TypeScript flow ($name)"
  GATEHOUSE_URL="$base" "$VENV/bin/python" clients/python/flow.py
  pass "Python flow ($name)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

run_against sqlite "sqlite://$work/g.db"
create_pg_database "$pg_db"
run_against postgres "$PG_BASE_URL/$pg_db"
create_mysql_database "$pg_db"
run_against mysql "$MYSQL_BASE_URL/$pg_db"

echo "openapi steps took $(( $(date +%s) - started )) s"
echo "openapi tests: $passed passed, 0 failed"
