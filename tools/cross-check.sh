#!/usr/bin/env bash
# Cross-check: the Python analytics kit, reading only an export, must compute the same scorecard as
# `align scorecard --json` on the same ledger, for every period kind. Also draws the trend PNG.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build-venv-analytics
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r tools/requirements.txt
swift build --product align >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./.build/debug/align demo --ledger "$work/demo.ledger" --leads 1500 --seed 11 >/dev/null
./.build/debug/align export --ledger "$work/demo.ledger" --output "$work/events.jsonl"
for period in week month quarter; do
  ./.build/debug/align scorecard --ledger "$work/demo.ledger" --period "$period" --json > "$work/scorecard-$period.json"
  "$VENV/bin/python" tools/indicators.py "$work/events.jsonl" --period "$period" --compare "$work/scorecard-$period.json"
done
"$VENV/bin/python" tools/plot_trend.py "$work/events.jsonl" --output "$work/trend.png"
