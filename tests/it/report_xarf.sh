#!/bin/sh
# report_xarf.sh - every report format for the corpus messages and log
# lines (report_build_test --dump), checked by tests/it/report_check.py
# with parsers independent of squeaky: XARF v4 against the schemas
# (jsonschema, local $ids, no network), ARF and X-ARF with Python's
# email package field by field, redaction in every decoded byte.
set -eu
: "${SQUEAKY:?}" "${SRCDIR:?}" "${CORPORA:?}"
schemas="$CORPORA/arf/xarf-spec-v4/schemas/v4"
[ -d "$schemas" ] || { echo "report_xarf: no $schemas (shared corpus absent)"; exit 77; }
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null ||
    { echo "report_xarf: /usr/bin/python3 has no jsonschema"; exit 77; }
bin="$(dirname "$SQUEAKY")/tests/report_build_test"
[ -x "$bin" ] || { echo "report_xarf: no $bin"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" --dump "$dir"
/usr/bin/python3 "$SRCDIR/tests/it/report_check.py" "$dir" "$schemas" \
    "$CORPORA/arf/rfc5965/rfc5965-appendix-b2-example.eml"
