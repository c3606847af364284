#!/usr/bin/env bash
# Validates the HTTP API's OpenAPI 3.1 document (schemas/openapi.json) with an off-the-shelf validator
# (openapi-spec-validator, pinned, in a venv of its own), that the copy the server embeds is current, and that what
# `align serve` really answers conforms to it (tools/check-api-responses.py, with openapi-core: needs the debug build
# of `align` that `make test` leaves; the answers are kept in ci-artifacts/api-responses/).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build-venv-openapi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q -r tools/requirements-apicheck.txt
"$VENV/bin/python" -m openapi_spec_validator schemas/openapi.json
before=$(sha256sum Sources/AlignServer/OpenAPIDocument.swift)
python3 tools/gen-openapi-swift.py >/dev/null
[ "$before" = "$(sha256sum Sources/AlignServer/OpenAPIDocument.swift)" ] || {
  echo "Sources/AlignServer/OpenAPIDocument.swift was stale: regenerated it (commit it)" >&2; exit 1; }
[ -x .build/debug/align ] || swift build --product align >/dev/null
"$VENV/bin/python" tools/check-api-responses.py --align .build/debug/align
