#!/usr/bin/env bash
# The docs site's tests: the API reference's request signing against the
# documented vectors (signing.test.mjs), then the browser test in headless
# Chromium (test.mjs), which builds the site first unless target/docs-site is
# newer than the pages and the site's sources.
set -euo pipefail
cd "$(dirname "$0")"
built=../target/docs-site/index.html
if ! [ -f "$built" ] || [ ! node_modules/.package-lock.json -nt package-lock.json ] ||
  [ -n "$(find ../docs .vitepress api.md -type f -newer "$built" -print -quit)" ]; then
  ./build.sh
fi
node signing.test.mjs
node test.mjs
