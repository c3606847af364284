#!/usr/bin/env bash
# Issue 14's load figures: signed commands posted to a running `align serve` (release) by 64 clients, and the floor
# under them in the same run (the same signed commands handed to the service in process, without HTTP).
#   tools/bench-serve.sh                    # 64 clients, 3 runs of 20 s each
#   CLIENTS=16 SECONDS_PER_RUN=5 RUNS=1 tools/bench-serve.sh   # a smoke run
# Prints each run's figures and the medians; writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${CLIENTS:-64}; SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}; RUNS=${RUNS:-3}
# align and align-bench from one release scratch path (the Swift runtime linked statically, as tools/bench-cli.sh does):
# one build of the dependencies serves both.
if [ -z "${NO_BUILD:-}" ]; then
  swift build -c release --product align --static-swift-stdlib --scratch-path .build-static >/dev/null
  swift build -c release --product align-bench --static-swift-stdlib --scratch-path .build-static >/dev/null
fi
A="$PWD/.build-static/release/align"
BENCH="$PWD/.build-static/release/align-bench"
W=$(mktemp -d "${TMPDIR:-/tmp}/align-serve-bench.XXXXXX")
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
export ALIGN_KEYS="$W/keys"
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), disk $(df -h "$W" | awk 'NR==2{print $1}')"
echo "$CLIENTS clients, $RUNS runs of $SECONDS_PER_RUN s; each client an actor with its own Ed25519 key, signing lead handoffs of its own"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (others' builds share the two cores: compare with the floors of the same run)"

# The ledger: rita (revops), maria (marketing), sam (sales), the clients c0..c(N-1) (marketing, each with its own key),
# and one active definition `mql` for the handoffs (proposed by marketing, signed off by sales, activated).
L="$W/serve.ledger"
$A init --ledger "$L" --admin rita --name Rita >/dev/null
for a in maria sam; do $A key generate --as $a >/dev/null; done
$A actor add maria --name Maria --role marketing --as rita --ledger "$L" >/dev/null
$A actor add sam --name Sam --role sales --as rita --ledger "$L" >/dev/null
for i in $(seq 0 $((CLIENTS - 1))); do
  $A key generate --as "c$i" >/dev/null
  $A actor add "c$i" --name "Client $i" --role marketing --as rita --ledger "$L" >/dev/null
done
$A definition propose mql --title "MQL" --fit "employees>=200" --as maria --ledger "$L" >/dev/null
$A definition sign-off mql 1 --as sam --ledger "$L" >/dev/null
$A definition activate mql 1 --as maria --ledger "$L" >/dev/null

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
$A serve --ledger "$L" --listen "127.0.0.1:$PORT" >"$W/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "align serve did not start:"; cat "$W/serve.log"; exit 1; }

# Runs interleaved: the server, then the floor, RUNS times. Each prints: commands/s, p50 ms, p99 ms, answered, errors,
# events per command (and, for the server, events per durable commit).
: > "$W/serve"; : > "$W/floor"
txn() { if command -v mdb_stat >/dev/null; then mdb_stat -e "$L" | awk -F': ' '/Last transaction ID/ {print $2}'; else echo 0; fi; }
for r in $(seq 1 "$RUNS"); do
  # LMDB's last transaction id before and after (mdb_stat reads beside the server): the durable commits of the run,
  # hence the events per commit (the group commit at work), a seventh column.
  t0=$(txn)
  "$BENCH" serve-load --url "http://127.0.0.1:$PORT" --keys "$ALIGN_KEYS" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN" --tag "r$r" > "$W/one"
  t1=$(txn)
  awk -v t="$((t1 - t0))" '{printf "%s %.2f\n", $0, (t > 0 ? $4 * $6 / t : 0)}' "$W/one" | tee -a "$W/serve" | sed "s/^/  run $r, align serve:          /"
  "$BENCH" serve-floor "$W" --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN" | tee -a "$W/floor" | sed "s/^/  run $r, service in process: /"
done
col() { awk -v c="$2" '{print $c}' "$1" | median; }
echo
echo "medians of $RUNS runs ($CLIENTS clients, $SECONDS_PER_RUN s each)     commands/s   p50 ms   p99 ms   errors   events/command   events/commit"
printf "  align serve, POST /api/v1/commands           %10s %8s %8s %8s %8s %8s   (target >= 5,000/s, p99 < 100 ms)\n" \
  "$(col "$W/serve" 1)" "$(col "$W/serve" 2)" "$(col "$W/serve" 3)" "$(col "$W/serve" 5)" "$(col "$W/serve" 6)" "$(col "$W/serve" 7)"
printf "  floor: the service in process, no HTTP        %10s %8s %8s %8s %8s %8s\n" \
  "$(col "$W/floor" 1)" "$(col "$W/floor" 2)" "$(col "$W/floor" 3)" "$(col "$W/floor" 5)" "$(col "$W/floor" 6)" "$(col "$W/floor" 7)"
echo "  one Ed25519 signature, sign / check (us):     $("$BENCH" ed25519)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
