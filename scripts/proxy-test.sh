#!/usr/bin/env bash
# Real nginx and real Caddy in front of gatehouse, running the files in deploy/ as they are (only
# the listen address, gatehouse's and the app's addresses are rewritten). The app is
# scripts/proxy/echo.py, which answers with the request it received, so every check looks at what
# the app really saw. For each proxy, session strategy and database:
#   - /api/auth/* is routed without auth: sign-up, sign-in and get-session work through the proxy;
#   - no session: 401 JSON for API clients (and XMLHttpRequests), 302 to the sign-in page with
#     redirect=<original URL> for browser navigations; the app is not reached;
#   - a valid cookie, signed bearer token or raw bearer token: 200, and the app sees
#     X-Auth-User-Id, -Email, -Name and X-Auth-Session-Id with gatehouse's values; a POST body
#     reaches the app intact;
#   - client-sent X-Auth-* (also as X_Auth_User_Id, X.Auth.User.Id, X~Auth~User~Id) never reach
#     the app: with a session, without one, on the public sign-in page, for a user without a name;
#   - the redirect never names an untrusted host and cannot be steered by a client's
#     X-Original-URL or X-Forwarded-*; ../ and %2F paths do not get past auth;
#   - tampered, expired and signed-out sessions get 401; with gatehouse down the proxy fails closed.
# Expiry: the database strategy signs in on a second gatehouse with GATEHOUSE_SESSION_TTL=2s and
# polls until that session is refused; the jwt strategy uses a token minted with gatehouse's secret
# (scripts/proxy/mint_jwt.py), since gatehouse accepts a JWT for 30 s past `exp`.
# Traefik is not installable here: tests/api/verify.rs replays the requests its forwardAuth sends.
#   scripts/proxy-test.sh            (PROXIES, STRATEGIES, DATABASES narrow the matrix)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

read -r -a proxies <<<"${PROXIES:-nginx caddy}"
read -r -a strategies <<<"${STRATEGIES:-database jwt}"
read -r -a databases <<<"${DATABASES:-sqlite postgres}"

ensure_build_deps
ensure_apt nginx caddy
[[ " ${databases[*]} " == *" postgres "* ]] && ensure_postgres
[ -x "$GATEHOUSE_BIN" ] || cargo build --release --locked

# The helpers need only the standard library; Debian's interpreter without site-packages starts
# in a tenth of the time of a pyenv one, and the checks run it a few hundred times.
PYTHON=(python3)
[ -x /usr/bin/python3 ] && PYTHON=(/usr/bin/python3 -I -S)

started=$SECONDS
work=$(mktemp -d -t gatehouse-proxy.XXXXXX)
mkdir -p "$work/run"
pg_databases=()

# --- processes: each has a pid file in $work/run; stop them by pid, never by name.
# spawn NAME LOG COMMAND...
spawn() {
  local name=$1 log=$2; shift 2
  "$@" >"$log" 2>&1 &
  echo $! >"$work/run/$name.pid"
}
# alive PID: the process exists and is not a zombie waiting to be reaped.
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}
# stop NAME...: SIGTERM, then up to 5 s for it to exit, then SIGKILL.
stop() {
  local name file pid
  for name in "$@"; do
    file="$work/run/$name.pid"
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    rm -f "$file"
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 1 500); do alive "$pid" || break; sleep 0.01; done
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
}
cleanup() {
  local file
  for file in "$work"/run/*.pid; do [ -e "$file" ] && stop "$(basename "$file" .pid)"; done
  for db in "${pg_databases[@]}"; do drop_pg_database "$db" || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# new_port VAR: a free port not handed out before in this run (processes bind later).
handed_out=" "
new_port() {
  local candidate
  while :; do candidate=$(free_port); [[ $handed_out == *" $candidate "* ]] || break; done
  handed_out+="$candidate "
  printf -v "$1" '%s' "$candidate"
}

# wait_up NAME URL: polls URL until it answers 200; fails at once if the process died.
wait_up() {
  local name=$1 url=$2 pid
  pid=$(cat "$work/run/$name.pid")
  for _ in $(seq 1 1000); do
    curl -fs -o /dev/null --max-time 1 "$url" && return 0
    alive "$pid" || fail "$name exited before answering $url"
    sleep 0.01
  done
  fail "$name did not answer $url within 10 s"
}

# --- requests and checks
scenario=setup
scenario_dir=$work
request=()
: >"$work/headers"; : >"$work/body"

# fail MESSAGE: prints the failing check, the last request and its answer, the logs; exits 1.
fail() {
  {
    echo
    echo "FAILED [$scenario]: $*"
    if [ ${#request[@]} -gt 0 ]; then
      echo "--- request"
      printf 'curl'; printf ' %q' "${request[@]}"; echo
      echo "--- response"
      tr -d '\r' <"$work/headers"
      head -c 2000 "$work/body"; echo
    fi
    for log in "$scenario_dir"/*.log; do
      [ -s "$log" ] && { echo "--- tail of $(basename "$log")"; tail -n 15 "$log"; }
    done
  } >&2
  exit 1
}

# call METHOD URL [curl args...]: sets $status and $body (and the files headers, body).
call() {
  local method=$1 url=$2; shift 2
  request=(-X "$method" "$@" "$url")
  : >"$work/headers"; : >"$work/body"
  local rc=0
  curl -sS --max-time 10 -o "$work/body" -D "$work/headers" "${request[@]}" 2>"$work/curl.err" || rc=$?
  [ "$rc" = 0 ] || fail "curl failed (exit $rc): $(cat "$work/curl.err")"
  status=$(head -1 "$work/headers" | awk '{print $2}')
  body=$(cat "$work/body")
}
# header NAME: the value of a response header (first one), without the CR.
header() {
  awk -v name="$(printf '%s' "$1" | tr 'A-Z' 'a-z')" \
    'BEGIN {FS=": "} tolower($1)==name {sub(/\r$/, ""); sub(/^[^:]*: /, ""); print; exit}' "$work/headers"
}
# json PYTHON_EXPRESSION: evaluated with d = the response body as JSON.
json() { "${PYTHON[@]}" -c "import json,sys; d=json.load(open(sys.argv[1])); print($1)" "$work/body" 2>/dev/null || echo "<not json>"; }
# seen: what the app saw (scripts/proxy/inspect.py) for the last response.
seen() { "${PYTHON[@]}" scripts/proxy/inspect.py "$work/body"; }
# saw GREP_ARGS...: grep over what the app saw (no pipe: grep -q must not cut inspect.py short).
saw() { local got; got=$(seen); grep "$@" <<<"$got"; }

expect_status() { [ "$status" = "$1" ] || fail "${2:-}status $status, expected $1"; }
expect_header() { local v; v=$(header "$1"); [ "$v" = "$2" ] || fail "$1: '$v', expected '$2'"; }
expect_not_reached() { saw -qx 'upstream=none' || fail "the request reached the app"; }
# expect_identity ID EMAIL NAME SESSION_ID: the app got exactly these four identity headers, each
# once, in its dash form, and nothing else it would read as X-Auth-*.
expect_identity() {
  local want got
  want=$(printf 'X_AUTH_SESSION_ID=x-auth-session-id: %s\nX_AUTH_USER_EMAIL=x-auth-user-email: %s\nX_AUTH_USER_ID=x-auth-user-id: %s\nX_AUTH_USER_NAME=x-auth-user-name: %s' "$4" "$2" "$1" "$3")
  got=$(seen)
  grep -qx 'upstream=echo' <<<"$got" || fail "expected the app to answer"
  [ "$(grep '^X_AUTH_' <<<"$got" | sort)" = "$want" ] \
    || fail "identity headers the app saw:"$'\n'"$(grep '^X_AUTH_' <<<"$got")"$'\n'"expected:"$'\n'"$want"
}
expect_no_identity() {
  local got
  got=$(seen)
  grep -qx 'upstream=echo' <<<"$got" || fail "expected the app to answer"
  ! grep -q '^X_AUTH_' <<<"$got" || fail "the app saw identity headers: $(grep '^X_AUTH_' <<<"$got")"
}

passed=0
checks=()
# ok DESCRIPTION: one check passed.
ok() {
  passed=$((passed + 1))
  scenario_passed=$((scenario_passed + 1))
  [ "$first_scenario" = 1 ] && checks+=("$1")
  return 0
}

SECRET=proxy-test-secret-0123456789abcdef-0123456789
PASSWORD=correct-horse-battery
SPOOF=(-H 'X-Auth-User-Id: admin' -H 'X-Auth-User-Email: admin@example.com' -H 'X-Auth-User-Name: Admin'
  -H 'X-Auth-Session-Id: forged' -H 'X_Auth_User_Id: admin' -H 'X.Auth.User.Id: admin' -H 'X~Auth~User~Id: admin'
  -H 'x-auth-user-email: admin@example.com')
JSON=(-H 'Accept: application/json')
BROWSER=(-H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8')
# flip VALUE: VALUE with its first character changed.
flip() { if [ "${1:0:1}" = A ]; then echo "B${1:1}"; else echo "A${1:1}"; fi; }
urlencode() { "${PYTHON[@]}" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe="-_.!~*'"'"'()"))' "$1"; }

# --- the app
new_port app_port
spawn app "$work/app.log" "${PYTHON[@]}" scripts/proxy/echo.py "$app_port"
wait_up app "http://127.0.0.1:$app_port/healthz"

# start_gatehouse NAME [VAR=VALUE...]: gatehouse for $proxy_url on $database_url; sets
# ${NAME}_url to its own address.
start_gatehouse() {
  local name=$1 port; shift
  new_port port
  spawn "$name" "$scenario_dir/$name.log" env RUST_LOG=warn GATEHOUSE_BIND="127.0.0.1:$port" \
    DATABASE_URL="$database_url" GATEHOUSE_SECRET="$SECRET" GATEHOUSE_SESSION_STRATEGY="$strategy" \
    GATEHOUSE_BASE_URL="$proxy_url" GATEHOUSE_SIGN_IN_URL="$proxy_url/sign-in" \
    GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32 GATEHOUSE_RATE_LIMIT=off GATEHOUSE_BCRYPT_COST=10 \
    GATEHOUSE_SHUTDOWN_TIMEOUT=1s "$@" "$GATEHOUSE_BIN"
  printf -v "${name}_url" 'http://127.0.0.1:%s' "$port"
  wait_up "$name" "http://127.0.0.1:$port/readyz"
}

# start_nginx: deploy/nginx/gatehouse.conf inside a minimal nginx.conf of our own (own prefix, pid
# file, logs and temp dirs; the system's nginx is not touched).
start_nginx() {
  local dir="$scenario_dir/nginx"
  mkdir -p "$dir/tmp"
  sed -e "s/server gatehouse:8080;/server ${gatehouse_url#http://};/" \
      -e "s/server app:3000;/server 127.0.0.1:$app_port;/" \
      -e "s/^    listen 80;/    listen 127.0.0.1:$proxy_port;/" \
      deploy/nginx/gatehouse.conf >"$dir/gatehouse.conf"
  grep -q "listen 127.0.0.1:$proxy_port;" "$dir/gatehouse.conf" || fail "could not rewrite deploy/nginx/gatehouse.conf"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $dir/nginx.pid;
error_log $scenario_dir/nginx-error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/gatehouse.conf;
}
EOF
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" 2>"$scenario_dir/nginx-test.log" || fail "nginx rejects the configuration"
  spawn proxy "$scenario_dir/nginx.log" nginx -p "$dir" -c "$dir/nginx.conf"
}

# start_caddy: deploy/caddy/Caddyfile with a global block for the test (no admin API, no TLS,
# own data and config dirs).
start_caddy() {
  local dir="$scenario_dir/caddy"
  mkdir -p "$dir"
  {
    printf '{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n}\n\n'
    sed -e "s/gatehouse:8080/${gatehouse_url#http://}/g" -e "s/app:3000/127.0.0.1:$app_port/g" \
        -e "s|^:80 {|http://:$proxy_port {|" deploy/caddy/Caddyfile
  } >"$dir/Caddyfile"
  grep -q "^http://:$proxy_port {" "$dir/Caddyfile" || fail "could not rewrite deploy/caddy/Caddyfile"
  XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir" caddy validate --adapter caddyfile --config "$dir/Caddyfile" \
    >"$scenario_dir/caddy-validate.log" 2>&1 || fail "caddy rejects the configuration"
  spawn proxy "$scenario_dir/caddy.log" env XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir" \
    caddy run --adapter caddyfile --config "$dir/Caddyfile" --pidfile "$dir/caddy.pid"
}

run_scenario() { # PROXY STRATEGY DATABASE
  proxy=$1 strategy=$2 database=$3
  scenario="$proxy/$strategy/$database"
  scenario_dir="$work/${scenario//\//-}"
  scenario_passed=0
  request=()
  local t0=$SECONDS
  mkdir -p "$scenario_dir"
  new_port proxy_port
  proxy_url="http://127.0.0.1:$proxy_port"
  if [ "$database" = postgres ]; then
    local name="gatehouse_proxy_$$_${proxy}_${strategy}"
    create_pg_database "$name"; pg_databases+=("$name")
    database_url="$PG_BASE_URL/$name"
  else
    database_url="sqlite://$scenario_dir/gatehouse.db"
  fi
  start_gatehouse gatehouse
  if [ "$strategy" = database ]; then
    # Same database and secret, sessions of 2 s: its sessions expire while the checks run.
    start_gatehouse shortlived GATEHOUSE_SESSION_TTL=2s GATEHOUSE_SESSION_UPDATE_AGE=1s
  fi
  "start_$proxy"
  wait_up proxy "$proxy_url/sign-in"

  # gatehouse's own API through the proxy, without auth: sign-up, get-session, sign-in.
  local email="user-$proxy-$strategy-$database@example.com" name="Proxy Üser"
  call POST "$proxy_url/api/auth/sign-up" -H 'content-type: application/json' \
    -d "{\"name\":\"$name\",\"email\":\"$email\",\"password\":\"$PASSWORD\"}"
  expect_status 200 "sign-up: "
  local user_id token cookie bearer session_id
  user_id=$(json 'd["user"]["id"]')
  token=$(json 'd["token"]')
  cookie=$(tr -d '\r' <"$work/headers" | sed -nE 's/^[Ss]et-[Cc]ookie: (gatehouse\.session_token=[^;]*).*/\1/p' | head -1)
  bearer=$(header set-auth-token)
  [ -n "$cookie" ] && [ -n "$bearer" ] && [ "$token" != "<not json>" ] || fail "sign-up gave no cookie, set-auth-token or token"
  ok "POST /api/auth/sign-up through the proxy (no auth on /api/auth/*): 200, cookie and set-auth-token"
  call GET "$proxy_url/api/auth/get-session" -H "Cookie: $cookie"
  expect_status 200 "get-session: "
  [ "$(json 'd["user"]["id"]')" = "$user_id" ] || fail "get-session names another user"
  session_id=$(json 'd["session"]["id"]')
  ok "GET /api/auth/get-session through the proxy with the cookie: the session"
  call POST "$proxy_url/api/auth/sign-in/email" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}"
  expect_status 200 "sign-in: "
  local cookie2
  cookie2=$(tr -d '\r' <"$work/headers" | sed -nE 's/^[Ss]et-[Cc]ookie: (gatehouse\.session_token=[^;]*).*/\1/p' | head -1)
  [ -n "$cookie2" ] || fail "sign-in gave no cookie"
  ok "POST /api/auth/sign-in/email through the proxy: a second session"

  # A session that expires: signed in on the 2 s instance (database), or minted (jwt). Either
  # way it must work right now, so that its refusal later proves expiry, not a broken token.
  local expiring
  if [ "$strategy" = database ]; then
    call POST "$shortlived_url/api/auth/sign-in/email" -H 'content-type: application/json' \
      -d "{\"email\":\"$email\",\"password\":\"$PASSWORD\"}"
    expect_status 200 "sign-in on the 2 s instance: "
    expiring=$(tr -d '\r' <"$work/headers" | sed -nE 's/^[Ss]et-[Cc]ookie: (gatehouse\.session_token=[^;]*).*/\1/p' | head -1)
  else
    expiring="gatehouse.session_token=$("${PYTHON[@]}" scripts/proxy/mint_jwt.py "$SECRET" "$proxy_url" "$user_id" "$email" "$name" 3600)"
  fi
  call GET "$proxy_url/private/page" -H "Cookie: $expiring"
  expect_status 200 "the not yet expired session: "
  [ "$(saw '^X_AUTH_USER_ID=' | sed 's/^[^:]*: //')" = "$user_id" ] || fail "the not yet expired session names another user"
  ok "a short-lived session (2 s TTL, or a minted JWT) is accepted before it expires"

  # No session.
  call GET "$proxy_url/private/page?x=1" "${JSON[@]}"
  expect_status 401
  [ "$(json 'd["code"]')" = UNAUTHORIZED ] && [ "$(json 'd["message"]')" = Unauthorized ] || fail "401 body"
  expect_header WWW-Authenticate 'Bearer realm="gatehouse"'
  expect_header Cache-Control no-store
  expect_not_reached
  ok "no session, API client: 401 {message, code: UNAUTHORIZED}, WWW-Authenticate, app not reached"
  call GET "$proxy_url/private/page?x=1" "${BROWSER[@]}"
  expect_status 302
  expect_header Location "$proxy_url/sign-in?redirect=$(urlencode "$proxy_url/private/page?x=1")"
  expect_not_reached
  ok "no session, browser navigation: 302 to the sign-in page with redirect=<original URL>"
  call GET "$proxy_url/private/page" "${BROWSER[@]}" -H 'X-Requested-With: XMLHttpRequest'
  expect_status 401
  expect_not_reached
  ok "no session, XMLHttpRequest accepting text/html: 401, not a redirect"

  # Valid sessions: the app sees who it is.
  call GET "$proxy_url/private/page" -H "Cookie: $cookie"
  expect_status 200
  expect_identity "$user_id" "$email" "$name" "$session_id"
  ok "valid cookie: 200, the app sees X-Auth-User-Id, -Email, -Name (UTF-8), X-Auth-Session-Id"
  call GET "$proxy_url/private/page" -H "Authorization: Bearer $bearer"
  expect_status 200
  expect_identity "$user_id" "$email" "$name" "$session_id"
  ok "valid bearer (signed set-auth-token): 200 and the same identity"
  call GET "$proxy_url/private/page" -H "Authorization: Bearer $token"
  expect_status 200
  expect_identity "$user_id" "$email" "$name" "$session_id"
  ok "valid bearer (the token from the sign-up body): 200 and the same identity"
  call POST "$proxy_url/private/form?y=2" -H "Cookie: $cookie" -H 'content-type: application/x-www-form-urlencoded' \
    --data-raw 'a=1&b=two'
  expect_status 200
  saw -qx 'method=POST' && saw -qx 'path=/private/form?y=2' && saw -qx 'body=a=1&b=two' \
    || fail "the app did not get the POST as sent: $(saw -E '^(method|path|body)=')"
  ok "a POST with a body passes auth and reaches the app intact"

  # Client-sent identity headers (and their _ . ~ aliases) never reach the app.
  call GET "$proxy_url/private/page" -H "Cookie: $cookie" "${SPOOF[@]}"
  expect_status 200
  expect_identity "$user_id" "$email" "$name" "$session_id"
  ok "client-sent X-Auth-* and aliases with a valid session: the app sees only gatehouse's values"
  call GET "$proxy_url/private/page" "${JSON[@]}" "${SPOOF[@]}"
  expect_status 401
  expect_not_reached
  ok "client-sent X-Auth-* and aliases without a session: 401, app not reached"
  call GET "$proxy_url/sign-in?next=1" "${SPOOF[@]}" -H 'X-Other: kept'
  expect_status 200
  saw -qx 'path=/sign-in?next=1' || fail "the sign-in page got $(saw '^path=')"
  grep -q '"x-other": "kept"' "$work/body" || fail "the sign-in page does not show the headers it got"
  expect_no_identity
  ok "client-sent X-Auth-* and aliases on the public sign-in page: none reach the app"

  # A user without a name: gatehouse answers `X-Auth-User-Name: ` (empty). nginx then drops the
  # header, Caddy passes it empty; the client's value is gone either way.
  call POST "$proxy_url/api/auth/sign-up" -H 'content-type: application/json' \
    -d "{\"name\":\"\",\"email\":\"nameless-$email\",\"password\":\"$PASSWORD\"}"
  expect_status 200 "nameless sign-up: "
  local nameless_id nameless_bearer
  nameless_id=$(json 'd["user"]["id"]')
  nameless_bearer=$(header set-auth-token)
  call GET "$proxy_url/private/page" -H "Authorization: Bearer $nameless_bearer" "${SPOOF[@]}"
  expect_status 200
  [ "$(saw '^X_AUTH_USER_ID=')" = "X_AUTH_USER_ID=x-auth-user-id: $nameless_id" ] || fail "the nameless user's id: $(saw '^X_AUTH_')"
  [ "$(saw '^X_AUTH_USER_NAME=' || true)" = "$([ "$proxy" = nginx ] || echo 'X_AUTH_USER_NAME=x-auth-user-name: ')" ] \
    || fail "the nameless user's name header: $(saw '^X_AUTH_USER_NAME=' || echo none)"
  ok "a user without a name: no (nginx) or an empty (Caddy) X-Auth-User-Name, never the client's"

  # The redirect: never to an untrusted host, never steered by the client's own headers.
  call GET "$proxy_url/private/page" "${BROWSER[@]}" -H 'Host: evil.example.net'
  expect_status 302
  expect_header Location "$proxy_url/sign-in"
  ok "navigation with an untrusted Host: 302 to the sign-in page without redirect="
  call GET "$proxy_url/private/page" "${BROWSER[@]}" -H 'X-Original-URL: http://evil.example.net/x' \
    -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: evil.example.net' -H 'X-Forwarded-Uri: /x'
  expect_status 302
  expect_header Location "$proxy_url/sign-in?redirect=$(urlencode "$proxy_url/private/page")"
  ok "client-sent X-Original-URL / X-Forwarded-*: ignored, redirect= is the URL really asked for"

  # Paths that a proxy and an app might read differently do not get past auth.
  local path
  for path in /sign-in/../private/page /api/auth/../../private/page /sign-in%2F..%2Fprivate%2Fpage \
    /private/page/..%2F..%2Fsign-in; do
    call GET "$proxy_url$path" "${JSON[@]}" --path-as-is
    if saw -qx 'upstream=echo'; then
      saw -qE '^path=/sign-in(\?.*)?$' || fail "$path reached the app without a session as $(saw '^path=')"
    fi
  done
  call GET "$proxy_url/private/../sign-in" "${JSON[@]}" --path-as-is
  if saw -qx 'upstream=echo'; then
    saw -qx 'path=/sign-in' || fail "the public route passed $(saw '^path=') to the app"
  fi
  ok "../ and %2F paths: nothing but /sign-in reaches the app without a session"

  # Refused sessions.
  local value=${cookie#gatehouse.session_token=}
  call GET "$proxy_url/private/page" "${JSON[@]}" -H "Cookie: gatehouse.session_token=$(flip "$value")"
  expect_status 401; expect_not_reached
  call GET "$proxy_url/private/page" "${JSON[@]}" -H "Cookie: ${cookie%???}AAA"
  expect_status 401; expect_not_reached
  call GET "$proxy_url/private/page" "${JSON[@]}" -H "Authorization: Bearer $(flip "$bearer")"
  expect_status 401; expect_not_reached
  ok "tampered cookie (token or signature) and tampered bearer: 401"

  if [ "$strategy" = database ]; then
    local expired=
    for _ in $(seq 1 60); do
      call GET "$proxy_url/private/page" "${JSON[@]}" -H "Cookie: $expiring"
      [ "$status" = 401 ] && { expired=1; break; }
      expect_status 200 "before expiry: "
      sleep 0.1
    done
    [ -n "$expired" ] || fail "the 2 s session was still accepted 6 s later"
  else
    expiring="gatehouse.session_token=$("${PYTHON[@]}" scripts/proxy/mint_jwt.py "$SECRET" "$proxy_url" "$user_id" "$email" "$name" -3600)"
    call GET "$proxy_url/private/page" "${JSON[@]}" -H "Cookie: $expiring"
    expect_status 401
  fi
  expect_not_reached
  ok "expired session: 401"

  call POST "$proxy_url/api/auth/sign-out" -H "Cookie: $cookie" -H "Origin: $proxy_url"
  expect_status 200 "sign-out: "
  [ "$(json 'd["success"]')" = True ] || fail "sign-out answer"
  call GET "$proxy_url/private/page" "${JSON[@]}" -H "Cookie: $cookie"
  expect_status 401; expect_not_reached
  call GET "$proxy_url/private/page" "${JSON[@]}" -H "Authorization: Bearer $bearer"
  expect_status 401; expect_not_reached
  call GET "$proxy_url/private/page" -H "Cookie: $cookie2"
  expect_status 200 "the other session after sign-out: "
  ok "signed out through the proxy: that session's cookie and bearer get 401, the other session still works"

  # gatehouse gone: the proxy must not let anything through.
  stop gatehouse shortlived
  call GET "$proxy_url/private/page" "${JSON[@]}" -H "Cookie: $cookie2"
  [ "$status" -ge 500 ] || fail "with gatehouse down: status $status, expected 5xx"
  expect_not_reached
  ok "gatehouse down: 5xx, the app is not reached (fails closed)"

  stop proxy
  printf '  %-24s %2d checks passed (%d s)\n' "$scenario" "$scenario_passed" $((SECONDS - t0))
  first_scenario=0
}

first_scenario=1
log "reverse proxies: ${proxies[*]}; strategies: ${strategies[*]}; databases: ${databases[*]}"
echo "  nginx $(nginx -v 2>&1 | sed 's|.*/||'), caddy $(caddy version | awk '{print $1}'), gatehouse $GATEHOUSE_BIN"
for proxy in "${proxies[@]}"; do
  for strategy in "${strategies[@]}"; do
    for database in "${databases[@]}"; do
      run_scenario "$proxy" "$strategy" "$database"
    done
  done
done
scenario=summary
request=()

echo
echo "checks run for each proxy, strategy and database:"
printf '  - %s\n' "${checks[@]}"
echo "took $((SECONDS - started)) s"
echo "proxy tests: $passed passed, 0 failed"
