#!/bin/sh
# tracking_cli.sh - `squeaky inbox` and `squeaky stats` end to end,
# without a network: reports are queued and "sent" through a
# sendmail-compatible script that keeps each mail, the replies are
# tests/data/tracking files addressed to the reports' real VERP tags and
# Message-IDs, then ingested from a file, stdin, a Maildir and the ARF
# corpus.  Checks the text and JSON output, the states, dead addresses,
# idempotence, stats numbers and the exit codes.
#
# Env: SQUEAKY, LIBSQUEAKY, SRCDIR, CORPORA (ctest).  Needs cc, python3.
set -eu
: "${SRCDIR:?}" "${LIBSQUEAKY:?}" "${SQUEAKY:?}"
NAME=tracking_cli
command -v cc >/dev/null 2>&1 || { echo "$NAME: SKIP: no cc"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "$NAME: SKIP: no python3"; exit 77; }
"$SQUEAKY" inbox --help >/dev/null 2>&1 ||
    { echo "$NAME: SKIP: squeaky has no inbox command"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
DATA=$SRCDIR/tests/data/tracking
VERP='bounces+{tag}@squeaky.test'
S=sqlite:$TMP/t.db
checks=0

fail() {
    echo "$NAME: FAIL: $*"
    exit 1
}
check() { # check DESCRIPTION GOT WANT
    checks=$((checks + 1))
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
has() { # has DESCRIPTION FILE TEXT
    checks=$((checks + 1))
    grep -qF -- "$3" "$2" || { cat "$2"; fail "$1: no '$3' in $2"; }
}
sq() { # sq ARGS...: squeaky with this test's store and VERP template
    "$SQUEAKY" "$@" --store "$S" --envelope-sender "$VERP"
}

san=""
if nm -D "$LIBSQUEAKY" 2>/dev/null | grep -q __asan_init; then
    san="-fsanitize=address,undefined"
fi
D=$TMP/tracking_driver
# shellcheck disable=SC2086
cc -std=c11 -O1 $san -I"$SRCDIR/include" "$SRCDIR/tests/it/tracking_driver.c" \
    "$LIBSQUEAKY" -Wl,-rpath,"$(dirname "$LIBSQUEAKY")" -o "$D" ||
    fail "cannot build tracking_driver"
mkdir "$TMP/sent"
printf '#!/bin/sh\ncat >"%s/sent/$$.eml"\n' "$TMP" >"$TMP/sendmail"
chmod 755 "$TMP/sendmail"

r1=$("$D" enqueue "$S" abuse@dead.example "AS64500 DEAD-NET" 192.0.2.7)
r2=$("$D" enqueue "$S" abuse@otrs.example "AS64501 OK-NET" 198.51.100.3)
r3=$("$D" enqueue "$S" abuse@otrs.example "AS64501 OK-NET" 198.51.100.4)
out=$("$D" send "$S" send_transport=sendmail \
    "sendmail_command=$TMP/sendmail" "envelope_sender=$VERP" \
    "report_from=Reporter <reporter@squeaky.test>")
check "sent through the script" "$out" "sent=3 failed=0 deferred=0"
check "mails kept" "$(find "$TMP/sent" -type f | wc -l)" 3

# replies naming the real tags
t1=$("$D" tag "$S" "$r1")
t2=$("$D" tag "$S" "$r2")
sed "s/aaaaaaaaaaaaaaaaaaaa/$t1/g" "$DATA/rfc3464-failed.eml" >"$TMP/bounce.eml"
sed "s/eeeeeeeeeeeeeeeeeeee/$t2/g" "$DATA/autoreply-otrs.eml" >"$TMP/ack.eml"

sq inbox ingest "$TMP/bounce.eml" >"$TMP/o1" || fail "ingest bounce"
has "bounce line" "$TMP/o1" ": bounce 5.1.1 -> report $r1 (verp), 1 marked, address dead"
has "summary" "$TMP/o1" "1 message(s): 1 bounce(s), 0 delay(s), 0 auto-reply(s), 0 feedback report(s), 0 other; 1 matched, 0 unmatched, 0 seen before, 1 report(s) marked, 1 address(es) dead"
sq inbox ingest - <"$TMP/bounce.eml" >"$TMP/o2" || fail "ingest stdin"
has "stdin, again" "$TMP/o2" "-> report $r1 (verp), seen before: nothing changed"
sq inbox ingest --json "$TMP/ack.eml" >"$TMP/o3" || fail "ingest ack"
python3 - "$TMP/o3" "$r2" <<'PY' || fail "ack JSON"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1, rows
r = rows[0]
assert r["kind"] == "autoreply" and r["matched"] is True, r
assert r["report"] == int(sys.argv[2]) and r["how"] == "verp", r
assert r["ticket"] == "Ticket#2026112610000123" and r["marked"] == 1, r
assert r["duplicate"] is False and r["address_dead"] is False, r
PY
checks=$((checks + 1))
sq outbox list --json >"$TMP/list.json"
python3 - "$TMP/list.json" "$r1" "$r2" "$r3" <<'PY' || fail "outbox states"
import json, sys
by = {r["id"]: r for r in map(json.loads, open(sys.argv[1]))}
r1, r2, r3 = (by[int(x)] for x in sys.argv[2:5])
assert r1["state"] == "bounced" and "5.1.1" in r1["last_error"], r1
assert "User unknown" in r1["last_error"], r1
assert r2["state"] == "acknowledged", r2
assert r2["ticket"] == "Ticket#2026112610000123", r2
assert r3["state"] == "sent", r3
PY
checks=$((checks + 1))
check "dead desk" "$("$D" dead "$S" abuse@dead.example)" 1

# a Maildir of both replies and an ignored message: nothing new
mkdir -p "$TMP/md/new" "$TMP/md/cur" "$TMP/md/tmp"
cp "$TMP/bounce.eml" "$TMP/md/new/1.x"
cp "$TMP/ack.eml" "$TMP/md/new/2.x"
cp "$DATA/not-a-reply.eml" "$TMP/md/cur/3.x:2,S"
sq inbox ingest "$TMP/md" >"$TMP/o4" || fail "ingest Maildir"
has "Maildir summary" "$TMP/o4" "3 message(s): 1 bounce(s), 0 delay(s), 1 auto-reply(s), 0 feedback report(s), 1 other; 0 matched, 0 unmatched, 2 seen before, 0 report(s) marked, 0 address(es) dead"

# stats
sq stats --json >"$TMP/stats.json" || fail "stats --json"
python3 - "$TMP/stats.json" <<'PY' || fail "stats JSON"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
net = {r["network"]: r for r in rows if r["by"] == "network"}
desk = {r["desk"]: r for r in rows if r["by"] == "desk"}
d, o = net["AS64500 DEAD-NET"], net["AS64501 OK-NET"]
assert (d["sent"], d["bounced"], d["acknowledged"], d["dead"]) == (1, 1, 0, True), d
assert (o["sent"], o["acknowledged"], o["tickets"], o["dead"]) == (2, 1, 1, False), o
assert o["continued"] == 0 and o["median_first_seconds"] is None, o
assert desk["abuse@dead.example"]["dead"] is True, desk
assert desk["abuse@otrs.example"]["sent"] == 2, desk
assert list(net) == ["AS64501 OK-NET", "AS64500 DEAD-NET"], "most reports first"
PY
checks=$((checks + 1))
sq stats >"$TMP/stats.txt" || fail "stats"
has "text header" "$TMP/stats.txt" "NETWORK"
has "desk header" "$TMP/stats.txt" "ABUSE DESK"
checks=$((checks + 1))
grep -q '^AS64500 DEAD-NET .* dead$' "$TMP/stats.txt" || fail "dead network row"
sq stats --json --since 2999-01-01 >"$TMP/none.json"
check "--since the future" "$(wc -l <"$TMP/none.json")" 0
set +e
sq stats --since 2026-13-01 2>/dev/null
check "bad --since" $? 2
sq stats --escalations >"$TMP/esc.txt"
check "no escalation" $? 1
sq inbox ingest "$TMP/does-not-exist" >/dev/null 2>&1
check "missing mailbox" $? 2
sq inbox frobnicate 2>/dev/null
check "bad verb" $? 2
sq inbox revive abuse@dead.example >"$TMP/rev"
check "revive" $? 0
sq inbox revive abuse@dead.example 2>/dev/null
check "revive twice" $? 1
set -e
check "alive again" "$("$D" dead "$S" abuse@dead.example)" 0

# the ARF corpus: complaints are never replies
if [ -n "${CORPORA:-}" ] && [ -d "$CORPORA/arf/sisimai-set-of-emails/bsd" ]; then
    sq inbox ingest "$CORPORA/arf/sisimai-set-of-emails/bsd" \
        "$CORPORA/arf/rfc5965/rfc5965-appendix-b2-example.eml" >"$TMP/arf" ||
        fail "ingest ARF corpus"
    has "ARF corpus" "$TMP/arf" "18 message(s): 0 bounce(s), 0 delay(s), 0 auto-reply(s), 18 feedback report(s), 0 other; 0 matched"
fi
echo "$NAME: $checks checks passed"
