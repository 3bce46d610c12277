#!/bin/sh
# tables_bad_line.sh: the table generator (tools/gen-tables.c) must stop
# the build on a bad line of a data/ list with "FILE:LINE: message",
# report every bad line, and write no output; the real lists must pass.
set -eu
: "${SRCDIR:?}"
gen="${SQ_GEN_TABLES:-$(dirname "${SQUEAKY:?}")/sq-gen-tables}"
[ -x "$gen" ] || { echo "tables_bad_line: no generator at $gen" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "tables_bad_line: $*" >&2; exit 1; }

# 1. The lists in the tree generate tables.
"$gen" -o "$tmp/ok.inc" \
    --ipv4 "$SRCDIR/data/delegation-ipv4.list" \
    --ipv6 "$SRCDIR/data/delegation-ipv6.list" \
    --asn "$SRCDIR/data/delegation-asn.list" \
    --dns "$SRCDIR/data/rdap-dns.list" \
    --placeholders "$SRCDIR/data/placeholders.list" ||
    fail "the real lists were rejected"
grep -q 'WT_V4_TAB_COUNT = 221' "$tmp/ok.inc" || fail "IPv4 table size"

# 2. One bad line of each kind; every one is reported with its line.
cat > "$tmp/v4.list" <<'LIST'
# header
1.0.0.0/8   apnic
3.0.0.0/8   nosuch
2.0.0.0/8   ripencc
4.0.0.1/8   arin
5.0.0.0/33  arin
300.0.0.0/8 arin
6.0.0.0/8
1.128.0.0/9 apnic
LIST
if "$gen" -o "$tmp/bad.inc" --ipv4 "$tmp/v4.list" 2> "$tmp/err"; then
    fail "a bad IPv4 list was accepted"
fi
for want in \
    "$tmp/v4.list:3: unknown registry 'nosuch'" \
    "$tmp/v4.list:5: host bits set after the prefix length: '4.0.0.1/8'" \
    "$tmp/v4.list:6: bad prefix length: '5.0.0.0/33'" \
    "$tmp/v4.list:7: bad IPv4 address: '300.0.0.0/8'" \
    "$tmp/v4.list:8: expected 2 fields" \
    "$tmp/v4.list:9: not sorted: comes before line 4"; do
    grep -qF "$want" "$tmp/err" || { cat "$tmp/err" >&2; fail "missing: $want"; }
done
[ ! -e "$tmp/bad.inc" ] || fail "output written despite errors"

printf '1-100 arin\n50-200 ripencc\n300-299 arin\n' > "$tmp/asn.list"
printf '2001:db8::/32 arin\n2001:db8:1::/48 arin\nzz::/16 arin\n' > "$tmp/v6.list"
printf 'Hostmaster@x.example\n@*\nabuse@ok.example\nabuse@ok.example\n' \
    > "$tmp/ph.list"
printf 'com https://rdap.example/\nbad_tld https://x.example/\nnet http://x.example/\n' \
    > "$tmp/dns.list"
if "$gen" -o "$tmp/bad.inc" --asn "$tmp/asn.list" --ipv6 "$tmp/v6.list" \
    --placeholders "$tmp/ph.list" --dns "$tmp/dns.list" 2> "$tmp/err"; then
    fail "bad lists were accepted"
fi
for want in \
    "$tmp/asn.list:2: overlaps line 1" \
    "$tmp/asn.list:3: range ends before it starts" \
    "$tmp/v6.list:2: overlaps line 1" \
    "$tmp/v6.list:3: bad IPv6 address" \
    "$tmp/ph.list:1: address must be lower case" \
    "$tmp/ph.list:2: '@*' would match every address" \
    "$tmp/ph.list:4: duplicate of line 3" \
    "$tmp/dns.list:2: bad character in domain" \
    "$tmp/dns.list:3: expected an https:// URL"; do
    grep -qF "$want" "$tmp/err" || { cat "$tmp/err" >&2; fail "missing: $want"; }
done
[ ! -e "$tmp/bad.inc" ] || fail "output written despite errors"
echo "tables_bad_line: ok"
