#!/usr/bin/env bash
# Cross-check: the Python analytics kit, reading only an export, must compute the same scorecard as
# `align scorecard --json` on the same ledger: every figure, for every period kind, every breakdown, and as of a
# past --until (leads open then, aged then, through the service's replay). Also draws the trend PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build-venv-analytics
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r tools/requirements.txt
swift build --product align >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
align=./.build/debug/align
ledger="$work/demo.ledger"
$align demo --ledger "$ledger" --leads 1500 --seed 11 --keys "$work/keys" >/dev/null
# CRM history beside the demo's own: the example Salesforce export (January, before the ledger: flagged imports).
ALIGN_KEYS="$work/keys" $align import salesforce examples/salesforce --mapping examples/salesforce/mapping.json --as rita \
  --ledger "$ledger" >/dev/null
$align export --ledger "$ledger" --output "$work/events.jsonl"
check() {
  $align scorecard --ledger "$ledger" --json "$@" > "$work/scorecard.json"
  "$VENV/bin/python" tools/indicators.py "$work/events.jsonl" --compare "$work/scorecard.json"
}
for period in week month quarter; do check --period "$period"; done
for by in actor owner campaign definition; do check --by "$by"; done
# Mid-quarter: leads handed off in the last days before are open then, some past the SLA.
check --until 2026-05-15 --by owner
check --since 2026-05-01 --until 2026-06-01T12:00:00Z --period week --by campaign
"$VENV/bin/python" tools/plot_trend.py "$work/events.jsonl" --output "$work/trend.png"
