#!/usr/bin/env bash
# Copy the front-end libraries from node_modules into web/static/vendor/ so pages never load a CDN.
# Idempotent: skips npm when the vendored files are already present (they are committed when small).
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=web/static/vendor
FILES=(
  "node_modules/@google/model-viewer/dist/model-viewer.min.js:model-viewer.min.js"
  "node_modules/cytoscape/dist/cytoscape.esm.min.mjs:cytoscape.esm.min.js"
  "node_modules/openseadragon/build/openseadragon/openseadragon.min.js:openseadragon/openseadragon.min.js"
  "node_modules/openseadragon/build/openseadragon/images:openseadragon/images"
)
missing=0
for pair in "${FILES[@]}"; do [ -e "$DEST/${pair#*:}" ] || missing=1; done
if [ "$missing" = 0 ] && [ "${1:-}" != "--force" ]; then
  echo "vendor: web/static/vendor is up to date"; exit 0
fi
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
mkdir -p "$DEST"
for pair in "${FILES[@]}"; do
  mkdir -p "$(dirname "$DEST/${pair#*:}")"
  rm -rf "${DEST:?}/${pair#*:}"
  cp -r "${pair%%:*}" "$DEST/${pair#*:}"
  echo "vendor: $DEST/${pair#*:}"
done
