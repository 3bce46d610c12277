#!/bin/sh
# lint.sh: cppcheck and clang-tidy on the compile database of a build
# (default build/dev), warnings as errors.  Usage: scripts/lint.sh [BUILD]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build/dev}
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "lint: no $db (build first)" >&2; exit 2; }
cppcheck --project="$db" --error-exitcode=1 --quiet \
    --enable=warning,portability,performance --inline-suppr \
    --suppress=missingIncludeSystem --suppress=unmatchedSuppression \
    -i tests/unit -i "$build"
echo "lint: cppcheck clean"
files=$(git ls-files 'src/*.c')
log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0
# shellcheck disable=SC2086
clang-tidy -p "$build" --quiet --warnings-as-errors='*' $files >"$log" 2>&1 || rc=$?
grep -v 'warnings generated' "$log" || true
[ "$rc" -eq 0 ] || { echo "lint: clang-tidy failed" >&2; exit 1; }
echo "lint: clang-tidy clean"
