#!/usr/bin/env bash
# Checks the machine contract with an off-the-shelf validator (Python jsonschema, draft 2020-12):
#   1. every line of tools/schema-check-commands.jsonl against schemas/apply-line.schema.json;
#   2. a scripted ledger (`align demo --leads 300`, then that apply file, which adds the event types the demo
#      does not produce) exported with `align log --json`: every envelope against schemas/envelope.schema.json
#      and every payload against schemas/events/<type>.v<schemaVersion>.schema.json, and every event type
#      with a schema must occur.
# Run from anywhere; uses .build-venv (created on first run) and the default .build directory.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.build-venv
COMMANDS=tools/schema-check-commands.jsonl
ALIGN=.build/debug/align

echo "== schema check: Python jsonschema in $VENV"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q jsonschema
PY="$VENV/bin/python"
"$PY" -c 'import importlib.metadata as m; print("jsonschema", m.version("jsonschema"), "/ referencing", m.version("referencing"))'

echo "== building align"
swift build --product align

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LEDGER="$TMP/demo.ledger"

echo "== apply lines: $COMMANDS against schemas/apply-line.schema.json"
"$PY" tools/validate_events.py --apply --quiet "$COMMANDS"

echo "== scripted ledger: align demo --leads 300, then align apply $COMMANDS"
# The cast's keys (and dana's, a test-only fixture) sign every line: the demo ledger requires signatures.
export ALIGN_KEYS="$TMP/keys"
"$ALIGN" demo --ledger "$LEDGER" --leads 300 --keys "$ALIGN_KEYS" >"$TMP/demo.out"
install -m 600 tools/fixtures/dana.key "$ALIGN_KEYS/dana.key"
"$ALIGN" apply "$COMMANDS" --ledger "$LEDGER"
# CRM history: the example exports, imported by rita (lead events with their `source`, flagged handoffs).
"$ALIGN" import salesforce examples/salesforce --mapping examples/salesforce/mapping.json --as rita --ledger "$LEDGER" >/dev/null
"$ALIGN" import hubspot examples/hubspot/contacts.csv --mapping examples/hubspot/mapping.json --as rita --ledger "$LEDGER" >/dev/null
"$ALIGN" verify --ledger "$LEDGER"

echo "== events: align log --json against schemas/envelope.schema.json and schemas/events/*.schema.json"
"$ALIGN" log --json --ledger "$LEDGER" | "$PY" tools/validate_events.py --require-all-types -

echo "== schema check passed"
