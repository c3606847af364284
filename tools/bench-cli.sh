#!/usr/bin/env bash
# Whole-command figures for the alignment CLI (release build), beside `make bench` (the event log's benchmark).
#   tools/bench-cli.sh            # full: 1,000,000-event ledger
#   QUICK=1 tools/bench-cli.sh    # smaller ledgers, for a smoke run
# Prints medians; writes nothing outside a temporary directory.
set -euo pipefail
cd "$(dirname "$0")/.."
# ALIGN=/path/to/align measures another binary; A, BENCH, W, ALIGN_KEYS, now, median, ms: tools/bench-common.sh.
. tools/bench-common.sh
BIG_LEADS=${BIG_LEADS:-445000}; SMALL_LEADS=${SMALL_LEADS:-4000}
[ "${QUICK:-0}" = 1 ] && BIG_LEADS=40000 && SMALL_LEADS=2000

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), disk $(df -h "$W" | awk 'NR==2{print $1}')"
echo

# The process floor: the median start-to-exit time of `align --version` (`--help` for builds without --version),
# and the ratio of one sign-off, `audit who-approved` and `scorecard` to it, runs interleaved, on ledger $1.
floor_ratios() {
  local L=$1 n=30 i
  local floor_arg=--version; $A --version >/dev/null 2>&1 || floor_arg=--help
  $A definition propose floorbench --title t --fit "employees>=1" --as maria --ledger "$L" >/dev/null
  for i in $(seq 2 $n); do $A definition propose floorbench --title "t$i" --fit "employees>=$i" --as maria --ledger "$L" >/dev/null; done
  : > "$W/f0"; : > "$W/f1"; : > "$W/f2"; : > "$W/f3"; : > "$W/fp"; : > "$W/f4"
  # `prove inclusion` against a signed checkpoint of the whole ledger (signed now with the log key the demo made).
  $A checkpoint --ledger "$L" >/dev/null
  local mid; mid=$(( $($A checkpoint --latest --json --ledger "$L" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])') / 2 ))
  for i in $(seq 1 $n); do
    s=$(now); $A $floor_arg >/dev/null; e=$(now); echo $((e - s)) >> "$W/f0"
    # The same sign-off, parsed, against a ledger path that does not exist: the process and the argument parser.
    s=$(now); $A definition sign-off floorbench "$i" --as sam --ledger "$W/absent" >/dev/null 2>&1 || true; e=$(now); echo $((e - s)) >> "$W/fp"
    s=$(now); $A definition sign-off floorbench "$i" --as sam --ledger "$L" >/dev/null; e=$(now); echo $((e - s)) >> "$W/f1"
    s=$(now); $A audit who-approved mql --at 2026-05-01 --ledger "$L" >/dev/null; e=$(now); echo $((e - s)) >> "$W/f2"
    s=$(now); $A scorecard --ledger "$L" >/dev/null; e=$(now); echo $((e - s)) >> "$W/f3"
    s=$(now); $A prove inclusion $((mid + i)) --json --ledger "$L" >/dev/null; e=$(now); echo $((e - s)) >> "$W/f4"
  done
  local f0 f1 f2 f3 f4
  f0=$(median < "$W/f0"); f1=$(median < "$W/f1"); f2=$(median < "$W/f2"); f3=$(median < "$W/f3"); f4=$(median < "$W/f4")
  ratio() { awk -v a="$1" -v b="$f0" 'BEGIN{printf "%.2fx", a/b}'; }
  echo "  process floor, align $floor_arg (median of $n): $(ms "$f0") ms"
  echo "  sign-off (median of $n):      $(ms "$f1") ms = $(ratio "$f1") of the floor   (target <= 1.3x)"
  echo "  who-approved (median of $n):  $(ms "$f2") ms = $(ratio "$f2") of the floor   (target <= 1.3x)"
  echo "  scorecard (median of $n):     $(ms "$f3") ms = $(ratio "$f3") of the floor   (target <= 1.3x)"
  echo "  prove inclusion (median of $n): $(ms "$f4") ms = $(ratio "$f4") of the floor   (target <= 1.3x)"
  # A sign-off ends in a durable commit: LMDB syncs the data pages, then the meta page. That share belongs to the
  # disk and to LMDB, not to us: raw LMDB's own median durable commit of one put, measured now on the same disk.
  local d="$W/commit-floor"; mkdir -p "$d"
  local c; c=$("$BENCH" commit-floor "$d"); rm -rf "$d"
  local fp; fp=$(median < "$W/fp")
  echo "  where a sign-off's time goes:"
  echo "    process floor:                                     $(ms "$f0") ms"
  echo "    + parsing the sign-off's arguments (no ledger):    $(awk -v a="$fp" -v b="$f0" 'BEGIN{printf "%.1f", (a - b) / 1e6}') ms   (sign-off parsed, --ledger absent: $(ms "$fp") ms = $(ratio "$fp"))"
  echo "    + raw LMDB's own durable commit (median of 300):   $(awk -v c="$c" 'BEGIN{printf "%.2f", c}') ms"
  echo "    + the ledger's work (open, decide, append, fold):  $(awk -v a="$f1" -v p="$fp" -v c="$c" 'BEGIN{printf "%.1f", (a - p) / 1e6 - c}') ms"
  echo "  sign-off against the parsed floor + durable commit: $(awk -v a="$f1" -v p="$fp" -v c="$c" 'BEGIN{printf "%.2fx", a / (p + c * 1e6)}')"
}

# 1. One sign-off, process start to exit, median of 20.
L="$W/signoff.ledger"
$A init --ledger "$L" --admin rita --name Rita >/dev/null
for a in maria sam; do [ -f "$ALIGN_KEYS/$a.key" ] || $A key generate --as $a >/dev/null; done
$A actor add maria --name Maria --role marketing --as rita --ledger "$L" >/dev/null
$A actor add sam --name Sam --role sales --as rita --ledger "$L" >/dev/null
for i in $(seq 1 20); do $A definition propose mql --title "v$i" --fit "employees>=$i" --as maria --ledger "$L" >/dev/null; done
for i in $(seq 1 20); do
  s=$(now); $A definition sign-off mql "$i" --as sam --ledger "$L" >/dev/null; e=$(now); echo $((e - s))
done | median > "$W/signoff"
echo "sign-off latency, process start to exit (median of 20): $(ms "$(cat "$W/signoff")") ms   (target < 25 ms)"

# The median of 3 timed `apply FILE` runs, each on a fresh ledger with maria (marketing) and sam (sales) and SETUP applied.
apply_median() {
  local setup=$1 file=$2 r L s e
  for r in 1 2 3; do
    L="$W/apply-run$r.ledger"
    $A init --ledger "$L" --admin rita --name Rita >/dev/null
    $A actor add maria --name Maria --role marketing --as rita --ledger "$L" >/dev/null
    $A actor add sam --name Sam --role sales --as rita --ledger "$L" >/dev/null
    $A apply "$setup" --ledger "$L" >/dev/null
    s=$(now); $A apply "$file" --ledger "$L" >/dev/null; e=$(now); echo $((e - s)); rm -rf "$L"
  done | median
}

# 2. apply of 100,000 commands in one file, 3 runs on fresh ledgers.
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
with open(f"{w}/setup.jsonl", "w") as f:
    f.write(json.dumps({"command": "definition.propose", "as": "maria", "args": {"id": "mql", "title": "t", "fit": ["employees>=200"]}}) + "\n")
    f.write(json.dumps({"command": "definition.sign-off", "as": "sam", "args": {"id": "mql", "version": 1}}) + "\n")
    f.write(json.dumps({"command": "definition.activate", "as": "maria", "args": {"id": "mql", "version": 1}}) + "\n")
with open(f"{w}/100k.jsonl", "w") as f:
    for i in range(50000):
        f.write(json.dumps({"command": "lead.handoff", "as": "maria", "args": {"id": f"L-{i}", "definition": "mql", "profile": {"company": f"C{i}", "employees": "300"}, "signal": [{"name": "webinar.attended", "at": "2026-01-30T00:00:00Z"}]}}) + "\n")
        f.write(json.dumps({"command": "lead.accept", "as": "sam", "args": {"id": f"L-{i}"}}) + "\n")
PY
apply_median "$W/setup.jsonl" "$W/100k.jsonl" > "$W/apply"
echo "apply of 100,000 commands, end to end (median of 3): $(ms "$(cat "$W/apply")") ms = $(awk -v ns="$(cat "$W/apply")" 'BEGIN{printf "%.0f", 100000/(ns/1e9)}') commands/s   (target >= 50,000)"

# 2b. apply of 200,000 handoffs, each evaluated against a definition of two fit criteria and one engagement criterion
# (3 profile fields and 1 signal each, all qualified), 3 runs on fresh ledgers; and the evaluation's own cost, measured
# by align-bench in the same run, as a share of the apply.
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
with open(f"{w}/setup-eval.jsonl", "w") as f:
    f.write(json.dumps({"command": "definition.propose", "as": "maria", "args": {"id": "mql", "title": "t", "fit": ["employees>=200", "industry in [saas,fintech]"], "engagement": "webinar.attended>=1 within 30d"}}) + "\n")
    f.write(json.dumps({"command": "definition.sign-off", "as": "sam", "args": {"id": "mql", "version": 1}}) + "\n")
    f.write(json.dumps({"command": "definition.activate", "as": "maria", "args": {"id": "mql", "version": 1}}) + "\n")
with open(f"{w}/200k.jsonl", "w") as f:
    for i in range(200000):
        f.write(json.dumps({"command": "lead.handoff", "as": "maria", "args": {"id": f"L-{i}", "definition": "mql", "profile": {"company": f"C{i}", "employees": str(200 + i % 5000), "industry": "saas" if i % 2 else "fintech"}, "signal": [{"name": "webinar.attended", "at": "2026-12-01T00:00:00Z"}]}}) + "\n")
PY
apply_median "$W/setup-eval.jsonl" "$W/200k.jsonl" > "$W/apply-eval"
ev=$("$BENCH" criteria)
echo "apply of 200,000 evaluated handoffs, end to end (median of 3): $(ms "$(cat "$W/apply-eval")") ms = $(awk -v ns="$(cat "$W/apply-eval")" 'BEGIN{printf "%.0f", 200000/(ns/1e9)}') commands/s   (target >= 50,000)"
echo "  the evaluation: $(awk -v e="$ev" 'BEGIN{printf "%.2f", e}') µs a handoff = $(awk -v e="$ev" -v ns="$(cat "$W/apply-eval")" 'BEGIN{printf "%.1f", 100 * e * 200000 / (ns / 1e3)}')% of the apply"
# Where a command's time goes, through the service in one process (100,000 of the same handoffs): signed as `init`
# makes ledgers, unsigned, and one Ed25519 signature alone. Each signature binds the chain hash before it, so the
# signatures of a file are made one after another: 1 / (signature) is the ceiling of any signed apply.
read -r fs fu fsig <<< "$("$BENCH" apply-floor "$W")"
echo "  in process: signed $(awk -v a="$fs" 'BEGIN{printf "%.1f", a}') µs a command ($(awk -v a="$fs" 'BEGIN{printf "%.0f", 1e6/a}')/s), unsigned $(awk -v a="$fu" 'BEGIN{printf "%.1f", a}') µs ($(awk -v a="$fu" 'BEGIN{printf "%.0f", 1e6/a}')/s), one Ed25519 signature $(awk -v a="$fsig" 'BEGIN{printf "%.1f", a}') µs"
echo "  ceiling of a signed apply, signatures alone one after another: $(awk -v a="$fsig" 'BEGIN{printf "%.0f", 1e6/a}') commands/s; with the unsigned work beside them, serial: $(awk -v a="$fsig" -v u="$fu" 'BEGIN{printf "%.0f", 1e6/(a+u)}')/s"

# 3. Read side at a small and a big ledger (the demo's realistic quarter).
for size in small big; do
  leads=$SMALL_LEADS; [ $size = big ] && leads=$BIG_LEADS
  L="$W/$size.ledger"
  $A demo --ledger "$L" --leads "$leads" --keys "$ALIGN_KEYS" >/dev/null
  n=$($A stats --json --ledger "$L" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
  echo
  echo "ledger with $n events ($leads leads):"
  for i in 1 2 3 4 5; do s=$(now); $A projections rebuild --ledger "$L" >/dev/null; e=$(now); echo $((e - s)); done > "$W/rb"
  rb=$(median < "$W/rb")
  echo "  projections rebuild (median of 5): $(ms "$rb") ms = $(awk -v n="$n" -v ns="$rb" 'BEGIN{printf "%.0f", n/(ns/1e9)}') events/s   (target >= 500,000); runs: $(tr '\n' ' ' < "$W/rb" | awk '{for(i=1;i<=NF;i++) printf "%.0f ", $i/1e6}')ms"
  for i in $(seq 1 20); do s=$(now); $A audit who-approved mql --at 2026-05-01 --ledger "$L" >/dev/null; e=$(now); echo $((e - s)); done | median > "$W/who"
  echo "  audit who-approved, end to end (median of 20): $(ms "$(cat "$W/who")") ms   (target < 25 ms)"
  for i in $(seq 1 20); do $A audit who-approved mql --at 2026-05-01 --json --ledger "$L" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queryMicroseconds"])'; done | median > "$W/whoq"
  echo "  audit who-approved, in-process query (median of 20): $(cat "$W/whoq") µs   (within 3x of the small ledger's)"
  for i in $(seq 1 10); do s=$(now); $A scorecard --ledger "$L" >/dev/null; e=$(now); echo $((e - s)); done | median > "$W/sc"
  echo "  scorecard, end to end (median of 10): $(ms "$(cat "$W/sc")") ms   (target < 100 ms)"
  /usr/bin/time -f "%e %M" -o "$W/exp" $A export --ledger "$L" --output "$W/out.jsonl" >/dev/null
  read -r secs kb < "$W/exp"
  echo "  export jsonl: ${secs} s = $(awk -v n="$n" -v s="$secs" 'BEGIN{printf "%.0f", n/s}') events/s, peak RSS $((kb / 1024)) MB   (target >= 300,000/s, < 100 MB, flat)"
  rm -f "$W/out.jsonl"
  if [ $size = big ]; then
    # verify of every signed event: its Ed25519 checks run on all cores; the single-core rate measured now beside it.
    $A verify --json --ledger "$L" > "$W/verify.json"
    read -r sign1 check1 <<< "$("$BENCH" ed25519)"
    python3 - "$W/verify.json" "$check1" "$sign1" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); single = 1e6 / float(sys.argv[2])
s = v["signatures"]
print(f"  verify (chain, indexes, signatures): {v['seconds']:.1f} s = {v['events'] / v['seconds']:,.0f} events/s; ok {v['ok']}")
print(f"  signatures: {s['signed']:,} signed by {s['keys']} keys, {s['unsigned']} unsigned")
print(f"  Ed25519 checks on all cores: {s['checksPerSecond']:,.0f}/s; one core: {single:,.0f}/s ({float(sys.argv[2]):.1f} µs a check) = {s['checksPerSecond'] / single:.2f}x   (target >= 1.8x)")
print(f"  signing an event costs {float(sys.argv[3]):.1f} µs on one core")
PY
    floor_ratios "$L"
  fi
done
