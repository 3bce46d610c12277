#!/bin/sh
# db_cli.sh - `squeaky db build|import|info|lookup` and `whois --offline`
# on a small hand-made ip-location-db style CSV: answers, input order,
# error objects, exit codes, a corrupt database, the remembered imports.
set -u
: "${SQUEAKY:?}"
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/data" XDG_CONFIG_HOME="$t/config"
fail=0
ok() { echo "ok - $1"; }
no() { echo "FAIL - $1"; fail=1; }

cat > "$t/asn-ipv4.csv" <<'CSV'
1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."
1.0.4.0,1.0.7.255,38803,Gtelecom Pty Ltd
8.8.8.0,8.8.8.255,15169,Google LLC
10.0.0.1,10.0.0.6,64500,"Odd ""Range"" Net"
CSV
cat > "$t/asn-ipv6.csv" <<'CSV'
2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC
CSV

"$SQUEAKY" db build --quiet --db "$t/p.db" --format ip-location-db \
    "$t/asn-ipv4.csv" "$t/asn-ipv6.csv" && [ -s "$t/p.db" ] &&
    ok "build" || no "build"
[ ! -e "$t/p.db.tmp" ] && ok "no temporary file left" || no "p.db.tmp left"

out=$("$SQUEAKY" db lookup --quiet --db "$t/p.db" 1.0.5.9)
[ "$out" = "$(printf '1.0.5.9\t1.0.4.0/22\tAS38803\tGtelecom Pty Ltd\tip-location-db')" ] &&
    ok "lookup: text" || no "lookup text: $out"

printf '8.8.8.8\nnot-an-ip\n2001:4860::1\n9.9.9.9\n10.0.0.5\n' |
    "$SQUEAKY" db lookup --json --db "$t/p.db" - > "$t/out"
st=$?
python3 - "$t/out" <<'PY' && ok "lookup -: JSON in input order" || no "lookup - JSON"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["ip"] for r in rows] == ["8.8.8.8", "not-an-ip", "2001:4860::1",
                                   "9.9.9.9", "10.0.0.5"], rows
assert rows[0]["asn"] == 15169 and rows[0]["prefix"] == "8.8.8.0/24"
assert "error" in rows[1] and "asn" not in rows[1]
assert rows[2]["prefix"] == "2001:4860::/32" and rows[2]["as_name"] == "Google LLC"
assert rows[3]["prefix"] is None and rows[3]["asn"] is None
assert rows[4]["asn"] == 64500 and rows[4]["prefix"] == "10.0.0.4/31", rows[4]
assert rows[4]["as_name"] == 'Odd "Range" Net'
assert all(r.get("source") in ("ip-location-db", None) for r in rows)
PY
[ "$st" -eq 2 ] && ok "a bad line: exit 2" || no "bad line exit $st"

"$SQUEAKY" db info --json --db "$t/p.db" > "$t/info"
python3 - "$t/info" <<'PY' && ok "info" || no "info: $(cat "$t/info")"
import json, sys
i = json.load(open(sys.argv[1]))
assert i["prefixes_ipv6"] == 1 and i["prefixes_ipv4"] >= 6, i
assert i["sources"][0]["name"] == "ip-location-db" and i["sources"][0]["attribution"]
assert len(i["sources"]) == 1, i["sources"]  # both CSVs are one source
PY

# a corrupt, a truncated and a foreign file: one line, exit 2
head -c 100 "$t/p.db" > "$t/trunc.db"
printf 'hello, not a database\n' > "$t/foreign.db"
cp "$t/p.db" "$t/flip.db"
printf 'X' | dd of="$t/flip.db" bs=1 seek=200 conv=notrunc 2>/dev/null
for f in trunc foreign flip; do
    "$SQUEAKY" db lookup --db "$t/$f.db" 8.8.8.8 > /dev/null 2> "$t/err"
    st=$?
    [ "$st" -eq 2 ] && [ "$(wc -l < "$t/err")" -eq 1 ] && ok "$f database: one line, exit 2" ||
        no "$f database: exit $st: $(cat "$t/err")"
done
"$SQUEAKY" db lookup --db "$t/none.db" 8.8.8.8 > /dev/null 2>&1
[ $? -eq 2 ] && ok "missing database: exit 2" || no "missing database"

# import remembers its files and builds the default database
"$SQUEAKY" db import --quiet --format ip-location-db "$t/asn-ipv4.csv" &&
    "$SQUEAKY" db import --quiet --format ip-location-db "$t/asn-ipv6.csv" &&
    [ -s "$XDG_DATA_HOME/squeaky/prefix.db" ] &&
    [ "$(wc -l < "$XDG_DATA_HOME/squeaky/prefixdb.sources")" -eq 2 ] &&
    ok "import: remembered, default database built" || no "import"
out=$("$SQUEAKY" db lookup --quiet 2001:4860:1::1 8.8.8.8 | cut -f3 | tr '\n' ' ')
[ "$out" = "AS15169 AS15169 " ] && ok "default database has both imports" ||
    no "default database: $out"

# whois --offline answers from it, with no network
"$SQUEAKY" whois --offline --json 8.8.8.8 > "$t/w" 2>/dev/null
python3 - "$t/w" <<'PY' && ok "whois --offline: origin AS and prefix" || no "whois --offline: $(cat "$t/w")"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["origin_as"]["number"] == 15169 and o["origin_as"]["name"] == "Google LLC"
assert o["network"]["range"] == ["8.8.8.0/24"]
assert any("ip-location-db" in w for w in o["warnings"])
PY

"$SQUEAKY" db frobnicate > /dev/null 2>&1
[ $? -eq 2 ] && ok "unknown subcommand: exit 2" || no "unknown subcommand"
"$SQUEAKY" db build --format nosuch "$t/asn-ipv4.csv" > /dev/null 2>&1
[ $? -eq 2 ] && ok "unknown format: exit 2" || no "unknown format"
exit $fail
