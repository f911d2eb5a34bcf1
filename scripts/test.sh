#!/usr/bin/env bash
# Runs every test: unit tests, then the integration suite (tests/api) once per database and
# session strategy, then the README's curl walk-through against the release binary on SQLite and
# PostgreSQL. Installs what it needs; uses the PostgreSQL on 127.0.0.1:5432 with a fresh database
# per test, dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_build_deps
ensure_postgres

log "build (release)"
cargo build --release --locked

log "unit tests"
cargo test --release --locked --lib --bins 2>&1 | tee /tmp/gatehouse-unit.log
count() { grep -h '^test result: ok' "$@" | sed -E 's/.*ok\. ([0-9]+) passed.*/\1/' | awk '{s+=$1} END {print s+0}'; }
total=$(count /tmp/gatehouse-unit.log)
summary="unit: $total passed"

run_suite() { # DATABASE STRATEGY
  local database=$1 strategy=$2 skip=()
  local env=(TEST_SESSION_STRATEGY="$strategy")
  case $strategy in
    database) skip+=(--skip jwt_sessions::) ;;
    jwt) skip+=(--skip database_sessions::) ;;
  esac
  if [ "$database" = postgres ]; then
    env+=(TEST_DATABASE_URL="$PG_BASE_URL")
  else
    skip+=(--skip outage::)   # the outage test runs its own PostgreSQL; once per strategy is enough
  fi
  log "integration tests: $database, $strategy sessions"
  env "${env[@]}" cargo test --release --locked --test api -- "${skip[@]}" 2>&1 | tee "/tmp/gatehouse-api-$database-$strategy.log"
  local passed
  passed=$(count "/tmp/gatehouse-api-$database-$strategy.log")
  total=$((total + passed))
  summary+=$'\n'"api $database/$strategy: $passed passed"
}

for database in sqlite postgres; do
  for strategy in database jwt; do
    run_suite "$database" "$strategy"
  done
done

log "timing: unknown emails and wrong passwords cost the same (alone, so nothing else skews it)"
TEST_SESSION_STRATEGY=database cargo test --release --locked --test api -- --ignored --exact \
  timing::unknown_emails_and_wrong_passwords_take_the_same_time 2>&1 | tee /tmp/gatehouse-api-timing.log
passed=$(count /tmp/gatehouse-api-timing.log)
total=$((total + passed))
summary+=$'\n'"timing (alone): $passed passed"

log "README walk-through against the release binary"
scripts/smoke.sh sqlite
scripts/smoke.sh postgres
total=$((total + 2))
summary+=$'\n'"smoke: sqlite and postgres walk-throughs passed"

# run_script SCRIPT PREFIX LABEL: runs a test script that ends with `PREFIX: N passed, ...`
# and adds its N to the total.
run_script() {
  local script=$1 prefix=$2 label=$3 out passed
  out=/tmp/gatehouse-$(basename "$script" .sh).log
  "$script" | tee "$out"
  passed=$(sed -nE "s/^$prefix: ([0-9]+) passed.*/\1/p" "$out")
  total=$((total + passed))
  summary+=$'\n'"$label: $passed passed"
}

log "reverse proxies: real nginx and Caddy in front of gatehouse"
run_script scripts/proxy-test.sh "proxy tests" "proxies (nginx, Caddy; both strategies and databases)"

log "browsers: the better-auth client and examples/spa in Chromium"
run_script scripts/browser-test.sh "browser tests" "browsers (better-auth client, Chromium; both strategies and databases)"

log "OpenAPI: lint, regenerated clients, schemathesis and the client flows"
run_script scripts/openapi-test.sh "openapi tests" "openapi (redocly, clients, schemathesis; SQLite and PostgreSQL)"

log "summary"
echo "$summary"
# Any failure above has already stopped this script (set -e, pipefail).
echo "tests: $total passed, 0 failed"
