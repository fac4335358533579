#!/usr/bin/env bash
# The sandbox binary's throughput against its own floor, measured with wrk
# (Debian's `wrk` package) in one run, one load after the other:
#
#   floor: an unknown path, answered with the sandbox's 404;
#   poll:  a signed get_status3.php poll of an existing payment (read the
#          form, verify pg_sig, look the payment up, answer, sign the XML).
#
# Prints both rates and their ratio, and for each load the CPU time one
# request took in the sandbox (user and kernel, from /proc) and in wrk (from
# bash's `time`). Usage (from the repository root):
#
#   sandbox/benches/wrk/throughput.sh [CONNECTIONS] [SECONDS] [THREADS]
#
# (defaults: 32 connections, 10 seconds each, 2 threads).
set -euo pipefail

connections=${1:-32}
seconds=${2:-10}
threads=${3:-2}
port=18093
base="http://127.0.0.1:$port"
here=$(cd "$(dirname "$0")" && pwd)

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p freedompay-sandbox --bin freedompay-sandbox
cargo build --release -q -p freedompay --features cli --bin freedompay
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
sandbox="$target/release/freedompay-sandbox"
sign() { "$target/release/freedompay" sign --secret mysecret "$@" | tail -n 1; }

"$sandbox" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "$base/" && break
  sleep 0.1
done

# A payment to poll, made by a signed init_payment of the documented test merchant.
init="pg_merchant_id=12345&pg_amount=10&pg_description=Poll&pg_salt=load"
init_sig=$(sign --script init_payment.php pg_merchant_id=12345 pg_amount=10 pg_description=Poll pg_salt=load)
payment=$(curl -s -d "$init&pg_sig=$init_sig" "$base/init_payment.php" \
  | sed -n 's:.*<pg_payment_id>\([0-9]*\)</pg_payment_id>.*:\1:p')
[ -n "$payment" ] || { echo "no payment was created" >&2; exit 1; }
poll_sig=$(sign --script get_status3.php pg_merchant_id=12345 "pg_payment_id=$payment" pg_salt=poll)
export BODY="pg_merchant_id=12345&pg_payment_id=$payment&pg_salt=poll&pg_sig=$poll_sig"
curl -s -d "$BODY" "$base/get_status3.php" | grep -q '<pg_status>ok</pg_status>' \
  || { echo "the poll is not answered ok" >&2; exit 1; }

rate() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
tick=$(getconf CLK_TCK)
# The sandbox's user and system CPU time so far, in clock ticks.
cpu() { awk '{ print $14, $15 }' "/proc/$pid/stat"; }
# Runs one load; prints its rate and where the CPU time of one request went.
load() {
  local name=$1 out=$2
  shift 2
  local user0 system0 user1 system1
  read -r user0 system0 < <(cpu)
  TIMEFORMAT='%U %S'
  { time wrk -t"$threads" -c"$connections" -d"${seconds}s" "$@" > "$out"; } 2> "$out.time"
  read -r user1 system1 < <(cpu)
  cat "$out" >&2
  awk -v name="$name" -v tick="$tick" -v u0="$user0" -v s0="$system0" -v u1="$user1" -v s1="$system1" \
    -v n="$(awk '/requests in/ { print $1 }' "$out")" -v wrk="$(cat "$out.time")" 'BEGIN {
      split(wrk, w, " ")
      user = (u1 - u0) / tick * 1e6 / n; kernel = (s1 - s0) / tick * 1e6 / n; client = (w[1] + w[2]) * 1e6 / n
      printf "%s CPU per request: sandbox user %.1f us, sandbox kernel %.1f us, wrk %.1f us, total %.1f us\n", name, user, kernel, client, user + kernel + client
    }'
}
scratch=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$scratch"' EXIT
echo "wrk: $threads threads, $connections connections, ${seconds}s each; $(nproc) cores"
load "404 (floor)" "$scratch/floor" "$base/no-such-path"
load "poll" "$scratch/poll" -s "$here/post.lua" "$base/get_status3.php"
awk -v floor="$(rate "$scratch/floor")" -v poll="$(rate "$scratch/poll")" 'BEGIN {
  printf "404 (floor): %.0f requests/s\nget_status3.php poll: %.0f requests/s\nratio: %.2f (target: at least 0.75)\n", floor, poll, poll / floor
}'
