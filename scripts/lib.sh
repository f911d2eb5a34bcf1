# Shared by .ci/run and the scripts in this folder: install what is missing, find the tools.
# Source it; it changes nothing by itself.

export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/gatehouse-target}
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
GATEHOUSE_BIN=${GATEHOUSE_BIN:-$CARGO_TARGET_DIR/release/gatehouse}
PG_BASE_URL=${GATEHOUSE_TEST_PG:-postgres://postgres@127.0.0.1:5432}
MYSQL_BASE_URL=${GATEHOUSE_TEST_MYSQL:-mysql://root@127.0.0.1:3306}
# Every build of the scripts and CI has MySQL support (the `mysql` feature, off by default), so
# one release binary serves every backend's tests.
FEATURES=(--features mysql)

# log MESSAGE: a step heading, with how long the step before it took, so every script prints
# its steps' durations.
_log_since=$(date +%s)
log() {
  local now
  now=$(date +%s)
  printf '\n== %s   (previous step: %d s)\n' "$*" $((now - _log_since))
  _log_since=$now
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ensure_apt PACKAGE...: installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# ensure_postgres: PostgreSQL answers on 127.0.0.1:5432, starting the local cluster if needed.
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  log "starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 0.2; done
  echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2
  return 1
}

# ensure_mysql: MySQL or MariaDB answers where MYSQL_BASE_URL says (by default the local MariaDB
# on 127.0.0.1:3306, user root without a password, started if needed).
ensure_mysql() {
  local host port
  host=$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).hostname)' "$MYSQL_BASE_URL")
  port=$(python3 -c 'import sys, urllib.parse as u; print(u.urlsplit(sys.argv[1]).port or 3306)' "$MYSQL_BASE_URL")
  ensure_apt mariadb-client
  if mysqladmin --protocol=tcp -h "$host" -P "$port" -u root ping >/dev/null 2>&1; then return 0; fi
  if [ "$host" = 127.0.0.1 ] && [ -x /etc/init.d/mariadb ]; then
    log "starting MariaDB"
    as_root /etc/init.d/mariadb start >/dev/null
  fi
  for _ in $(seq 1 50); do
    mysqladmin --protocol=tcp -h "$host" -P "$port" -u root ping >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "MySQL did not answer on $host:$port" >&2
  return 1
}

# ensure_build_deps: what compiling gatehouse needs (a C compiler, and make and perl for the
# OpenSSL that libpq is built against; cmake and a C++ compiler for the MySQL client library of
# the `mysql` feature), and what the scripts use (curl, python3, psql).
ensure_build_deps() {
  ensure_apt gcc g++ cmake make perl curl python3 postgresql-client
}

# ensure_mail_python: a Python with aiosmtpd (pinned, in a venv under /var/tmp) for the real
# SMTP server the mail tests deliver to (tests/smtp/server.py); exports its path as
# GATEHOUSE_TEST_SMTP_PYTHON.
ensure_mail_python() {
  local venv=${GATEHOUSE_MAIL_VENV:-/var/tmp/gatehouse-mail-venv}
  if ! "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; then
    python3 -c 'import ensurepip' 2>/dev/null || ensure_apt python3-venv
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check aiosmtpd==1.4.6
  fi
  export GATEHOUSE_TEST_SMTP_PYTHON=$venv/bin/python
}

# ensure_kubernetes_validate: kubernetes-validate (pinned with its dependencies, in a venv under
# /var/tmp) for scripts/check-deploy.sh. The package carries the Kubernetes JSON schemas of each
# release it supports, so validating needs no cluster and no network; exports its Python as
# GATEHOUSE_KUBE_VALIDATE_PYTHON. A different pinned version reinstalls.
KUBERNETES_VALIDATE_VERSION=1.37.0
ensure_kubernetes_validate() {
  local venv=${GATEHOUSE_KUBE_VALIDATE_VENV:-/var/tmp/gatehouse-kube-validate-venv}
  if ! "$venv/bin/python" -c "import sys, kubernetes_validate as k; sys.exit(k.__version__ != '$KUBERNETES_VALIDATE_VERSION')" 2>/dev/null; then
    log "installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION into $venv"
    python3 -c 'import ensurepip' 2>/dev/null || ensure_apt python3-venv
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" jsonschema==4.26.0 \
      jsonschema-specifications==2025.9.1 referencing==0.37.0 rpds-py==2026.9.1 attrs==26.1.0 \
      PyYAML==6.0.4 packaging==26.4 importlib_resources==7.1.0 typing_extensions==4.16.0
  fi
  export GATEHOUSE_KUBE_VALIDATE_PYTHON=$venv/bin/python
}

# ensure_oidc_provider: the real OpenID provider the OAuth tests sign in at (oidc-provider,
# pinned in tests/oidc/package-lock.json), installed with the machine's Node.js.
ensure_oidc_provider() {
  command -v node >/dev/null || ensure_apt nodejs npm
  (cd tests/oidc && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
}

# ensure_import_sources: the libraries tests/import/sources.mjs makes import sources with.
# better-sqlite3 compiles (about a minute) against the headers Node.js installs under /usr, as
# node-gyp could not download them here.
ensure_import_sources() {
  command -v node >/dev/null || ensure_apt nodejs npm
  (cd tests/import && npm_config_nodedir=/usr npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
}

# free_port: a TCP port nothing listens on right now.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [TRIES]: polls until URL answers 200 (10 ms steps).
wait_http() {
  local url=$1 tries=${2:-1000}
  for _ in $(seq 1 "$tries"); do
    curl -fs -o /dev/null "$url" && return 0
    sleep 0.01
  done
  echo "no answer from $url" >&2
  return 1
}

# create_pg_database NAME / drop_pg_database NAME on the local PostgreSQL.
create_pg_database() { psql "$PG_BASE_URL/postgres" -qtAc "CREATE DATABASE $1" >/dev/null; }
drop_pg_database() { psql "$PG_BASE_URL/postgres" -qtAc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null; }
# mysql_sql SQL: runs SQL on the MySQL server of MYSQL_BASE_URL (its user and password, if any).
mysql_sql() {
  python3 - "$MYSQL_BASE_URL" "$1" <<'PY'
import subprocess, sys, urllib.parse as u
url = u.urlsplit(sys.argv[1])
args = ["mysql", "--protocol=tcp", "-h", url.hostname, "-P", str(url.port or 3306), "-u", u.unquote(url.username or "root"), "-N", "-e", sys.argv[2]]
env = {"MYSQL_PWD": u.unquote(url.password)} if url.password else {}
sys.exit(subprocess.run(args, env={**__import__("os").environ, **env}).returncode)
PY
}
create_mysql_database() { mysql_sql "CREATE DATABASE $1" >/dev/null; }
drop_mysql_database() { mysql_sql "DROP DATABASE IF EXISTS $1" >/dev/null; }
