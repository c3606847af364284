# Sourced by the command-line benchmarks (tools/bench-cli.sh, tools/bench-import.sh): the binaries they time, a
# temporary folder, and the helpers they share. Run from the repository's root.
#
# A: `align`, a release build with the Swift runtime linked statically (process start drops from ~11 ms to ~6 ms
#    here), or ALIGN=/path/to/align to measure another binary (an installed one, an older build for a before/after).
# BENCH: align-bench (the floors: raw LMDB, CSV.swift alone, Ed25519), as `make bench` builds it.
# W: a temporary folder, removed on exit; ALIGN_KEYS: the actors' keys, inside it (every action is signed).
if [ -z "${ALIGN:-}" ]; then
  swift build -c release --product align --static-swift-stdlib --scratch-path .build-static >/dev/null
fi
A="${ALIGN:-$PWD/.build-static/release/align}"
swift build -c release --product align-bench --scratch-path .build-bench >/dev/null
BENCH="$PWD/.build-bench/release/align-bench"
W=$(mktemp -d "${TMPDIR:-/tmp}/align-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
export ALIGN_KEYS="$W/keys"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns/1e6}'; }
