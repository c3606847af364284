#!/usr/bin/env bash
# Issue 14's page figure: the server time of pages and reads of `align serve` on a big ledger (1M events by default),
# with /healthz as the floor in the same run (the HTTP round trip and Hummingbird's own work, no ledger read).
#   tools/bench-pages.sh                                   # a 1M-event demo ledger (580,000 leads; made once, kept in .bench-ledgers/)
#   LEDGER=/path/to.ledger KEYS=/path/to/keys tools/bench-pages.sh /scorecard /api/v1/scorecard?period=week
#   ALIGN=/usr/local/bin/align tools/bench-pages.sh        # the installed static binary, as users run it
# Server time is what the server's request log says for each request (from its arrival to its answer); the client's
# time to the first byte (curl, loopback) is shown beside it. Median and p90 of RUNS requests per URL, interleaved.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-30}
LEADS=${LEADS:-580000}
if [ -z "${ALIGN:-}" ]; then
  swift build -c release --product align --static-swift-stdlib --scratch-path .build-static >/dev/null
fi
A="${ALIGN:-$PWD/.build-static/release/align}"
URLS=("$@")
[ ${#URLS[@]} -gt 0 ] || URLS=("/scorecard" "/api/v1/scorecard?period=week" "/api/v1/scorecard?period=month")
if [ -z "${LEDGER:-}" ]; then
  LEDGER="$PWD/.bench-ledgers/demo-$LEADS.ledger"; KEYS="$PWD/.bench-ledgers/demo-$LEADS.keys"
  if [ ! -d "$LEDGER" ]; then
    mkdir -p .bench-ledgers
    echo "making a demo ledger of $LEADS leads in $LEDGER (once; a few minutes)" >&2
    "$A" demo --ledger "$LEDGER" --leads "$LEADS" --keys "$KEYS" >/dev/null
  fi
fi
export ALIGN_KEYS="${KEYS:?KEYS names the key directory of the cast of the ledger}"
W=$(mktemp -d "${TMPDIR:-/tmp}/align-pages-bench.XXXXXX")
SERVER=""
cleanup() {
  if [ -n "$SERVER" ]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
  rm -rf "$W"
}
trap cleanup EXIT
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
p90() { sort -n | awk '{a[NR]=$1} END {i=int(NR*0.9+0.999); if (i<1) i=1; print a[i]}'; }

"$A" serve --ledger "$LEDGER" --listen 127.0.0.1:0 2> "$W/serve.log" & SERVER=$!
for _ in $(seq 600); do grep -q "listening on http" "$W/serve.log" && break; sleep 0.1; done
BASE=$(grep -o "listening on http://127.0.0.1:[0-9]*" "$W/serve.log" | head -1 | cut -d' ' -f3)
[ -n "$BASE" ] || { cat "$W/serve.log" >&2; exit 1; }
challenge=$(curl -s -X POST "$BASE/api/v1/session/challenge" | python3 -c 'import json,sys; print(json.load(sys.stdin)["challenge"])')
"$A" sign --challenge "$challenge" --as rita --ledger "$LEDGER" > "$W/sign-in.json"
TOKEN=$(curl -s -H 'Content-Type: application/json' --data-binary @"$W/sign-in.json" "$BASE/api/v1/session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
echo "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $("$A" --version)"
echo "ledger: $LEDGER, head $(curl -s "$BASE/healthz")"

all=("/healthz" "${URLS[@]}")
for u in "${all[@]}"; do curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE$u"; done  # warm
: > "$W/client.tsv"
for _ in $(seq "$RUNS"); do
  for u in "${all[@]}"; do
    t=$(curl -s -o "$W/body" -w '%{http_code} %{time_starttransfer} %{size_download}' -H "Authorization: Bearer $TOKEN" "$BASE$u")
    printf '%s\t%s\n' "$u" "$t" >> "$W/client.tsv"
  done
done
sleep 0.5
printf '| %s | %s | %s | %s | %s |\n' "request ($RUNS each)" "server time, median" "p90" "client time to first byte, median" "bytes"
printf '|---|---|---|---|---|\n'
for u in "${all[@]}"; do
  path=${u%%\?*}
  # The request log's lines for this path (the query is not logged): the last RUNS of them.
  server=$(grep "path=$path " "$W/serve.log" | grep -o "ms=[0-9.]*" | cut -d= -f2 | tail -n "$RUNS" || true)
  status=$(awk -F'\t' -v u="$u" '$1==u {split($2,a," "); print a[1]}' "$W/client.tsv" | sort -u | tr '\n' ' ')
  client=$(awk -F'\t' -v u="$u" '$1==u {split($2,a," "); print a[2]*1000}' "$W/client.tsv" | median)
  bytes=$(awk -F'\t' -v u="$u" '$1==u {split($2,a," "); print a[3]}' "$W/client.tsv" | median)
  printf '| `%s` (HTTP %s) | %s ms | %s ms | %.2f ms | %s |\n' "$u" "${status% }" "$(echo "$server" | median)" "$(echo "$server" | p90)" "$client" "$bytes"
done
