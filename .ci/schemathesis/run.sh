#!/usr/bin/env bash
# Schemathesis against the sandbox gateway, from the OpenAPI documents.
#
#   .ci/schemathesis/run.sh [max-examples]     (default 25: the bounded run of .ci/run)
#
# Builds and starts the sandbox on a free port with its default test merchant,
# runs `schemathesis run` on each family's document (docs/openapi/*.json) with
# a fixed seed, the requests signed by hooks.py, and the checks: no answer is
# a server error, every answer and its media type are the documented ones.
# Then checks that the sandbox still answers. The Python tools are installed
# from .ci/requirements.txt into a virtual environment in the target directory.
set -euo pipefail
cd "$(dirname "$0")/../.."

max_examples="${1:-25}"
target="${CARGO_TARGET_DIR:-target}"
venv="$target/openapi-venv"
work="$target/schemathesis"
mkdir -p "$work"

if ! "$venv/bin/pip" --version >/dev/null 2>&1; then
  "${PYTHON:-python3.11}" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r .ci/requirements.txt

# The hooks' signing against the documented vectors, before anything is sent.
PYTHONPATH=.ci/schemathesis "$venv/bin/python" -c 'import hooks; hooks.check_vectors()'

cargo build -q -p freedompay-sandbox --bin freedompay-sandbox
port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=freedompay_sandbox=warn "$target/debug/freedompay-sandbox" --listen "127.0.0.1:$port" \
  >"$work/sandbox.log" 2>&1 &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null || true' EXIT

alive() {
  "$venv/bin/python" - "$port" <<'PY'
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=5)
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code == 404 else 1)
except Exception:
    sys.exit(1)
PY
}
for _ in $(seq 1 100); do
  alive && break
  kill -0 "$sandbox" 2>/dev/null || { cat "$work/sandbox.log"; echo "the sandbox did not start"; exit 1; }
  sleep 0.2
done
alive || { echo "the sandbox does not listen on port $port"; exit 1; }

# Schemathesis and Hypothesis keep their caches in the working directory:
# run from the work directory, not from the checkout.
root=$(pwd)
work=$(cd "$work" && pwd)
venv=$(cd "$venv" && pwd)
status=0
for doc in "$root"/docs/openapi/*.json; do
  family=$(basename "$doc" .json)
  echo "-- $family"
  (cd "$work" && PYTHONPATH="$root/.ci/schemathesis" SCHEMATHESIS_HOOKS=hooks "$venv/bin/schemathesis" run "$doc" \
    --url "http://127.0.0.1:$port" \
    --seed 20260 \
    --max-examples "$max_examples" \
    --checks not_a_server_error,response_schema_conformance,content_type_conformance \
    --request-timeout 10 \
    --workers 1 \
    --no-color \
    --report junit --report-junit-path "$work/$family.junit.xml") \
    || status=1
done

if ! kill -0 "$sandbox" 2>/dev/null || ! alive; then
  echo "the sandbox died or stopped answering during the run; its log:"
  tail -50 "$work/sandbox.log"
  exit 1
fi
exit "$status"
