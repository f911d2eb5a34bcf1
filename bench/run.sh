#!/usr/bin/env bash
# Benchmarks gatehouse's release build with wrk against 127.0.0.1 only, and prints a table and
# key=value lines.
#
#   bench/run.sh          full mode: 10 s per scenario (the figures in bench/README.md)
#   bench/run.sh short    CI mode: 3 s per scenario; prints figures, judges nothing
#
# Scenarios: the baseline (GET /api/auth/ok: same binary, same actix set-up, no database),
# get-session and /verify in both strategies on SQLite and PostgreSQL (with the session cache
# and without), how long a sign-out on one instance takes to reach another (1000 trials on
# PostgreSQL, bench/revocation.py), sign-in throughput against
# the raw bcrypt verify rate of this machine, get-session latency while sign-ins saturate the
# hashing pool, resident memory idle and after 100 000 sessions were created and read, the
# time from process start to /readyz answering 200, request-password-reset with a real SMTP
# server (aiosmtpd) attached, and get-session and sign-in while the SMTP server hangs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

mode=${1:-${BENCH_MODE:-full}}
case $mode in
  full) duration=10 ;;
  short) duration=3 ;;
  *) echo "usage: bench/run.sh [full|short]" >&2; exit 2 ;;
esac
connections=${BENCH_CONNECTIONS:-32}
cost=${GATEHOUSE_BCRYPT_COST:-12}
seeded_sessions=${BENCH_SESSIONS:-100000}
revocation_trials=${BENCH_REVOCATION_TRIALS:-1000}

ensure_build_deps
ensure_apt wrk
ensure_postgres
ensure_mysql
ensure_mail_python
log "build (release)"
cargo build --release --locked --bins "${FEATURES[@]}"
BCRYPT_RATE="$CARGO_TARGET_DIR/release/bcrypt-rate"

work=$(mktemp -d)
pids=()
pg_databases=()
mysql_databases=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for db in "${pg_databases[@]}"; do drop_pg_database "$db" || true; done
  for db in "${mysql_databases[@]}"; do drop_mysql_database "$db" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

declare -A result
record() { result[$1]=$2; echo "$1=$2"; }

# start NAME STRATEGY DATABASE_URL [SMTP_PORT]: starts gatehouse (mailing through the SMTP
# server on SMTP_PORT if given, with the variables in the array start_env if set); sets $port
# and $pid.
start_env=()
start() {
  local name=$1 strategy=$2 url=$3 mail=()
  [ -n "${4:-}" ] && mail=(GATEHOUSE_SMTP_URL="smtp://127.0.0.1:$4" GATEHOUSE_MAIL_FROM=bench@example.com)
  port=$(free_port)
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec env "${mail[@]}" RUST_LOG=warn "${start_env[@]}" GATEHOUSE_BIND="127.0.0.1:$port" DATABASE_URL="$url" \
    GATEHOUSE_SECRET=bench-secret-0123456789abcdef-0123456789 GATEHOUSE_SESSION_STRATEGY="$strategy" \
    GATEHOUSE_RATE_LIMIT=off GATEHOUSE_BCRYPT_COST="$cost" "$GATEHOUSE_BIN" >"$work/$name/log" 2>&1) &
  pid=$!
  pids+=("$pid")
  wait_http "http://127.0.0.1:$port/readyz"
}

stop() { kill "$1"; wait "$1" 2>/dev/null || true; }

# smtp_server DIR [--stall]: starts tests/smtp/server.py writing to DIR; sets $smtp_port, $smtp_pid.
smtp_server() {
  mkdir -p "$1"
  "$GATEHOUSE_TEST_SMTP_PYTHON" tests/smtp/server.py "$@" >"$1.port" &
  smtp_pid=$!
  pids+=("$smtp_pid")
  for _ in $(seq 1 200); do [ -s "$1.port" ] && break; sleep 0.05; done
  smtp_port=$(head -1 "$1.port")
}

rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# seed_user: signs up the benchmark user on $port; sets $cookie and $bearer.
seed_user() {
  local headers
  headers=$(curl -s -D - -o "$work/signup.json" -H 'content-type: application/json' \
    -d "{\"name\":\"Bench\",\"email\":\"$BENCH_EMAIL\",\"password\":\"$BENCH_PASSWORD\"}" \
    "http://127.0.0.1:$port/api/auth/sign-up")
  cookie=$(printf '%s' "$headers" | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /session_token=/ {print $2; exit}')
  bearer=$(printf '%s' "$headers" | awk 'tolower($1)=="set-auth-token:" {print $2}' | tr -d '\r')
  [ -n "$cookie" ] && [ -n "$bearer" ] || { echo "sign-up failed: $(cat "$work/signup.json")" >&2; exit 1; }
}

# bench KEY PATH [wrk args...]: runs wrk and records KEY_rps and KEY_p99_ms.
bench() {
  local key=$1 path=$2; shift 2
  local out
  # One second of warm-up first: pool connections, caches, CPU frequency.
  wrk -t2 -c"$connections" -d1s "$@" "http://127.0.0.1:$port$path" >/dev/null
  out=$(wrk --latency -t2 -c"$connections" -d"${duration}s" "$@" "http://127.0.0.1:$port$path")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "$out" >&2
    echo "wrk saw errors for $key" >&2
    exit 1
  fi
  # Slow scenarios (sign-in: about ten a second) keep two decimals, so ratios are not rounding.
  record "${key}_rps" "$(printf '%s' "$out" | awk '/Requests\/sec/ {printf ($2 < 100 ? "%.2f" : "%.0f"), $2}')"
  record "${key}_p99_ms" "$(printf '%s' "$out" | awk '$1=="99%" {v=$2; u=v; gsub(/[0-9.]/,"",u); gsub(/[a-z]/,"",v);
    if (u=="us") v=v/1000; else if (u=="s") v=v*1000; printf "%.2f", v}')"
}

export BENCH_EMAIL="bench@example.com" BENCH_PASSWORD="bench-password-0123"

log "start to ready (SQLite, median of 5)"
times=()
for i in 1 2 3 4 5; do
  dir="$work/startup-$i"; mkdir -p "$dir"
  started=$(date +%s%N)
  start "startup-$i" database "sqlite://$dir/g.db"
  times+=($(( ($(date +%s%N) - started) / 1000000 )))
  if [ "$i" = 1 ]; then record idle_rss_mib "$(awk "BEGIN {printf \"%.1f\", $(rss_kib "$pid")/1024}")"; fi
  stop "$pid"
done
record start_to_ready_ms "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)"

log "raw bcrypt verify rate, cost $cost, all cores"
while IFS='=' read -r key value; do record "$key" "$value"; done < <("$BCRYPT_RATE" "$cost" "$duration")

log "SQLite, database sessions"
start sqlite-db database "sqlite://$work/sqlite-db.db"
seed_user
bench baseline /api/auth/ok
bench get_session_db_sqlite /api/auth/get-session -H "Cookie: $cookie"
bench verify_db_sqlite /api/auth/verify -H "Cookie: $cookie"
bench sign_in /api/auth/sign-in/email -c 8 -s bench/sign-in.lua
log "get-session while sign-ins saturate the hashing pool"
wrk -t1 -c16 -d"$((duration + 2))s" -s bench/sign-in.lua "http://127.0.0.1:$port/api/auth/sign-in/email" >"$work/saturation.txt" &
saturation=$!
sleep 1
bench get_session_under_sign_in_load /api/auth/get-session -H "Cookie: $cookie"
wait "$saturation"
record sign_in_during_load_rps "$(awk '/Requests\/sec/ {printf ($2 < 100 ? "%.2f" : "%.0f"), $2}' "$work/saturation.txt")"

log "memory after $seeded_sessions sessions are created and read"
user_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"]["id"])' "$work/signup.json")
python3 - "$work/sqlite-db.db" "$user_id" "$seeded_sessions" "$work/tokens.txt" <<'PY'
import datetime, hashlib, secrets, sqlite3, string, sys
path, user_id, count, tokens_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
alphabet = string.ascii_letters + string.digits
now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
fmt = lambda t: t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
created, expires = fmt(now), fmt(now + datetime.timedelta(days=7))
rows, tokens = [], []
for _ in range(count):
    token = "".join(secrets.choice(alphabet) for _ in range(32))
    tokens.append(token)
    rows.append(("".join(secrets.choice(alphabet) for _ in range(32)), hashlib.sha256(token.encode()).hexdigest(),
                 user_id, expires, "127.0.0.1", "bench", created, created))
db = sqlite3.connect(path, timeout=30)
db.execute("PRAGMA busy_timeout = 30000")
with db:
    db.executemany("INSERT INTO sessions (id, token_hash, user_id, expires_at, ip_address, user_agent, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)", rows)
open(tokens_path, "w").write("\n".join(tokens) + "\n")
PY
BENCH_TOKENS="$work/tokens.txt" bench get_session_many_tokens / -s bench/tokens.lua
record rss_after_sessions_mib "$(awk "BEGIN {printf \"%.1f\", $(rss_kib "$pid")/1024}")"
stop "$pid"

log "SQLite, jwt sessions"
start sqlite-jwt jwt "sqlite://$work/sqlite-jwt.db"
seed_user
bench get_session_jwt /api/auth/get-session -H "Cookie: $cookie"
bench verify_jwt /api/auth/verify -H "Cookie: $cookie"
stop "$pid"

log "SQLite, jwt sessions, with metrics on and the JSON access log written (RUST_LOG=info)"
start_env=(GATEHOUSE_METRICS=on GATEHOUSE_METRICS_BIND="127.0.0.1:$(free_port)" GATEHOUSE_LOG_FORMAT=json RUST_LOG=info)
start sqlite-jwt-observed jwt "sqlite://$work/sqlite-jwt-observed.db"
start_env=()
seed_user
bench get_session_jwt_observed /api/auth/get-session -H "Cookie: $cookie"
record access_log_lines "$(grep -c '"target":"gatehouse::access"' "$work/sqlite-jwt-observed/log")"
stop "$pid"

# sessions_sql USER_ID COUNT TOKENS_FILE NOW EXPIRES: an INSERT of COUNT sessions of the user,
# written straight into a shared database for the cross-instance sign-out trials (NOW and
# EXPIRES are the backend's SQL for now and in a week); their tokens go to TOKENS_FILE.
sessions_sql() {
  python3 - "$@" <<'PY'
import hashlib, secrets, string, sys
user_id, count, tokens_path, now, expires = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
alphabet = string.ascii_letters + string.digits
tokens = ["".join(secrets.choice(alphabet) for _ in range(32)) for _ in range(count)]
print("INSERT INTO sessions (id, token_hash, user_id, expires_at, ip_address, user_agent, created_at, updated_at) VALUES")
print(",\n".join(
    f"('{secrets.token_hex(16)}', '{hashlib.sha256(t.encode()).hexdigest()}', '{user_id}', "
    f"{expires}, '127.0.0.1', 'bench', {now}, {now})"
    for t in tokens) + ";")
open(tokens_path, "w").write("\n".join(tokens) + "\n")
PY
}

log "PostgreSQL, database sessions (session cache on)"
pg_db="gatehouse_bench_$$"
create_pg_database "$pg_db"; pg_databases+=("$pg_db")
start pg-db database "$PG_BASE_URL/$pg_db"
first_port=$port first_pid=$pid
seed_user
bench get_session_db_pg /api/auth/get-session -H "Cookie: $cookie"
bench verify_db_pg /api/auth/verify -H "Cookie: $cookie"

log "a sign-out on one instance reaching another (PostgreSQL, $revocation_trials trials)"
start pg-db-second database "$PG_BASE_URL/$pg_db"
second_port=$port second_pid=$pid
user_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"]["id"])' "$work/signup.json")
sessions_sql "$user_id" "$revocation_trials" "$work/pg-tokens.txt" \
  "now() at time zone 'utc'" "now() at time zone 'utc' + interval '7 days'" >"$work/pg-sessions.sql"
psql -q "$PG_BASE_URL/$pg_db" -f "$work/pg-sessions.sql" >/dev/null
while IFS='=' read -r key value; do record "$key" "$value"; done < <(
  python3 bench/revocation.py "http://127.0.0.1:$first_port" "http://127.0.0.1:$second_port" "$work/pg-tokens.txt")
stop "$second_pid"; stop "$first_pid"

log "PostgreSQL, database sessions, GATEHOUSE_SESSION_CACHE=off"
pg_db_off="gatehouse_bench_off_$$"
create_pg_database "$pg_db_off"; pg_databases+=("$pg_db_off")
start_env=(GATEHOUSE_SESSION_CACHE=off)
start pg-db-off database "$PG_BASE_URL/$pg_db_off"
start_env=()
seed_user
bench get_session_db_pg_uncached /api/auth/get-session -H "Cookie: $cookie"
stop "$pid"

log "MySQL (MariaDB), database sessions (session cache on)"
my_db="gatehouse_bench_$$"
create_mysql_database "$my_db"; mysql_databases+=("$my_db")
start my-db database "$MYSQL_BASE_URL/$my_db"
first_port=$port first_pid=$pid
seed_user
bench get_session_db_mysql /api/auth/get-session -H "Cookie: $cookie"
bench verify_db_mysql /api/auth/verify -H "Cookie: $cookie"

# A tenth of the trials: each waits for a 200 ms poll rather than a NOTIFY.
mysql_trials=$(( (revocation_trials + 9) / 10 ))
log "a sign-out on one instance reaching another (MySQL: the polled table, $mysql_trials trials)"
start my-db-second database "$MYSQL_BASE_URL/$my_db"
second_port=$port second_pid=$pid
user_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user"]["id"])' "$work/signup.json")
sessions_sql "$user_id" "$mysql_trials" "$work/mysql-tokens.txt" \
  "UTC_TIMESTAMP(6)" "UTC_TIMESTAMP(6) + INTERVAL 7 DAY" >"$work/mysql-sessions.sql"
mysql_sql "USE $my_db; $(cat "$work/mysql-sessions.sql")" >/dev/null
while IFS='=' read -r key value; do record "mysql_$key" "$value"; done < <(
  python3 bench/revocation.py "http://127.0.0.1:$first_port" "http://127.0.0.1:$second_port" "$work/mysql-tokens.txt")
stop "$second_pid"; stop "$first_pid"

log "MySQL (MariaDB), database sessions, GATEHOUSE_SESSION_CACHE=off"
my_db_off="gatehouse_bench_off_$$"
create_mysql_database "$my_db_off"; mysql_databases+=("$my_db_off")
start_env=(GATEHOUSE_SESSION_CACHE=off)
start my-db-off database "$MYSQL_BASE_URL/$my_db_off"
start_env=()
seed_user
bench get_session_db_mysql_uncached /api/auth/get-session -H "Cookie: $cookie"
stop "$pid"

log "SQLite, database sessions, mail through a real SMTP server"
smtp_server "$work/mail"
start mail database "sqlite://$work/mail.db" "$smtp_port"
seed_user
bench request_reset /api/auth/request-password-reset -s bench/request-reset.lua
sleep 2
record reset_mails_delivered "$(find "$work/mail" -name '*.json' | wc -l)"
stop "$pid"; stop "$smtp_pid"

log "SQLite, database sessions, while the SMTP server accepts and never answers"
smtp_server "$work/stalled" --stall
start stalled database "sqlite://$work/stalled.db" "$smtp_port"
seed_user
wrk -t1 -c8 -d"$((2 * duration + 4))s" -s bench/request-reset.lua "http://127.0.0.1:$port/api/auth/request-password-reset" >/dev/null &
resets=$!
sleep 1
bench get_session_stalled_mail /api/auth/get-session -H "Cookie: $cookie"
bench sign_in_stalled_mail /api/auth/sign-in/email -c 8 -s bench/sign-in.lua
wait "$resets"
stop "$pid"; stop "$smtp_pid"

ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
record ratio_jwt_get_session_to_baseline "$(ratio "${result[get_session_jwt_rps]}" "${result[baseline_rps]}")"
record ratio_db_sqlite_get_session_to_baseline "$(ratio "${result[get_session_db_sqlite_rps]}" "${result[baseline_rps]}")"
record ratio_db_pg_get_session_to_baseline "$(ratio "${result[get_session_db_pg_rps]}" "${result[baseline_rps]}")"
record ratio_db_pg_get_session_to_jwt "$(ratio "${result[get_session_db_pg_rps]}" "${result[get_session_jwt_rps]}")"
record ratio_db_pg_uncached_get_session_to_jwt "$(ratio "${result[get_session_db_pg_uncached_rps]}" "${result[get_session_jwt_rps]}")"
record ratio_observed_get_session_jwt "$(ratio "${result[get_session_jwt_observed_rps]}" "${result[get_session_jwt_rps]}")"
record ratio_verify_to_get_session_jwt "$(ratio "${result[verify_jwt_rps]}" "${result[get_session_jwt_rps]}")"
record ratio_db_mysql_get_session_to_baseline "$(ratio "${result[get_session_db_mysql_rps]}" "${result[baseline_rps]}")"
record ratio_db_mysql_get_session_to_pg "$(ratio "${result[get_session_db_mysql_rps]}" "${result[get_session_db_pg_rps]}")"
record ratio_verify_to_get_session_db_sqlite "$(ratio "${result[verify_db_sqlite_rps]}" "${result[get_session_db_sqlite_rps]}")"
record ratio_sign_in_to_bcrypt "$(ratio "${result[sign_in_rps]}" "${result[bcrypt_verify_per_sec]}")"
record ratio_loaded_to_idle_p99 "$(ratio "${result[get_session_under_sign_in_load_p99_ms]}" "${result[get_session_db_sqlite_p99_ms]}")"
record ratio_stalled_mail_get_session_p99 "$(ratio "${result[get_session_stalled_mail_p99_ms]}" "${result[get_session_db_sqlite_p99_ms]}")"
record ratio_stalled_mail_sign_in_p99 "$(ratio "${result[sign_in_stalled_mail_p99_ms]}" "${result[sign_in_p99_ms]}")"

target() { # NAME VALUE OP LIMIT
  local verdict
  verdict=$(awk "BEGIN {print ($2 $3 $4) ? \"met\" : \"MISSED\"}")
  printf '| %-44s | %10s | %2s %-8s | %-6s |\n' "$1" "$2" "$3" "$4" "$verdict"
}
log "results ($mode mode, ${duration}s per scenario, $connections connections, bcrypt cost $cost, $(nproc) cores)"
printf '| %-44s | %10s | %11s | %-6s |\n' scenario value target verdict
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..12})" "$(printf -- '-%.0s' {1..13})" "$(printf -- '-%.0s' {1..8})"
target "jwt get-session / baseline req/s" "${result[ratio_jwt_get_session_to_baseline]}" '>=' 0.60
target "jwt get-session, metrics + JSON log / neither" "${result[ratio_observed_get_session_jwt]}" '>=' 0.80
target "verify / get-session req/s (jwt)" "${result[ratio_verify_to_get_session_jwt]}" '>=' 1.00
target "verify / get-session req/s (database, SQLite)" "${result[ratio_verify_to_get_session_db_sqlite]}" '>=' 1.00
target "database get-session / baseline (PostgreSQL)" "${result[ratio_db_pg_get_session_to_baseline]}" '>=' 0.25
target "database get-session / baseline (SQLite)" "${result[ratio_db_sqlite_get_session_to_baseline]}" '>=' 0.35
target "database get-session / jwt (PostgreSQL, cached)" "${result[ratio_db_pg_get_session_to_jwt]}" '>=' 0.80
target "sign-out seen by another instance, p99 (ms)" "${result[revocation_p99_ms]}" '<=' 50
target "database get-session / baseline (MySQL)" "${result[ratio_db_mysql_get_session_to_baseline]}" '>=' 0.25
target "sign-out seen by another instance, MySQL p99 (ms)" "${result[mysql_revocation_p99_ms]}" '<=' 400
target "sign-in/s / raw bcrypt verify/s" "${result[ratio_sign_in_to_bcrypt]}" '>=' 0.90
target "get-session p99 under sign-in load / idle" "${result[ratio_loaded_to_idle_p99]}" '<=' 2.00
target "get-session p99, SMTP hung / no mail" "${result[ratio_stalled_mail_get_session_p99]}" '<=' 2.00
target "sign-in p99, SMTP hung / no mail" "${result[ratio_stalled_mail_sign_in_p99]}" '<=' 1.50
target "idle RSS (MiB)" "${result[idle_rss_mib]}" '<=' 20
target "RSS after $seeded_sessions sessions (MiB)" "${result[rss_after_sessions_mib]}" '<=' 64
target "start to ready (ms, SQLite)" "${result[start_to_ready_ms]}" '<=' 200
echo
printf '| %-36s | %10s | %9s |\n' "endpoint" "req/s" "p99 ms"
for key in baseline get_session_jwt verify_jwt get_session_db_sqlite verify_db_sqlite get_session_db_pg verify_db_pg \
  get_session_db_pg_uncached get_session_db_mysql verify_db_mysql get_session_db_mysql_uncached \
  get_session_many_tokens sign_in get_session_under_sign_in_load request_reset get_session_stalled_mail \
  sign_in_stalled_mail; do
  printf '| %-36s | %10s | %9s |\n' "$key" "${result[${key}_rps]}" "${result[${key}_p99_ms]}"
done
echo "bench: completed in $mode mode"
