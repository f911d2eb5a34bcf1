#!/usr/bin/env bash
# Generates the clients from openapi/openapi.json: the TypeScript types with openapi-typescript
# (clients/typescript/src/schema.d.ts) and the Python package with openapi-python-client
# (clients/python/gatehouse_client). Both are build products, ignored by git; the flow programs
# beside them import them. scripts/openapi-test.sh runs this, then the flows.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${GATEHOUSE_OPENAPI_VENV:-/var/tmp/gatehouse-openapi-venv}
[ -x "$VENV/bin/openapi-python-client" ] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q -r clients/python/requirements.txt; }
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npx --no-install openapi-typescript ../../openapi/openapi.json --output src/schema.d.ts)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# openapi-python-client 0.29.1 emits code that does not import (`Unset`) for operations with two
# request content types (openapi-generators/openapi-python-client#1451): the Python client is
# generated from the document without the form-urlencoded alternatives.
python3 scripts/openapi-json-only.py openapi/openapi.json "$work/openapi.json"
rm -rf clients/python/gatehouse_client
"$VENV/bin/openapi-python-client" generate --path "$work/openapi.json" --config clients/python/config.yaml \
  --meta none --output-path clients/python/gatehouse_client
