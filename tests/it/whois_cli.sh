#!/bin/sh
# whois_cli.sh - `squeaky whois` end to end against real local servers
# (RDAP over HTTP, whois on a TCP port, DNS from nsd), all on 127.0.0.1:
# every labelled corpus case (--response and live), the cache (one query
# per covering prefix), budgets and 429, a blocked registry, a server that
# never answers, a huge answer, the DNS sources, overrides, and bad input.
set -u
: "${SQUEAKY:?}" "${SRCDIR:?}"
CORPORA=${CORPORA:-$SRCDIR/../shared/corpora}
if [ ! -d "$CORPORA/whois" ]; then
    # every live case replays recorded registry answers from the corpus
    echo "whois_cli: SKIP: $CORPORA/whois absent (recorded answers)"
    exit 77
fi
. "$SRCDIR/tests/servers/start-all.sh"
sq_servers_start
rc=$?
[ "$rc" -eq 77 ] && { echo "whois_cli: SKIP: servers unavailable"; exit 77; }
[ "$rc" -eq 0 ] || exit 1
trap sq_servers_stop EXIT INT TERM

fail=0
t=$(mktemp -d)
export XDG_DATA_HOME="$t/data" XDG_CONFIG_HOME="$t/config"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
ok() { echo "ok - $1"; }
no() { echo "FAIL - $1"; fail=1; }
U=$SQ_TEST_RDAP_URL
RDAP="arin=$U/arin/ ripencc=$U/ripe/ apnic=$U/apnic/ lacnic=$U/lacnic/ afrinic=$U/afrinic/"
sq() { "$SQUEAKY" whois --rdap-servers "$RDAP" --whois-servers "*=$SQ_TEST_WHOIS" \
    --dns-servers "$SQ_TEST_DNS" --lookup-timeout 3000 "$@"; }
reqs() { wc -l < "$SQ_TEST_RDAP_LOG" | tr -d ' '; }

# 1. every labelled response, both ways
if python3 "$SRCDIR/tests/it/whois_labels.py" "$SQUEAKY" "$CORPORA/whois"; then
    ok "labelled corpus (response + live)"
else
    no "labelled corpus"
fi

# 2. the cache: 200 addresses in two covering prefixes → 2 RDAP queries
: > "$SQ_TEST_RDAP_LOG"
i=0
: > "$t/ips"
while [ $i -lt 100 ]; do
    echo "74.125.$((i % 256)).$((i % 200 + 1))" >> "$t/ips"
    echo "62.239.237.$((i + 1))" >> "$t/ips"
    i=$((i + 1))
done
sq --json --no-dns --store "sqlite:$t/s.db" --jobs 8 - < "$t/ips" > "$t/out" 2>"$t/err"
n=$(reqs)
[ "$n" -eq 2 ] && ok "200 addresses, 2 prefixes: $n RDAP queries" ||
    no "200 addresses, 2 prefixes: $n RDAP queries (want 2)"
lines=$(wc -l < "$t/out" | tr -d ' ')
[ "$lines" -eq 200 ] && ok "one answer per line" || no "$lines answers for 200 lines"
first=$(head -1 "$t/out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["query"])')
[ "$first" = "74.125.0.1" ] && ok "answers in input order" || no "first answer is for $first"
: > "$SQ_TEST_RDAP_LOG"
sq --json --no-dns --store "sqlite:$t/s.db" 74.125.9.9 > "$t/out"
grep -q '"cached":true' "$t/out" && [ "$(reqs)" -eq 0 ] && ok "second run from the cache" ||
    no "second run not from the cache"

# 3. 429 with Retry-After: the registry is left alone, no whois cascade
: > "$SQ_TEST_RDAP_LOG"
: > "$SQ_TEST_WHOIS_LOG"
"$SQUEAKY" whois --json --no-dns --no-cache --rdap-servers "arin=$U/status/429/" \
    --whois-servers "*=$SQ_TEST_WHOIS" 74.125.1.1 > "$t/out" 2>&1
st=$?
w=$(wc -l < "$SQ_TEST_WHOIS_LOG" | tr -d ' ')
[ "$st" -eq 1 ] && [ "$w" -eq 0 ] && grep -q '429' "$t/out" &&
    ok "429: exit 1, a note, no whois query" || no "429: exit $st, $w whois queries"

# 3b. a failed answer is not cached: the next run asks again
"$SQUEAKY" whois --json --no-dns --store "sqlite:$t/f.db" \
    --rdap-servers "arin=$U/status/503/" --whois-servers "*=127.0.0.1:9" \
    74.125.3.3 > /dev/null 2>&1
: > "$SQ_TEST_RDAP_LOG"
sq --json --no-dns --store "sqlite:$t/f.db" 74.125.3.3 > "$t/out" 2>&1
[ "$(reqs)" -eq 1 ] && grep -q '"cached":false' "$t/out" &&
    grep -q 'arin-contact@google.com' "$t/out" &&
    ok "a failed lookup is not cached" || no "a failed lookup was cached"

# 4. a server that never answers: bounded by lookup_timeout
start=$(date +%s)
"$SQUEAKY" whois --json --no-dns --no-cache --lookup-timeout 1000 \
    --rdap-servers "arin=$U/slow/" --whois-servers "*=127.0.0.1:9" 74.125.1.1 > "$t/out" 2>&1
end=$(date +%s)
[ $((end - start)) -le 6 ] && ok "slow server: gave up after $((end - start)) s" ||
    no "slow server took $((end - start)) s"

# 5. a 1 GiB answer: refused at max_response_bytes, quickly
start=$(date +%s)
"$SQUEAKY" whois --json --no-dns --no-cache --max-response-bytes 100000 \
    --rdap-servers "arin=$U/huge/" --whois-servers "*=127.0.0.1:9" 74.125.1.1 > "$t/out" 2>&1
end=$(date +%s)
grep -q 'max_response_bytes' "$t/out" && [ $((end - start)) -le 10 ] &&
    ok "huge answer refused" || no "huge answer: $(head -c 300 "$t/out")"

# 6. DNS sources: origin AS, AS name, upstream candidates, Abusix
sq --json --no-cache 74.125.225.229 > "$t/out" 2>&1
python3 - "$t/out" <<'PY' && ok "DNS: origin AS15169 with name and upstreams" || no "DNS origin"
import json, sys
o = json.load(open(sys.argv[1]))
a = o["origin_as"]
assert a and a["number"] == 15169 and a["name"], a
assert o["upstreams"], o["upstreams"]
PY

# 7. overrides: a network that does not accept reports, an AS contact
mkdir -p "$XDG_CONFIG_HOME/squeaky"
printf '74.125.0.0/16  abuse-desk@override.example  agreed by mail\n62.239.237.0/24 none\n' \
    > "$XDG_CONFIG_HOME/squeaky/overrides"
: > "$SQ_TEST_RDAP_LOG"
sq --json --no-dns --no-cache 74.125.1.1 > "$t/out"
grep -q '"email":"abuse-desk@override.example","role":"abuse","source":"override"' "$t/out" &&
    [ "$(reqs)" -eq 0 ] && ok "override contact, no registry query" || no "override contact"
sq --json --no-dns --no-cache 62.239.237.1 > "$t/out"
st=$?
[ "$st" -eq 1 ] && grep -q 'does not accept reports' "$t/out" &&
    ok "override: does not accept reports" || no "override none (exit $st)"
rm -f "$XDG_CONFIG_HOME/squeaky/overrides"

# 8. bad input: one line, exit 2, nothing crashes
"$SQUEAKY" whois 'not a query!' > "$t/out" 2> "$t/err"
st=$?
[ "$st" -eq 2 ] && [ "$(wc -l < "$t/err")" -eq 1 ] && ok "bad query: exit 2, one line" ||
    no "bad query: exit $st"
printf '{"objectClassName": "ip network", "entities": [' > "$t/bad.json"
"$SQUEAKY" whois --response "$t/bad.json" > "$t/out" 2> "$t/err"
st=$?
[ "$st" -eq 2 ] && [ "$(wc -l < "$t/err")" -eq 1 ] && ok "truncated JSON: exit 2, one line" ||
    no "truncated JSON: exit $st"
printf '74.125.1.1\nnot@valid@query\n62.239.237.9\n' |
    sq --json --no-dns --no-cache - > "$t/out" 2>/dev/null
st=$?
[ "$st" -eq 2 ] && [ "$(wc -l < "$t/out")" -eq 3 ] && sed -n 2p "$t/out" | grep -q '"error"' &&
    ok "batch: a bad line gives an error object, exit 2" || no "batch with a bad line: exit $st"

# 9. URLs: userinfo is not the host; the hosting networks are answered
sq --json --no-cache 'http://paypal.com@www.example-hosting.test/login' > "$t/out" 2>&1
grep -q '"query":"http' "$t/out" && ! grep -q 'paypal' "$t/out" &&
    ok "URL userinfo ignored" || no "URL userinfo: $(head -c 300 "$t/out")"
python3 - "$t/out" <<'PY' && ok "URL: hosting networks of every address" || no "URL hosts"
import json, sys
o = json.load(open(sys.argv[1]))
hosts = {h["query"]: h for h in o["hosts"]}
assert set(hosts) == {"74.125.225.229", "62.239.237.1", "2001:db8::10"}, hosts
assert hosts["74.125.225.229"]["contacts"][0]["email"] == "arin-contact@google.com"
assert hosts["62.239.237.1"]["network"]["name"] == "BT-CORPORATE"
assert not hosts["2001:db8::10"]["contacts"]
PY

# 10. Abusix when the registry has no abuse contact (AFRINIC remarks only)
sq --json --no-cache 196.11.240.215 > "$t/out" 2>&1
python3 - "$t/out" <<'PY' && ok "Abusix fills a missing abuse contact" || no "Abusix"
import json, sys
c = json.load(open(sys.argv[1]))["contacts"][0]
assert c["email"] == "abuse@mtnbusiness.co.za" and c["source"] == "dns-abusix", c
assert not c["fallback"]
PY

# 11. documentation, private and loopback addresses: nobody is asked
: > "$SQ_TEST_RDAP_LOG"
: > "$SQ_TEST_WHOIS_LOG"
sq --json --no-cache 192.0.2.1 10.1.2.3 ::1 > "$t/out" 2>&1
st=$?
[ "$st" -eq 1 ] && [ "$(reqs)" -eq 0 ] && [ "$(wc -l < "$SQ_TEST_WHOIS_LOG")" -eq 0 ] &&
    [ "$(grep -c 'reserved address' "$t/out")" -eq 3 ] &&
    ok "reserved addresses: no query, a note" || no "reserved addresses (exit $st)"

# 12. an endless whois referral loop ends at the loop check
: > "$SQ_TEST_WHOIS_LOG"
start=$(date +%s)
"$SQUEAKY" whois --json --no-dns --no-cache --rdap-servers "*=http://127.0.0.1:9/" \
    --whois-servers "*=$SQ_TEST_WHOIS" 45.45.45.1 > "$t/out" 2>&1
end=$(date +%s)
w=$(wc -l < "$SQ_TEST_WHOIS_LOG" | tr -d ' ')
grep -q 'loop' "$t/out" && [ "$w" -le 3 ] && [ $((end - start)) -le 5 ] &&
    ok "referral loop stopped after $w queries" || no "referral loop: $w queries"

# 13. "you are blocked": the registry is left alone, also in the next run
"$SQUEAKY" whois --json --no-dns --store "sqlite:$t/b.db" --rdap-servers "*=http://127.0.0.1:9/" \
    --whois-servers "*=$SQ_TEST_WHOIS" 45.45.46.1 > "$t/out" 2>&1
: > "$SQ_TEST_WHOIS_LOG"
"$SQUEAKY" whois --json --no-dns --store "sqlite:$t/b.db" --rdap-servers "*=http://127.0.0.1:9/" \
    --whois-servers "*=$SQ_TEST_WHOIS" 45.45.46.2 > "$t/out2" 2>&1
grep -q 'blocked' "$t/out" && grep -q 'blocked us earlier' "$t/out2" &&
    [ "$(wc -l < "$SQ_TEST_WHOIS_LOG")" -eq 0 ] &&
    ok "blocked registry left alone across runs" || no "blocked: $(cat "$t/out2")"

# 14. squeaky update: bootstrap files replaced atomically, bad ones refused
"$SQUEAKY" update --url "$U/boot/" 2> "$t/err"
st=$?
[ "$st" -eq 0 ] && [ -s "$XDG_DATA_HOME/squeaky/rdap/ipv4.json" ] &&
    [ -s "$XDG_DATA_HOME/squeaky/rdap/asn.json" ] &&
    ok "update: bootstrap files in place" || no "update: exit $st $(cat "$t/err")"
sum=$(cat "$XDG_DATA_HOME/squeaky/rdap/ipv4.json" | cksum)
"$SQUEAKY" update --url "$U/badboot/" 2> "$t/err"
st=$?
[ "$st" -ne 0 ] && [ "$(wc -l < "$t/err")" -eq 1 ] &&
    [ "$(cat "$XDG_DATA_HOME/squeaky/rdap/ipv4.json" | cksum)" = "$sum" ] &&
    ok "update: a broken file changes nothing" || no "update with a broken file: exit $st"
sq --json --no-dns --no-cache 74.125.225.229 > "$t/out" 2>&1
grep -q 'arin-contact@google.com' "$t/out" && ok "lookups after update" ||
    no "lookup after update: $(head -c 300 "$t/out")"

rm -rf "$t"
exit $fail
