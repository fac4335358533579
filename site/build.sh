#!/usr/bin/env bash
# Builds the docs site into target/docs-site: the pages codegen writes to docs/,
# with navigation and search, and the API reference over docs/openapi/.
set -euo pipefail
cd "$(dirname "$0")"
# The packages of the lockfile, installed again when it changed.
if ! [ node_modules/.package-lock.json -nt package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx vitepress build
