#!/usr/bin/env bash
# The README's quick start, for real: starts the release binary with its defaults (SQLite and a
# generated secret, or PostgreSQL with an explicit secret), drives sign-up, sign-in, get-session
# and sign-out with curl exactly as the README shows, and checks that SIGTERM stops it cleanly.
#   scripts/smoke.sh sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

backend=${1:-sqlite}
work=$(mktemp -d)
port=$(free_port)
base="http://127.0.0.1:$port"
pg_database="gatehouse_smoke_$$"
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  [ "$backend" = postgres ] && drop_pg_database "$pg_database" || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke ($backend): $*" >&2; echo "--- server log" >&2; cat "$work/server.log" >&2; exit 1; }

env_vars=(GATEHOUSE_BIND="127.0.0.1:$port")
if [ "$backend" = postgres ]; then
  create_pg_database "$pg_database"
  env_vars+=(DATABASE_URL="$PG_BASE_URL/$pg_database" GATEHOUSE_SECRET="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')")
fi
(cd "$work" && exec env "${env_vars[@]}" "$GATEHOUSE_BIN" >"$work/server.log" 2>&1) &
pid=$!
wait_http "$base/readyz" || fail "not ready"

jar="$work/cookies.txt"
# --- the README's commands
signup=$(curl -s -c "$jar" -H 'content-type: application/json' \
  -d '{"name":"Al","email":"al@example.com","password":"correct-horse-battery"}' \
  "$base/api/auth/sign-up")
signin=$(curl -s -c "$jar" -H 'content-type: application/json' \
  -d '{"email":"al@example.com","password":"correct-horse-battery"}' \
  "$base/api/auth/sign-in/email")
session=$(curl -s -b "$jar" "$base/api/auth/get-session")
token=$(printf '%s' "$signin" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
bearer_session=$(curl -s -H "Authorization: Bearer $token" "$base/api/auth/get-session")
signout=$(curl -s -b "$jar" -c "$jar" -X POST -H "Origin: $base" "$base/api/auth/sign-out")
after=$(curl -s -b "$jar" "$base/api/auth/get-session")
# ---

check() { # JSON PYTHON-EXPRESSION DESCRIPTION
  printf '%s' "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($2) else 1)" || fail "$3: $1"
}
check "$signup" 'd["user"]["email"] == "al@example.com" and len(d["token"]) == 32' "sign-up"
check "$signin" 'd["redirect"] is False and d["user"]["name"] == "Al"' "sign-in"
check "$session" 'd["user"]["email"] == "al@example.com" and d["session"]["userAgent"].startswith("curl/")' "get-session with the cookie"
check "$bearer_session" 'd["session"]["token"] == "'"$token"'"' "get-session with the bearer token"
check "$signout" 'd == {"success": True}' "sign-out"
check "$after" 'd is None' "get-session after sign-out"

if [ "$backend" = sqlite ]; then
  [ -f "$work/gatehouse.db" ] || fail "no gatehouse.db in the working directory"
  [ "$(stat -c %a "$work/gatehouse.db.secret")" = 600 ] || fail "the generated secret is not mode 0600"
  [ "$(stat -c %a "$work/gatehouse.db")" = 600 ] || fail "the database (password hashes) is not mode 0600"
  grep -q "generated secret" "$work/server.log" || fail "the generated secret was not announced"
  ! grep -q "$(cat "$work/gatehouse.db.secret")" "$work/server.log" || fail "the secret was logged"
fi
grep -q "listening on http://127.0.0.1:$port (database $backend" "$work/server.log" || fail "no start-up line"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" = 0 ] || fail "exit status $status after SIGTERM"
echo "smoke ($backend): the README walk-through passed"
