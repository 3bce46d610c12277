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
# shellcheck disable=SC2086
clang-tidy -p "$build" --quiet --warnings-as-errors='*' $files 2>&1 |
    grep -v 'warnings generated' || true
clang-tidy -p "$build" --quiet --warnings-as-errors='*' $files >/dev/null 2>&1
echo "lint: clang-tidy clean"
