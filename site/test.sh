#!/usr/bin/env bash
# The docs site's tests: the API reference's request signing against the
# documented vectors (signing.test.mjs), then the browser test in headless
# Chromium (test.mjs) with a sandbox to try requests against (built here with
# cargo); the site is built first unless target/docs-site is newer than the
# pages and the site's sources.
set -euo pipefail
cd "$(dirname "$0")"
built=../target/docs-site/index.html
if ! [ -f "$built" ] || [ ! node_modules/.package-lock.json -nt package-lock.json ] ||
  [ -n "$(find ../docs .vitepress api.md -type f -newer "$built" -print -quit)" ]; then
  ./build.sh
fi
node signing.test.mjs
# The sandbox "Try it out" is tried against (a debug build, as the tests use).
export FREEDOMPAY_SANDBOX
FREEDOMPAY_SANDBOX=$(cd .. && cargo build -q -p freedompay-sandbox --bin freedompay-sandbox \
  --message-format=json-render-diagnostics | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n1)
[ -x "$FREEDOMPAY_SANDBOX" ] || { echo "site/test.sh: no sandbox binary built" >&2; exit 1; }
node test.mjs
