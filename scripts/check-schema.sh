#!/usr/bin/env bash
# Regenerates src/db/schema.rs from the SQLite migrations with diesel_cli and fails if it differs
# from the committed file (PostgreSQL's DDL mirrors the same types; its test run proves it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DIESEL_CLI_VERSION=2.3.4
if ! diesel --version 2>/dev/null | grep -q "$DIESEL_CLI_VERSION"; then
  log "installing diesel_cli $DIESEL_CLI_VERSION"
  cargo install diesel_cli --version "$DIESEL_CLI_VERSION" --locked --no-default-features --features sqlite-bundled
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
echo "schema.rs matches the migrations"
