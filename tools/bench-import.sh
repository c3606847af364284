#!/usr/bin/env bash
# `align import salesforce` on generated exports of 100k and 1M leads (3 history rows each), release build, beside
# its floors measured in the same run: CSV.swift reading the same files and nothing else, and a bare byte scan.
# Figures: rows/s (Lead.csv + LeadHistory.csv rows over the whole command) and peak RSS, for the dry
# run (read, map, decide, report) and the real import (which also signs and appends every event).
#   tools/bench-import.sh                 # 100k and 1M leads
#   SIZES="20000" tools/bench-import.sh   # a smoke run
# Writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
# A (ALIGN=/path/to/align for another binary), BENCH, W, ALIGN_KEYS, now, median: tools/bench-common.sh.
. tools/bench-common.sh
SIZES=${SIZES:-"100000 1000000"}
RUNS=${RUNS:-3}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $($A --version)"

# A ledger as a revops lead sets one up: rita (revops), maria (marketing), sam and sue (sales), mql active.
fresh_ledger() {
  local L=$1
  rm -rf "$L"
  $A init --admin rita --name "Rita Revops" --ledger "$L" >/dev/null
  for who in maria:marketing sam:sales sue:sales; do
    [ -f "$ALIGN_KEYS/${who%%:*}.key" ] || $A key generate --as "${who%%:*}" >/dev/null 2>&1 || true
    $A actor add "${who%%:*}" --name "${who%%:*}" --role "${who##*:}" --as rita --ledger "$L" >/dev/null
  done
  $A definition propose mql --title "Mid-market" --fit "employees>=200" --as maria --ledger "$L" >/dev/null
  $A definition sign-off mql 1 --as sam --ledger "$L" >/dev/null
  $A definition activate mql 1 --as maria --ledger "$L" >/dev/null
}

for n in $SIZES; do
  X="$W/export-$n"
  python3 tools/gen_salesforce_export.py "$X" --leads "$n" >/dev/null
  rows=$(( $(wc -l < "$X/Lead.csv") + $(wc -l < "$X/LeadHistory.csv") - 2 ))
  echo
  echo "export of $n leads: $rows rows ($(du -sh "$X" | cut -f1))"
  : > "$W/floor"; : > "$W/scan"; : > "$W/dry"; : > "$W/real"; : > "$W/dryrss"; : > "$W/realrss"
  for r in $(seq 1 "$RUNS"); do
    read -r _ csv scan < <($BENCH csv-floor "$X/Lead.csv" "$X/LeadHistory.csv")
    echo "$csv" >> "$W/floor"; echo "$scan" >> "$W/scan"
    L="$W/ledger-$n"
    fresh_ledger "$L"
    /usr/bin/time -f "%e %M" -o "$W/t" $A import salesforce "$X" --mapping "$X/mapping.json" --dry-run --as rita --ledger "$L" >/dev/null
    read -r secs kb < "$W/t"; echo "$secs" >> "$W/dry"; echo "$kb" >> "$W/dryrss"
    /usr/bin/time -f "%e %M" -o "$W/t" $A import salesforce "$X" --mapping "$X/mapping.json" --as rita --ledger "$L" >/dev/null
    read -r secs kb < "$W/t"; echo "$secs" >> "$W/real"; echo "$kb" >> "$W/realrss"
  done
  rate() { awk -v n="$rows" -v s="$1" 'BEGIN{printf "%.0f", n/s}'; }
  dry=$(median < "$W/dry"); real=$(median < "$W/real")
  echo "  floor: CSV.swift alone (median of $RUNS): $(median < "$W/floor" | xargs printf '%.0f') rows/s; byte scan $(median < "$W/scan" | xargs printf '%.0f') rows/s"
  echo "  import --dry-run (median of $RUNS): ${dry} s = $(rate "$dry") rows/s, peak RSS $(( $(median < "$W/dryrss" | cut -d. -f1) / 1024 )) MB   (target >= 100,000 rows/s, < 150 MB, flat)"
  echo "  import (median of $RUNS): ${real} s = $(rate "$real") rows/s, peak RSS $(( $(median < "$W/realrss" | cut -d. -f1) / 1024 )) MB"
  events=$($A stats --json --ledger "$W/ledger-$n" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
  echo "  ledger after the import: $events events"
  rm -rf "$X" "$W/ledger-$n"
done
