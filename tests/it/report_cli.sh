#!/bin/sh
# report_cli.sh - `squeaky report` and `squeaky outbox` end to end: the
# trace, lookups answered by the local RDAP/whois/DNS replay servers, one
# report per abuse desk, URL desks only when confirmed, --output files
# checked by independent parsers (report_cli_check.py: Python's email
# package, jsonschema), redaction of every secret, every corpus message,
# sending through a real OpenSMTPD into a Maildir with the outbox never
# sending the same evidence to the same desk twice, and bad input.
set -u
: "${SQUEAKY:?}" "${SRCDIR:?}"
CORPORA=${CORPORA:-$SRCDIR/../shared/corpora}
if [ ! -d "$CORPORA/whois" ] || [ ! -d "$CORPORA/arf/xarf-spec-v4" ]; then
    echo "report_cli: SKIP: $CORPORA absent (recorded answers, XARF schemas)"
    exit 77
fi
/usr/bin/python3 -c 'import jsonschema, yaml' 2>/dev/null ||
    { echo "report_cli: SKIP: /usr/bin/python3 lacks jsonschema or yaml"; exit 77; }
. "$SRCDIR/tests/servers/start-all.sh"
sq_servers_start
rc=$?
[ "$rc" -eq 77 ] && { echo "report_cli: SKIP: servers unavailable"; exit 77; }
[ "$rc" -eq 0 ] || exit 1
t=$(mktemp -d)
cleanup() { sq_servers_stop; command -v sq_smtp_stop >/dev/null && sq_smtp_stop; rm -rf "$t"; }
trap cleanup EXIT INT TERM

fail=0
export XDG_DATA_HOME="$t/data" XDG_CONFIG_HOME="$t/config"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME/squeaky"
ok() { echo "ok - $1"; }
no() { echo "FAIL - $1"; fail=1; }
D=$SRCDIR/tests/data/report_cli
SCHEMAS=$CORPORA/arf/xarf-spec-v4/schemas/v4
U=$SQ_TEST_RDAP_URL
cat > "$XDG_CONFIG_HOME/squeaky/config" <<EOF
report_from = reports@reporter-org.example
report_org = Reporter Org
redact_hosts = reporter.example
redact_ips = 192.0.2.25
trusted_networks = 192.0.2.0/24
rdap_servers = arin=$U/arin/ ripencc=$U/ripe/ apnic=$U/apnic/ lacnic=$U/lacnic/ afrinic=$U/afrinic/
whois_servers = *=$SQ_TEST_WHOIS
dns_servers = $SQ_TEST_DNS
lookup_timeout = 3000
EOF
SECRETS="alice.secret@reporter.example reporter.example 192.0.2.25"
sq() { "$SQUEAKY" report "$@"; }
check_dir() { /usr/bin/python3 "$SRCDIR/tests/it/report_cli_check.py" "$1" "$SCHEMAS" $SECRETS; }

# 1. preview: both desks shown, nothing written or queued, exit 0
sq "$D/prize.eml" > "$t/out" 2> "$t/err"
st=$?
n=$(grep -c '^== ' "$t/out")
[ "$st" -eq 0 ] && [ "$n" -eq 2 ] && grep -q '^== .*report to zzdnsr@bt.com .* origin 62.239.237.1 - preview' "$t/out" &&
    grep -q '^== .*report to arin-contact@google.com .* url-host 62.239.237.1 - preview' "$t/out" &&
    ok "preview: origin desk (RIPE BT) and URL host desk (ARIN GOOGLE)" ||
    no "preview: exit $st, $n reports: $(cat "$t/out" "$t/err" | head -5)"
if [ -n "$("$SQUEAKY" outbox list 2>&1)" ]; then
    no "preview queued something"
else
    ok "preview queues nothing"
fi

# 2. --json plan: one object per desk, the URL desk needs confirmation
sq --json "$D/prize.eml" > "$t/plan.jsonl" 2>/dev/null
/usr/bin/python3 - "$t/plan.jsonl" <<'EOF' && ok "--json plan" || no "--json plan"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
o, u = rows
assert o["to"] == "zzdnsr@bt.com" and o["reason"] == "origin" and not o["needs_confirmation"], o
assert o["asn"] == "AS2856" and o["source_ip"] == "62.239.237.1", o
assert u["to"] == "arin-contact@google.com" and u["needs_confirmation"], u
assert any("example-hosting.test/claim" in x for x in o["uris"]), o
assert len(o["evidence_sha256"]) == 64 and o["action"] == "preview", o
EOF

# 3. --output without --yes-urls: the origin desk only; with: both
sq --output "$t/o1" "$D/prize.eml" > "$t/out" 2>&1
n=$(ls "$t/o1" | wc -l)
[ "$n" -eq 1 ] && grep -q 'skipped' "$t/out" && ok "--output: URL desk skipped without --yes-urls" ||
    no "--output: $n files: $(cat "$t/out")"
sq --output "$t/o2" --yes-urls "$D/prize.eml" > /dev/null 2>&1
if check_dir "$t/o2" > "$t/check" 2>&1 && [ "$(grep -c '@' "$t/check")" -eq 2 ]; then
    ok "--output --yes-urls: 2 ARF files, RFC 5965 parts, no secret in any decoded byte"
else
    no "ARF output: $(cat "$t/check")"
fi
grep -q 'Reported-URI: http://www.example-hosting.test/claim' "$t"/o2/*zzdnsr* &&
    grep -q '^Source-IP: 62.239.237.1' "$t"/o2/*zzdnsr* && ok "origin report names the URL and source" ||
    no "origin report fields"

# 4. every format
for f in xarf x-arf text; do
    sq --output "$t/f-$f" --yes-urls --format "$f" "$D/prize.eml" > /dev/null 2>&1
    st=$?
    if [ "$st" -eq 0 ] && check_dir "$t/f-$f" > "$t/check" 2>&1; then
        ok "--format $f: $(ls "$t/f-$f" | wc -l) files pass"
    else
        no "--format $f (exit $st): $(cat "$t/check")"
    fi
done
ls "$t/f-xarf" | grep -q '\.json$' && ok "XARF v4 written as .json" || no "XARF file names"

# 5. every corpus message with --to: one report per message with an origin
MSGS="$CORPORA/received/spamassassin/messages/nice $CORPORA/received/spamassassin/messages/spam $CORPORA/received/rspamd/messages"
# shellcheck disable=SC2086
"$SQUEAKY" trace --origin-only $MSGS > "$t/origins" 2>/dev/null
want=$(awk -F'\t' '$2 != "" && $2 != "-"' "$t/origins" | wc -l)
# shellcheck disable=SC2086
sq --to abuse@example.net --output "$t/corpus" $MSGS > "$t/out" 2>&1
got=$(ls "$t/corpus" | wc -l)
if [ "$got" -eq "$want" ] && [ "$want" -gt 20 ] && check_dir "$t/corpus" > "$t/check" 2>&1; then
    ok "corpus: $got reports for $want messages with an origin, all valid ARF"
else
    no "corpus: $got reports, $want messages with an origin: $(tail -3 "$t/check")"
fi

# 5b. the corpus with lookups (most origins are outside the recorded
# answers): every message gives a report or says why not, none is lost
# shellcheck disable=SC2086
sq --json $MSGS > "$t/corpus.jsonl" 2> "$t/err"
st=$?
/usr/bin/python3 - "$t/corpus.jsonl" "$t/origins" <<'EOF' && [ "$st" -eq 1 ] &&
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
msgs = {l.split("\t")[0] for l in open(sys.argv[2])}
seen = {r["message"] for r in rows}
assert seen == msgs, (len(seen), len(msgs))
for r in rows:
    assert ("to" in r) != ("error" in r), r
    if "error" in r and r["error"] == "no abuse desk found":
        assert r["notes"], r
print(sum("to" in r for r in rows), "reports,", sum("error" in r for r in rows), "not reported")
EOF
    ok "corpus with lookups: every message reported or explained (exit 1)" ||
    no "corpus with lookups: exit $st: $(tail -3 "$t/err")"

# 5c. a user template; an unknown variable is refused
printf 'Subject: abuse from {source_ip} ({asn})\n\nHello {network},\nsee attached.\n' > "$t/tpl"
sq --template "$t/tpl" --output "$t/tpl-out" "$D/prize.eml" > /dev/null 2>&1
grep -q '^Subject: abuse from 62.239.237.1 (AS2856)' "$t"/tpl-out/*.eml &&
    grep -q '^Hello AS2856 BT-UK-AS' "$t"/tpl-out/*.eml && ok "--template: variables substituted" ||
    no "--template: $(grep -h '^Subject' "$t"/tpl-out/*.eml)"
printf 'Subject: {nosuch}\n\nbody\n' > "$t/tpl2"
sq --template "$t/tpl2" "$D/prize.eml" > /dev/null 2> "$t/err"
[ $? -eq 2 ] && grep -q 'nosuch' "$t/err" && ok "--template: unknown variable, exit 2" ||
    no "--template unknown variable: $(cat "$t/err")"

# 6. bad input and nothing to report
sq "$D/garbage.bin" > "$t/out" 2> "$t/err"
st=$?
[ "$st" -eq 2 ] && [ "$(wc -l < "$t/err")" -eq 1 ] && ok "garbage: exit 2, one line" ||
    no "garbage: exit $st: $(cat "$t/err")"
sq "$D/no-origin.eml" > "$t/out" 2>&1
st=$?
[ "$st" -eq 1 ] && grep -q 'no external origin' "$t/out" && ok "no origin: exit 1, said so" ||
    no "no origin: exit $st: $(cat "$t/out")"
sq --format pdf "$D/prize.eml" > /dev/null 2> "$t/err"
[ $? -eq 2 ] && ok "unknown format: exit 2" || no "unknown format accepted"
"$SQUEAKY" report --report-from "" "$D/prize.eml" > /dev/null 2> "$t/err"
[ $? -eq 2 ] && grep -q report_from "$t/err" && ok "no reporter address: exit 2" ||
    no "no reporter address"

# 6b. a full disk: every report whole or not at all, exit 3
mkdir -p "$t/full"
if [ "$(id -u)" -eq 0 ] && command -v unshare > /dev/null &&
    unshare -m sh -c "mount -t tmpfs -o size=8k none '$t/full'" 2> /dev/null; then
    unshare -m sh -c "mount -t tmpfs -o size=8k none '$t/full' &&
        '$SQUEAKY' report --to abuse@example.net --output '$t/full/out' \
            '$SRCDIR/examples/spam.mbox' > /dev/null 2> '$t/err'; echo \$? > '$t/rc';
        /usr/bin/python3 '$SRCDIR/tests/it/report_cli_check.py' '$t/full/out' '$SCHEMAS' x@y.invalid > '$t/check' 2>&1;
        echo \$? >> '$t/rc'; ls '$t/full/out' | grep -c tmp >> '$t/rc'"
    if [ "$(tr '\n' ' ' < "$t/rc")" = "3 0 0 " ] && grep -q 'No space left' "$t/err"; then
        ok "full disk: exit 3, the reports written are whole, no temporary left"
    else
        no "full disk: $(tr '\n' ' ' < "$t/rc"): $(head -2 "$t/err") $(tail -2 "$t/check")"
    fi
else
    echo "ok - full disk: SKIP (needs root and unshare -m)"
fi

# 7. --send through a real OpenSMTPD (STARTTLS + AUTH front), twice
. "$SRCDIR/tests/servers/smtp/start.sh"
sq_smtp_start
rc=$?
if [ "$rc" -ne 0 ]; then
    echo "ok - send: SKIP (smtp server: $rc)"
else
    (umask 077 && printf '%s\n' "$SQ_SMTP_PASSWORD" > "$t/smtp-password")
    cat >> "$XDG_CONFIG_HOME/squeaky/config" <<EOF
smtp_url = smtp://127.0.0.1:$SQ_SMTP_PORT
smtp_ca_file = $SQ_SMTP_CA
smtp_user = $SQ_SMTP_USER
smtp_password_file = $t/smtp-password
envelope_sender = bounces+{tag}@reporter-org.example
EOF
    sq --send --yes-urls "$D/prize.eml" > "$t/out" 2> "$t/err"
    st=$?
    n=$(sq_smtp_delivered)
    [ "$st" -eq 0 ] && [ "$n" -eq 2 ] && ok "--send: 2 reports delivered" ||
        no "--send: exit $st, $n delivered: $(cat "$t/err")"
    sq --send --yes-urls "$D/prize.eml" > "$t/out" 2> "$t/err"
    n=$(sq_smtp_delivered)
    [ "$n" -eq 2 ] && [ "$(grep -c 'already-reported' "$t/out")" -eq 2 ] &&
        ok "--send again: already reported, nothing delivered twice" ||
        no "--send again: $n delivered: $(cat "$t/out")"
    mkdir -p "$t/delivered"
    cp "$SQ_SMTP_MAILDIR"/new/* "$t/delivered/" 2>/dev/null
    for f in "$t"/delivered/*; do mv "$f" "$f.eml"; done
    if [ "$(ls "$t/delivered" | wc -l)" -eq 2 ] && check_dir "$t/delivered" > "$t/check" 2>&1; then
        ok "delivered mails parse, no secret"
    else
        no "delivered: $(cat "$t/check")"
    fi
    "$SQUEAKY" outbox list --json > "$t/ob" 2>&1
    [ "$(grep -c '"state":"sent"' "$t/ob")" -eq 2 ] && ok "outbox list: 2 sent" ||
        no "outbox list: $(cat "$t/ob")"
    "$SQUEAKY" outbox show 1 | grep -q '^Subject:' && ok "outbox show" || no "outbox show"
    "$SQUEAKY" outbox cancel 1 > /dev/null 2> "$t/err"
    [ $? -eq 2 ] && grep -q sent "$t/err" && ok "cancel a sent report: exit 2" ||
        no "cancel of a sent report: $(cat "$t/err")"
    "$SQUEAKY" outbox show 99 > /dev/null 2>&1
    [ $? -eq 1 ] && ok "outbox show 99: exit 1" || no "outbox show of a missing id"

    # 8. server unreachable: exit 4, deferred, nothing lost; later sent once
    S2="--store sqlite:$t/s2.db"
    port=$(python3 "$SRCDIR/tests/servers/probe.py" freeport 2>/dev/null || echo 9)
    # shellcheck disable=SC2086
    sq $S2 --send --smtp-url "smtp://127.0.0.1:$port" --smtp-connect-timeout 2 \
        "$D/prize.eml" > "$t/out" 2> "$t/err"
    st=$?
    # shellcheck disable=SC2086
    "$SQUEAKY" outbox $S2 list --json > "$t/ob" 2>&1
    [ "$st" -eq 4 ] && grep -q '"state":"deferred"' "$t/ob" && [ "$(sq_smtp_delivered)" -eq 2 ] &&
        ok "unreachable server: exit 4, report deferred" ||
        no "unreachable server: exit $st: $(cat "$t/err" "$t/ob")"
    # shellcheck disable=SC2086
    "$SQUEAKY" outbox $S2 retry 1 > /dev/null && "$SQUEAKY" outbox $S2 send > "$t/out" 2>&1
    st=$?
    [ "$st" -eq 0 ] && [ "$(sq_smtp_delivered)" -eq 3 ] &&
        ok "retry + send: delivered once" || no "retry + send: exit $st: $(cat "$t/out")"

    # 9. TLS required but the server offers no STARTTLS: refused, deferred
    # shellcheck disable=SC2086
    sq --store "sqlite:$t/s3.db" --send --smtp-url "smtp://127.0.0.1:$SQ_SMTP_PLAIN_PORT" \
        "$D/prize.eml" > "$t/out" 2> "$t/err"
    st=$?
    [ "$st" -eq 4 ] && [ "$(sq_smtp_delivered)" -eq 3 ] &&
        ok "no STARTTLS: exit 4, nothing sent in clear" ||
        no "no STARTTLS: exit $st: $(cat "$t/err")"

    # 10. escalation: 3 reports to BT, the abuse goes on after them (a
    # message received an hour from now), so BT's upstream (AS1299 in the
    # test peer zone; its desk from an overrides file) gets the history
    S4="--store sqlite:$t/s4.db --overrides-file $t/overrides"
    printf 'AS1299 abuse@transit-1299.example\n' > "$t/overrides"
    for i in 1 2 3; do
        sed "s/<prize-1@bad.example>/<prize-e$i@bad.example>/" "$D/prize.eml" > "$t/e$i.eml"
    done
    later=$(date -u -R -d '+1 hour')
    sed -e "s/<prize-1@bad.example>/<prize-e4@bad.example>/" \
        -e "s/Tue, 24 Nov 2026 10:00:0[15] +0100 (CET)/$later/" "$D/prize.eml" > "$t/e4.eml"
    # shellcheck disable=SC2086
    sq $S4 --send "$t/e1.eml" "$t/e2.eml" "$t/e3.eml" > /dev/null 2>&1
    # shellcheck disable=SC2086
    sq $S4 --send "$t/e4.eml" > /dev/null 2>&1
    n0=$(sq_smtp_delivered)
    # shellcheck disable=SC2086
    sq $S4 --escalate > "$t/out" 2> "$t/err"
    st=$?
    [ "$st" -eq 0 ] && grep -q '^== AS2856: text report to abuse@transit-1299.example .* upstream' "$t/out" &&
        grep -q 'goes on after 4 reports' "$t/out" && [ "$(sq_smtp_delivered)" -eq "$n0" ] &&
        ok "--escalate preview: AS2856's upstream desk, the history, nothing sent" ||
        no "--escalate preview: exit $st: $(cat "$t/out" "$t/err" | head -5)"
    # shellcheck disable=SC2086
    sq $S4 --escalate --send > "$t/out" 2> "$t/err"
    st=$?
    # shellcheck disable=SC2086
    sq $S4 --escalate --send > "$t/out2" 2>&1
    n1=$(sq_smtp_delivered)
    [ "$st" -eq 0 ] && [ "$n1" -eq $((n0 + 1)) ] && grep -q 'already-reported' "$t/out2" &&
        grep -l 'abuse escalation' "$SQ_SMTP_MAILDIR"/new/* > /dev/null &&
        ok "--escalate --send: delivered once to the upstream" ||
        no "--escalate --send: exit $st, $n0 -> $n1: $(cat "$t/err" "$t/out2" | head -5)"
    # 11. a hard bounce for the report to zzdnsr@bt.com: after
    # `inbox ingest`, that address is dead and the next report about BT
    # goes to BT's next contact
    tag=$("$SQUEAKY" outbox --store "sqlite:$t/s4.db" show 1 --json |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["verp_tag"])')
    cat > "$t/dsn.eml" <<EOF
Return-Path: <>
Delivered-To: bounces+$tag@reporter-org.example
From: MAILER-DAEMON@mx.bt.example (Mail Delivery System)
To: bounces+$tag@reporter-org.example
Subject: Undelivered Mail Returned to Sender
Date: $(date -u -R)
Message-ID: <dsn-1@mx.bt.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

Your message could not be delivered.
--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.bt.example

Final-Recipient: rfc822; zzdnsr@bt.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <zzdnsr@bt.com>: user unknown
--dsn--
EOF
    # shellcheck disable=SC2086
    "$SQUEAKY" inbox $S4 ingest "$t/dsn.eml" > "$t/out" 2>&1
    st=$?
    # shellcheck disable=SC2086
    sed "s/<prize-1@bad.example>/<prize-e5@bad.example>/" "$D/prize.eml" > "$t/e5.eml"
    # shellcheck disable=SC2086
    sq $S4 --json "$t/e5.eml" > "$t/plan" 2>&1
    [ "$st" -eq 0 ] && grep -q '"to":"steve.a.marshall@bt.com","reason":"origin"' "$t/plan" &&
        ! grep -q '"to":"zzdnsr@bt.com"' "$t/plan" &&
        ok "hard bounce ingested: the next BT report goes to the next contact" ||
        no "bounce: exit $st: $(cat "$t/out") $(head -c 400 "$t/plan")"

    # shellcheck disable=SC2086
    "$SQUEAKY" stats $S4 --json > "$t/stats" 2>&1
    grep -q 'AS2856' "$t/stats" && ok "stats: AS2856 listed" || no "stats: $(head -3 "$t/stats")"
fi

[ "$fail" -eq 0 ] && echo "report_cli: all passed" || echo "report_cli: FAILED"
exit "$fail"
