#!/usr/bin/env bash
# Compares one scenario between an earlier release and this checkout, in one run on one machine:
# jwt get-session with a valid cookie (no database query per request), SQLite. Builds the earlier
# revision in a git worktree (its own target directory, kept for later runs), then measures the
# two binaries in alternation, three rounds each, and prints the medians and their ratio.
#
#   bench/compare.sh REV          REV: the earlier release (a tag or commit)
#   BENCH_DURATION=5 bench/compare.sh ed6f2ec
#
# Prints `key=value` lines; `ratio_get_session_jwt=<this / earlier>`. Judges nothing: the issue
# that asks for the comparison names its target.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ $# = 1 ] || { echo "usage: bench/compare.sh REV" >&2; exit 2; }
rev=$1
duration=${BENCH_DURATION:-10}
connections=${BENCH_CONNECTIONS:-32}
rounds=3

ensure_build_deps
ensure_apt wrk
log "build this checkout (release)"
cargo build --release --locked --bin gatehouse
current_bin="$GATEHOUSE_BIN"

earlier_src="/var/tmp/gatehouse-bench-src"
earlier_target="${CARGO_TARGET_DIR:-target}-earlier"
log "build $rev (release) in $earlier_src"
git worktree remove --force "$earlier_src" 2>/dev/null || rm -rf "$earlier_src"
git worktree prune
git worktree add --detach "$earlier_src" "$rev" >/dev/null
(cd "$earlier_src" && CARGO_TARGET_DIR="$earlier_target" cargo build --release --locked --bin gatehouse)
earlier_bin="$earlier_target/release/gatehouse"

work=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  git worktree remove --force "$earlier_src" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# measure BINARY NAME: starts BINARY (jwt, SQLite), signs a user up, runs wrk on get-session with
# its cookie and prints the requests per second.
measure() {
  local bin=$1 name=$2 port headers cookie out
  port=$(free_port)
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec env RUST_LOG=warn GATEHOUSE_BIND="127.0.0.1:$port" \
    DATABASE_URL="sqlite://$work/$name/g.db" GATEHOUSE_SECRET=bench-secret-0123456789abcdef-0123456789 \
    GATEHOUSE_SESSION_STRATEGY=jwt GATEHOUSE_RATE_LIMIT=off GATEHOUSE_BCRYPT_COST=10 \
    "$bin" >"$work/$name/log" 2>&1) &
  pid=$!
  wait_http "http://127.0.0.1:$port/readyz"
  headers=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d '{"name":"Bench","email":"bench@example.com","password":"bench-password-0123"}' \
    "http://127.0.0.1:$port/api/auth/sign-up")
  cookie=$(printf '%s' "$headers" | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /session_token=/ {print $2; exit}')
  [ -n "$cookie" ] || { echo "sign-up failed on $name" >&2; exit 1; }
  wrk -t2 -c"$connections" -d1s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/auth/get-session" >/dev/null
  out=$(wrk -t2 -c"$connections" -d"${duration}s" -H "Cookie: $cookie" "http://127.0.0.1:$port/api/auth/get-session")
  if grep -q 'Non-2xx' <<<"$out"; then echo "$out" >&2; exit 1; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out"
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

earlier=() current=()
for round in $(seq 1 "$rounds"); do
  log "round $round of $rounds"
  earlier+=("$(measure "$earlier_bin" "earlier-$round")")
  current+=("$(measure "$current_bin" "current-$round")")
  echo "earlier=${earlier[-1]} current=${current[-1]}"
done
earlier_median=$(median "${earlier[@]}")
current_median=$(median "${current[@]}")
echo "earlier_rev=$(git rev-parse --short "$rev")"
echo "get_session_jwt_earlier_rps=$earlier_median"
echo "get_session_jwt_current_rps=$current_median"
echo "ratio_get_session_jwt=$(awk "BEGIN {printf \"%.3f\", $current_median / $earlier_median}")"
