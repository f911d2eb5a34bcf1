#!/usr/bin/env bash
# The interactive API docs at /docs are Swagger UI, vendored from the pinned npm package into
# assets/docs/ and compiled into the binary (nothing is fetched at build or run time).
#   scripts/vendor-docs.sh          re-vendor the pinned version
#   scripts/vendor-docs.sh --check  fail unless the committed files are exactly the package's
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=5.35.0
FILES=(swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "swagger-ui-dist@$VERSION" --silent >/dev/null 2>&1 && tar xzf "swagger-ui-dist-$VERSION.tgz")

if [ "${1:-}" = --check ]; then
  for file in "${FILES[@]}"; do
    cmp -s "$work/package/$file" "assets/docs/$file" \
      || { echo "assets/docs/$file is not swagger-ui-dist@$VERSION's; run scripts/vendor-docs.sh" >&2; exit 1; }
  done
  echo "assets/docs: swagger-ui-dist@$VERSION, unchanged"
else
  for file in "${FILES[@]}"; do cp "$work/package/$file" "assets/docs/$file"; done
  echo "$VERSION" > assets/docs/VERSION
  echo "vendored swagger-ui-dist@$VERSION into assets/docs/"
fi
