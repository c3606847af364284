#!/usr/bin/env bash
# Validates the HTTP API's OpenAPI 3.1 document (schemas/openapi.json) with an off-the-shelf validator
# (openapi-spec-validator, pinned, in a venv of its own), and that the copy the server embeds is current.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build-venv-openapi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q openapi-spec-validator==0.9.0
"$VENV/bin/python" -m openapi_spec_validator schemas/openapi.json
before=$(sha256sum Sources/AlignServer/OpenAPIDocument.swift)
python3 tools/gen-openapi-swift.py >/dev/null
[ "$before" = "$(sha256sum Sources/AlignServer/OpenAPIDocument.swift)" ] || {
  echo "Sources/AlignServer/OpenAPIDocument.swift was stale: regenerated it (commit it)" >&2; exit 1; }
