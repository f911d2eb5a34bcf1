#!/usr/bin/env bash
# Runs every test: the unit tests; the integration suite (tests/api) once per database and
# session strategy, its opt-in tests included (PostgreSQL over TLS, a database outage, real nginx
# and Caddy in front, mail through a real SMTP server, sign-in at a real OpenID provider, the
# README walk-through against the binary); the timing test alone; then the
# browser and OpenAPI suites. Installs what it needs; builds with the `mysql` feature; uses the
# PostgreSQL on 127.0.0.1:5432 and the MariaDB on 127.0.0.1:3306 (GATEHOUSE_TEST_PG and
# GATEHOUSE_TEST_MYSQL name others) with a fresh database per test, dropped afterwards.
# cargo-nextest runs the Rust tests (.config/nextest.toml) and its JUnit report gives the counts.
#   scripts/test.sh                 everything
#   scripts/test.sh rust            the Rust tests only (unit, integration matrix, timing)
#   scripts/test.sh suites          the browser and OpenAPI suites only
set -euo pipefail
part=${1:-all}
case $part in all | rust | suites) ;; *) echo "usage: scripts/test.sh [rust | suites]" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_build_deps
ensure_postgres
ensure_mysql
ensure_apt nginx caddy
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
ensure_mail_python
ensure_oidc_provider
ensure_import_sources

log "build (release)"
cargo build --release --locked "${FEATURES[@]}"

total=0
summary=""
# nextest LABEL ARGS...: one nextest run; adds its count to the total, fails on any failure.
nextest() {
  # nextest keeps its reports in the checkout's target/nextest, whatever CARGO_TARGET_DIR says.
  local label=$1 junit=target/nextest/ci/junit.xml counts
  shift
  rm -f "$junit"
  cargo nextest run --profile ci --release --locked "${FEATURES[@]}" --no-tests=fail "$@"
  counts=$(python3 -c '
import sys, xml.etree.ElementTree as tree
suites = tree.parse(sys.argv[1]).getroot()
print(suites.get("tests"), int(suites.get("failures", 0)) + int(suites.get("errors", 0)))' "$junit")
  read -r tests failed <<<"$counts"
  [ "$failed" = 0 ] || { echo "$label: $failed failed" >&2; return 1; }
  total=$((total + tests))
  summary+=$'\n'"$label: $tests passed"
}

rust_tests() {
  log "unit tests"
  nextest "unit" --lib --bins

  # The matrix: every integration test on each database and strategy, ignored ones included, bar
  # the other strategy's own tests and the timing test (run alone below). The outage test runs its
  # own PostgreSQL, so once per strategy is enough; TLS to PostgreSQL needs PostgreSQL.
  for database in sqlite postgres mysql; do
    for strategy in database jwt; do
      filter='not test(=timing::unknown_emails_and_wrong_passwords_take_the_same_time)'
      case $strategy in
        database) filter+=' and not test(/^jwt_sessions::/)' ;;
        jwt) filter+=' and not test(/^database_sessions::/)' ;;
      esac
      export TEST_SESSION_STRATEGY=$strategy
      case $database in
        postgres) export TEST_DATABASE_URL=$PG_BASE_URL ;;
        mysql)
          export TEST_DATABASE_URL=$MYSQL_BASE_URL
          filter+=' and not test(/^outage::/) and not test(/^postgres_tls::/)'
          ;;
        sqlite)
          unset TEST_DATABASE_URL
          filter+=' and not test(/^outage::/) and not test(/^postgres_tls::/)'
          ;;
      esac
      log "integration tests: $database, $strategy sessions"
      nextest "api $database/$strategy" --test api --run-ignored all -E "$filter"
    done
  done
  unset TEST_DATABASE_URL

  log "timing: unknown emails and wrong passwords cost the same (alone, so nothing else skews it)"
  TEST_SESSION_STRATEGY=database
  nextest "timing (alone)" --test api --run-ignored only \
    -E 'test(=timing::unknown_emails_and_wrong_passwords_take_the_same_time)'
}

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

suites() {
  log "browsers: the better-auth client and examples/spa in Chromium"
  run_script scripts/browser-test.sh "browser tests" "browsers (better-auth client, Chromium; both strategies, three databases)"

  log "OpenAPI: lint, generated clients, schemathesis and the client flows"
  run_script scripts/openapi-test.sh "openapi tests" "openapi (redocly, clients, schemathesis; SQLite, PostgreSQL and MariaDB)"

  log "cluster: three instances on one PostgreSQL database behind nginx, a rolling restart under load"
  run_script scripts/cluster-test.sh "cluster tests" "cluster (three instances behind nginx; both strategies, PostgreSQL)"
}

if [ "$part" != suites ]; then rust_tests; fi
if [ "$part" != rust ]; then suites; fi

log "summary"
echo "${summary#$'\n'}"
# Any failure above has already stopped this script (set -e, pipefail).
echo "tests: $total passed, 0 failed"
