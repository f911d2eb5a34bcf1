#!/usr/bin/env bash
# Regenerates src/db/schema.rs from the SQLite migrations with diesel_cli and fails if it differs
# from the committed file; then does the same from the MySQL migrations on the MySQL server of
# MYSQL_BASE_URL, with MySQL's own type names mapped to the shared ones (VARCHAR and MEDIUMTEXT
# are Text, DATETIME is Timestamp). PostgreSQL's DDL mirrors the same types; its test run proves it.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DIESEL_CLI_VERSION=2.3.4
# diesel_cli's MySQL support links the system's MariaDB client library (only this tool does).
ensure_apt libmariadb-dev libmariadb-dev-compat
if ! diesel --version 2>/dev/null | grep -q "$DIESEL_CLI_VERSION" \
  || ! diesel --version 2>/dev/null | grep -qi "mysql"; then
  log "installing diesel_cli $DIESEL_CLI_VERSION"
  cargo install diesel_cli --version "$DIESEL_CLI_VERSION" --locked --no-default-features --features sqlite-bundled,mysql
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
diesel migration run --database-url "$work/schema.db" --migration-dir migrations/sqlite >/dev/null
diesel print-schema --database-url "$work/schema.db" > "$work/schema.rs"
if ! diff -u src/db/schema.rs "$work/schema.rs"; then
  echo "src/db/schema.rs differs from the migrations: regenerate it with" >&2
  echo "  diesel migration run --database-url /tmp/s.db --migration-dir migrations/sqlite && diesel print-schema --database-url /tmp/s.db > src/db/schema.rs" >&2
  exit 1
fi
echo "schema.rs matches the SQLite migrations"

ensure_mysql
database="gatehouse_schema_$$"
mysql_sql "CREATE DATABASE $database" >/dev/null
trap 'rm -rf "$work"; mysql_sql "DROP DATABASE IF EXISTS $database" >/dev/null' EXIT
# A configuration of its own: diesel.toml's would make `migration run` rewrite src/db/schema.rs.
printf '[print_schema]\n' > "$work/diesel-mysql.toml"
diesel migration run --config-file "$work/diesel-mysql.toml" --database-url "$MYSQL_BASE_URL/$database" \
  --migration-dir migrations/mysql >/dev/null
diesel print-schema --config-file "$work/diesel-mysql.toml" --database-url "$MYSQL_BASE_URL/$database" \
  | sed -E '/#\[max_length = [0-9]+\]/d; s/\b(Varchar|Mediumtext)\b/Text/g; s/\bDatetime\b/Timestamp/g; s/\bBigint\b/BigInt/g' \
  > "$work/schema-mysql.rs"
if ! diff -u src/db/schema.rs "$work/schema-mysql.rs"; then
  echo "migrations/mysql does not give the tables and columns of src/db/schema.rs (diff above)" >&2
  exit 1
fi
echo "schema.rs matches the MySQL migrations"
