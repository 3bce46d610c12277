#!/bin/sh
# run-fuzzers.sh BUILD SECONDS: run every fuzz target in BUILD/fuzz for
# SECONDS each on a copy of its seed corpus; fail on any crash.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/fuzz}
secs=${2:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/sqfuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
found=0
for bin in "$build"/fuzz/*_fuzz; do
    [ -x "$bin" ] || continue
    found=1
    name=$(basename "$bin")
    mkdir -p "$work/$name"
    [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/$name/"
    echo "fuzz: $name for ${secs}s"
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$work/" "$work/$name" >"$work/$name.log" 2>&1 || {
        tail -50 "$work/$name.log" >&2
        echo "fuzz: $name FAILED" >&2
        exit 1
    }
    grep -E '^(#[0-9]+.*DONE|Done)' "$work/$name.log" | tail -1 || true
done
[ "$found" -eq 1 ] || { echo "fuzz: no targets in $build/fuzz" >&2; exit 1; }
