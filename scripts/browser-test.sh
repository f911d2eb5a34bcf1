#!/usr/bin/env bash
# gatehouse from the browser side: the real better-auth client (Node, tests/browser/client.test.mjs)
# and examples/spa in real Chromium on another origin (tests/browser/spa.test.mjs), each on both
# session strategies and both databases. Installs Debian's chromium and the pinned npm packages;
# never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

ensure_build_deps
ensure_apt chromium
command -v npm >/dev/null || ensure_apt nodejs npm
ensure_postgres
[ -x "$GATEHOUSE_BIN" ] || cargo build --release --locked
export GATEHOUSE_BIN GATEHOUSE_TEST_PG="$PG_BASE_URL"

cd tests/browser
log "npm ci (pinned better-auth, playwright-core, esbuild)"
npm ci --no-audit --no-fund --loglevel=error
npm run --silent bundle

passed=0
for strategy in database jwt; do
  for database in sqlite postgres; do
    for suite in client spa; do
      log "$suite: $strategy sessions, $database"
      out=$(GATEHOUSE_TEST_STRATEGY=$strategy GATEHOUSE_TEST_DATABASE=$database node --test "$suite.test.mjs" 2>&1) \
        || { echo "$out"; exit 1; }
      echo "$out" | grep -E '^(# (tests|pass|fail)|ok |not ok )'
      passed=$((passed + $(echo "$out" | sed -nE 's/^# pass ([0-9]+)$/\1/p')))
    done
  done
done
echo "screenshots: $(pwd)/screenshots"
echo "browser tests: $passed passed, 0 failed"
