#!/usr/bin/env bash
# Real nginx and real Caddy in front of gatehouse and a tiny upstream that echoes the headers it
# receives, all on 127.0.0.1, using the configurations in deploy/ (only addresses are rewritten).
# For each proxy, session strategy and database it checks what issue 5 asks: 401 for API
# clients and 302 to the sign-in page for browsers without a session; the upstream sees the
# identity for a valid cookie or bearer token and never a client-sent X-Auth-* header; signed-out,
# expired and tampered sessions are refused; the redirect never points at an untrusted host; and
# gatehouse's own API works through the proxy. Traefik is not installable here: its behaviour is
# the contract that tests/api/verify.rs checks with Traefik's forwarded headers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_build_deps
ensure_apt nginx-light caddy
ensure_postgres
[ -x "$GATEHOUSE_BIN" ] || cargo build --release --locked

work=$(mktemp -d)
pids=()
pg_databases=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for db in "${pg_databases[@]}"; do drop_pg_database "$db" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed() { echo "FAILED ($scenario): $*" >&2; exit 1; }
ok() { passed=$((passed + 1)); }

SECRET=proxy-test-secret-0123456789abcdef-012345
PASSWORD=correct-horse-battery

# The upstream application: echoes the request's headers as JSON; /sign-in is a page that shows
# them too.
upstream_port=$(free_port)
python3 - "$upstream_port" >"$work/upstream.log" 2>&1 <<'PY' &
import http.server, json, sys
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        seen = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
        if self.path.startswith("/sign-in"):
            body, kind = f"<html><body>sign in<pre>{seen}</pre></body></html>".encode(), "text/html"
        else:
            body, kind = seen.encode(), "application/json"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_POST = do_GET
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
PY
pids+=($!)
wait_http "http://127.0.0.1:$upstream_port/healthz"

# start_gatehouse STRATEGY DATABASE_URL PUBLIC_URL: sets $gatehouse_port.
start_gatehouse() {
  gatehouse_port=$(free_port)
  env RUST_LOG=warn GATEHOUSE_BIND="127.0.0.1:$gatehouse_port" DATABASE_URL="$2" GATEHOUSE_SECRET="$SECRET" \
    GATEHOUSE_SESSION_STRATEGY="$1" GATEHOUSE_BASE_URL="$3" GATEHOUSE_SIGN_IN_URL="$3/sign-in" \
    GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32 GATEHOUSE_RATE_LIMIT=off GATEHOUSE_BCRYPT_COST=10 \
    "$GATEHOUSE_BIN" >"$work/gatehouse-${scenario//\//-}.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$gatehouse_port/readyz"
}

# start_nginx PORT: the deployed configuration with local addresses.
start_nginx() {
  local dir="$work/nginx-$1"
  mkdir -p "$dir/logs" "$dir/tmp"
  sed -e "s/gatehouse:8080/127.0.0.1:$gatehouse_port/; s/app:3000/127.0.0.1:$upstream_port/; s/listen 80;/listen 127.0.0.1:$1;/" \
    deploy/nginx/gatehouse.conf >"$dir/site.conf"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  include $dir/site.conf;
}
EOF
  nginx -t -q -p "$dir" -c "$dir/nginx.conf" || failed "nginx rejects deploy/nginx/gatehouse.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" &
  pids+=($!)
}

# start_caddy PORT: the deployed Caddyfile with local addresses, no admin API, no TLS.
start_caddy() {
  local dir="$work/caddy-$1"
  mkdir -p "$dir"
  {
    printf '{\n\tadmin off\n\tauto_https off\n\tdefault_bind 127.0.0.1\n}\n\n'
    sed -e "s/gatehouse:8080/127.0.0.1:$gatehouse_port/g; s/app:3000/127.0.0.1:$upstream_port/g; s/^:80 {/http:\/\/:$1 {/" deploy/caddy/Caddyfile
  } >"$dir/Caddyfile"
  XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir" caddy validate --adapter caddyfile --config "$dir/Caddyfile" >/dev/null 2>&1 \
    || failed "caddy rejects deploy/caddy/Caddyfile"
  XDG_DATA_HOME="$dir" XDG_CONFIG_HOME="$dir" caddy run --adapter caddyfile --config "$dir/Caddyfile" >"$dir/log" 2>&1 &
  pids+=($!)
}

# call METHOD URL [curl args...]: sets $status, $body, $headers.
call() {
  local method=$1 url=$2; shift 2
  headers=$(curl -s -o "$work/body" -D - -X "$method" "$@" "$url")
  status=$(printf '%s' "$headers" | head -1 | awk '{print $2}')
  body=$(cat "$work/body")
}
header() { printf '%s' "$headers" | awk -v name="$(echo "$1" | tr 'A-Z' 'a-z')" -F': ' 'tolower($1)==name {sub(/\r$/, "", $2); print $2; exit}'; }
json() { printf '%s' "$body" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# mint_expired STRATEGY USER_ID: prints a signed cookie value for a session that has expired.
mint_expired() {
  python3 - "$1" "$2" "$SECRET" "$database_url" "$proxy_url" <<'PY'
import base64, datetime, hashlib, hmac, json, secrets, sqlite3, string, subprocess, sys, time, urllib.parse
strategy, user_id, secret, database_url, issuer = sys.argv[1:6]
def b64url(raw): return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
def rand(): return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
if strategy == "jwt":
    now = int(time.time())
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": user_id, "sid": rand(), "jti": rand(), "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600,
              "iss": issuer, "aud": issuer, "email": "x@example.com", "name": "", "emailVerified": False, "image": None,
              "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
    payload = b64url(json.dumps(claims).encode())
    signature = b64url(hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    token = f"{header}.{payload}.{signature}"
else:
    token = rand()
    past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.000")
    row = (rand(), hashlib.sha256(token.encode()).hexdigest(), user_id, past, "", "", past, past)
    sql = "INSERT INTO sessions (id, token_hash, user_id, expires_at, ip_address, user_agent, created_at, updated_at) VALUES "
    if database_url.startswith("sqlite://"):
        db = sqlite3.connect(database_url[len("sqlite://"):], timeout=10)
        with db:
            db.execute(sql + "(?,?,?,?,?,?,?,?)", row)
    else:
        values = ",".join("'" + v + "'" for v in row)
        subprocess.run(["psql", database_url, "-qtAc", sql + "(" + values + ")"], check=True)
signed = token + "." + base64.b64encode(hmac.new(secret.encode(), token.encode(), hashlib.sha256).digest()).decode()
print(urllib.parse.quote(signed, safe="-_.!~*'()"))
PY
}

run_scenario() { # PROXY STRATEGY DATABASE
  local proxy=$1 strategy=$2 database=$3
  scenario="$proxy/$strategy/$database"
  local proxy_port
  proxy_port=$(free_port)
  proxy_url="http://127.0.0.1:$proxy_port"
  if [ "$database" = postgres ]; then
    local name="gatehouse_proxy_$$_${proxy}_${strategy}"
    create_pg_database "$name"; pg_databases+=("$name")
    database_url="$PG_BASE_URL/$name"
  else
    database_url="sqlite://$work/$proxy-$strategy.db"
  fi
  start_gatehouse "$strategy" "$database_url" "$proxy_url"
  "start_$proxy" "$proxy_port"
  wait_http "$proxy_url/sign-in"

  # gatehouse's own API through the proxy: sign-up, then get-session with the cookie.
  local email="user-$proxy-$strategy-$database@example.com"
  call POST "$proxy_url/api/auth/sign-up" -H 'content-type: application/json' \
    -d "{\"name\":\"Proxy User\",\"email\":\"$email\",\"password\":\"$PASSWORD\"}"
  [ "$status" = 200 ] || failed "sign-up through the proxy: $status $body"
  local user_id cookie bearer
  user_id=$(json 'd["user"]["id"]')
  cookie=$(printf '%s' "$headers" | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /session_token=/ {print $2; exit}')
  bearer=$(header set-auth-token)
  call GET "$proxy_url/api/auth/get-session" -H "Cookie: $cookie"
  [ "$(json 'd["user"]["id"]')" = "$user_id" ] || failed "get-session through the proxy: $body"; ok

  # No session: API clients get 401, browser navigations a 302 to the sign-in page.
  call GET "$proxy_url/private/page?x=1" -H 'Accept: application/json'
  [ "$status" = 401 ] || failed "API client without a session: $status"
  [ "$(json 'd["code"]')" = UNAUTHORIZED ] || failed "401 body: $body"
  [ -n "$(header www-authenticate)" ] || failed "401 without WWW-Authenticate"; ok
  call GET "$proxy_url/private/page?x=1" -H 'Accept: text/html,application/xhtml+xml'
  [ "$status" = 302 ] || failed "browser without a session: $status $body"
  local expected="$proxy_url/sign-in?redirect=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$proxy_url/private/page?x=1")"
  [ "$(header location)" = "$expected" ] || failed "redirect $(header location), expected $expected"; ok

  # A valid cookie, then a valid bearer token: the upstream sees who it is.
  call GET "$proxy_url/private/page" -H "Cookie: $cookie"
  [ "$status" = 200 ] || failed "valid cookie: $status $body"
  [ "$(json 'd["headers"]["x-auth-user-id"]')" = "$user_id" ] || failed "upstream saw $body"
  [ "$(json 'd["headers"]["x-auth-user-email"]')" = "$email" ] || failed "upstream saw $body"
  [ "$(json 'd["headers"]["x-auth-user-name"]')" = "Proxy User" ] || failed "upstream saw $body"; ok
  call GET "$proxy_url/private/page" -H "Authorization: Bearer $bearer"
  [ "$status" = 200 ] && [ "$(json 'd["headers"]["x-auth-user-id"]')" = "$user_id" ] || failed "valid bearer: $status $body"; ok

  # A client-sent identity never reaches the upstream: with a session, without one, on the
  # public sign-in page.
  call GET "$proxy_url/private/page" -H "Cookie: $cookie" -H 'X-Auth-User-Id: admin' -H 'X-Auth-User-Email: admin@example.com'
  [ "$(json 'd["headers"]["x-auth-user-id"]')" = "$user_id" ] || failed "spoofed id with a session reached the upstream: $body"
  [ "$(json 'd["headers"]["x-auth-user-email"]')" = "$email" ] || failed "spoofed email reached the upstream: $body"; ok
  call GET "$proxy_url/private/page" -H 'Accept: application/json' -H 'X-Auth-User-Id: admin'
  [ "$status" = 401 ] || failed "spoofed id without a session: $status $body"; ok
  call GET "$proxy_url/sign-in" -H 'X-Auth-User-Id: admin' -H 'X-Other: kept'
  grep -q '"x-other": "kept"' "$work/body" || failed "the sign-in page does not show the headers it got: $body"
  ! grep -qi 'x-auth-user-id' "$work/body" || failed "a spoofed id reached the public page: $body"; ok

  # Tampered, expired and signed-out sessions are refused.
  local tampered="${cookie%?????}AAAA="
  call GET "$proxy_url/private/page" -H 'Accept: application/json' -H "Cookie: $tampered"
  [ "$status" = 401 ] || failed "tampered cookie: $status"; ok
  local expired
  expired=$(mint_expired "$strategy" "$user_id")
  call GET "$proxy_url/private/page" -H 'Accept: application/json' -H "Cookie: gatehouse.session_token=$expired"
  [ "$status" = 401 ] || failed "expired session: $status $body"; ok
  call POST "$proxy_url/api/auth/sign-out" -H "Cookie: $cookie" -H "Origin: $proxy_url" -H 'content-type: application/json' -d '{}'
  [ "$status" = 200 ] || failed "sign-out through the proxy: $status $body"
  call GET "$proxy_url/private/page" -H 'Accept: application/json' -H "Cookie: $cookie"
  [ "$status" = 401 ] || failed "signed-out cookie: $status"; ok
  call GET "$proxy_url/private/page" -H 'Accept: application/json' -H "Authorization: Bearer $bearer"
  [ "$status" = 401 ] || failed "signed-out bearer: $status"; ok

  # The redirect never points at an untrusted host.
  call GET "$proxy_url/private/page" -H 'Accept: text/html' -H 'Host: evil.example.net'
  [ "$status" = 302 ] || failed "untrusted host navigation: $status"
  [ "$(header location)" = "$proxy_url/sign-in" ] || failed "redirect to an untrusted host: $(header location)"; ok

  echo "proxy ($scenario): ok"
}

for proxy in ${PROXIES:-nginx caddy}; do
  for strategy in database jwt; do
    for database in sqlite postgres; do
      run_scenario "$proxy" "$strategy" "$database"
    done
  done
done
echo "proxy tests: $passed passed, 0 failed"
