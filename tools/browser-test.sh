#!/usr/bin/env bash
# The browser tests of `align serve` (tools/browser_test.py), with what they need installed first:
# Debian's `chromium` (apt-get, when /usr/bin/chromium is missing) and a venv with Playwright for Python pinned in
# tools/requirements-browser.txt (.build-venv-browser). Playwright cannot download its own browsers here, so the
# test launches /usr/bin/chromium. Builds the debug `align` when ALIGN_BIN does not name one.
#
#   tools/browser-test.sh                      # all the tests; screenshots in ci-artifacts/screenshots
#   tools/browser-test.sh --only webcrypto     # arguments go to tools/browser_test.py (--help, --list, --keep)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

if [ ! -x /usr/bin/chromium ]; then
  echo "browser-test: installing Debian's chromium with apt-get"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
VENV=.build-venv-browser
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check -r tools/requirements-browser.txt

ALIGN_BIN=${ALIGN_BIN:-}
if [ -z "$ALIGN_BIN" ]; then
  mkdir -p ci-artifacts
  swift build --product align >ci-artifacts/build-align.log 2>&1 || { tail -n 40 ci-artifacts/build-align.log; exit 1; }
  ALIGN_BIN=.build/debug/align
fi
mkdir -p ci-artifacts/screenshots && rm -f ci-artifacts/screenshots/*.png
exec "$VENV/bin/python" tools/browser_test.py --align "$ALIGN_BIN" --screenshots ci-artifacts/screenshots "$@"
