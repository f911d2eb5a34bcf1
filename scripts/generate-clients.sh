#!/usr/bin/env bash
# Regenerates the committed clients from openapi/openapi.json (run after `gatehouse openapi`):
# the TypeScript types with openapi-typescript and the Python package with openapi-python-client.
# Never edit clients/typescript/src/schema.d.ts or clients/python/gatehouse_client by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${GATEHOUSE_OPENAPI_VENV:-/var/tmp/gatehouse-openapi-venv}
[ -x "$VENV/bin/openapi-python-client" ] || { python3 -m venv "$VENV"; "$VENV/bin/pip" install -q -r clients/python/requirements.txt; }
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error && npx --no-install openapi-typescript ../../openapi/openapi.json --output src/schema.d.ts)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 scripts/openapi-json-only.py openapi/openapi.json "$work/openapi.json"
rm -rf clients/python/gatehouse_client
"$VENV/bin/openapi-python-client" generate --path "$work/openapi.json" --config clients/python/config.yaml \
  --meta none --output-path clients/python/gatehouse_client
