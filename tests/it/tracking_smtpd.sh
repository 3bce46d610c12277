#!/bin/sh
# tracking_smtpd.sh - bounces written by a real MTA, ingested.
#
# OpenSMTPD (tests/servers/smtp/start.sh, with this test's own
# smtpd.conf) accepts reports for gone@dead.test and relays them to a
# second listener of its own that rejects that recipient with
# "550 5.1.1 no such abuse desk" after the first one accepted: so
# smtpd itself writes the DSN (multipart/mixed with a
# message/delivery-status part) to the VERP envelope sender, which it
# delivers into the Maildir.  Reports to desk@slow.test are relayed to a
# port of 127.0.0.2 where nothing listens (another address: smtpd
# disables a failing route per host, and 127.0.0.1 must stay usable for
# the hop): a temporary failure, and with
# "bounce warn-interval 1s" smtpd writes a delay DSN (Action: delayed)
# about 10 s later.  A report to desk@live.test is delivered into the
# same Maildir (and must be ignored by ingest).
#
# Then: ingest the Maildir (tracking_driver.c over the library, and
# `squeaky inbox ingest` / `squeaky stats` when the program has them):
# the two reports are bounced with smtpd's reason, gone@dead.test is
# dead, the delayed report stays sent and its desk alive, desk@live.test
# is not dead, a second ingest changes nothing, and the
# ARF corpus is never taken for replies.
#
# Needs root (smtpd), cc, python3; skips (77) otherwise.  Env: SRCDIR,
# LIBSQUEAKY, SQUEAKY, CORPORA (ctest sets them).
set -eu
: "${SRCDIR:?}" "${LIBSQUEAKY:?}"
NAME=tracking_smtpd
TMP=""
VERP='bounces+{tag}@squeaky.test'

command -v cc >/dev/null 2>&1 || { echo "$NAME: SKIP: no cc"; exit 77; }
command -v python3 >/dev/null 2>&1 || { echo "$NAME: SKIP: no python3"; exit 77; }
# shellcheck source=tests/servers/smtp/start.sh
. "$SRCDIR/tests/servers/smtp/start.sh"

# This test's smtpd.conf (replaces start.sh's; same variables).
sq_smtp__conf() {
    d=$SQ_SMTP_DIR
    [ -n "${TRK_HOP_PORT:-}" ] || TRK_HOP_PORT=$(sq_smtp__port)
    [ -n "${TRK_DEAD_PORT:-}" ] || TRK_DEAD_PORT=$(sq_smtp__port)
    printf 'gone@dead.test\n' >"$d/rcpt550"
    printf '@ nobody\n' >"$d/vusers"
    cat >"$d/smtpd.conf" <<EOC
table rcpt550 file:$d/rcpt550
table vusers file:$d/vusers
filter "f550" phase rcpt-to match rcpt-to <rcpt550> reject "550 5.1.1 no such abuse desk"
bounce warn-interval 1s
listen on 127.0.0.1 port $SQ_SMTP_PLAIN_PORT hostname localhost
listen on 127.0.0.1 port $TRK_HOP_PORT hostname hop.test filter "f550"
action "maildir" maildir "$SQ_SMTP_MAILDIR" virtual <vusers>
action "hop" relay host smtp://127.0.0.1:$TRK_HOP_PORT
action "nowhere" relay host smtp://127.0.0.2:$TRK_DEAD_PORT
match from any for domain "dead.test" action "hop"
match from any for domain "slow.test" action "nowhere"
match from any for any action "maildir"
EOC
    cat >"$d/ns.sh" <<EOC
set -e
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /var/spool
mkdir -p /var/spool/smtpd
chmod 711 /var/spool/smtpd
mount -t tmpfs -o mode=0755 tmpfs /run
exec /usr/sbin/smtpd -d -f "$d/smtpd.conf"
EOC
}

cleanup() {
    sq_smtp_stop
    [ -z "$TMP" ] || rm -rf "$TMP"
}

fail() {
    echo "$NAME: FAIL: $*"
    for f in "$TMP/ingest1" "$TMP/ingest2"; do
        [ -n "$TMP" ] && [ -f "$f" ] && { echo "--- $f"; cat "$f"; }
    done
    [ -f "${SQ_SMTP_DIR:-/nonexistent}/smtpd.log" ] &&
        tail -15 "$SQ_SMTP_DIR/smtpd.log"
    exit 1
}

checks=0
check() { # check DESCRIPTION GOT WANT
    checks=$((checks + 1))
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

trap cleanup EXIT
trap 'exit 1' INT TERM
set +e
sq_smtp_start
rc=$?
set -e
[ "$rc" = 0 ] || exit "$rc"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
san=""
if nm -D "$LIBSQUEAKY" 2>/dev/null | grep -q __asan_init; then
    san="-fsanitize=address,undefined"
fi
D=$TMP/tracking_driver
# shellcheck disable=SC2086
cc -std=c11 -O1 $san -I"$SRCDIR/include" "$SRCDIR/tests/it/tracking_driver.c" \
    "$LIBSQUEAKY" -Wl,-rpath,"$(dirname "$LIBSQUEAKY")" -o "$D" ||
    fail "cannot build tracking_driver"
S=sqlite:$TMP/t.db

r1=$("$D" enqueue "$S" gone@dead.test "AS64500 DEAD-NET" 192.0.2.7)
r2=$("$D" enqueue "$S" desk@live.test "AS64501 LIVE-NET" 198.51.100.8)
r3=$("$D" enqueue "$S" gone@dead.test "AS64500 DEAD-NET" 192.0.2.9)
r4=$("$D" enqueue "$S" desk@slow.test "AS64502 SLOW-NET" 203.0.113.4)
out=$("$D" send "$S" "smtp_url=smtp://127.0.0.1:$SQ_SMTP_PLAIN_PORT" \
    smtp_tls=none "envelope_sender=$VERP" \
    "report_from=Reporter <reporter@squeaky.test>") || fail "send: $out"
check "send" "$out" "sent=4 failed=0 deferred=0"

# smtpd accepted all four; two bounce back, one is delayed (its warning
# comes after smtpd's first retry, ~10 s), one is delivered
i=0
while [ "$(find "$SQ_SMTP_MAILDIR/new" -type f | wc -l)" -lt 4 ] && [ "$i" -lt 300 ]; do
    sleep 0.2
    i=$((i + 1))
done
check "mails in the Maildir" "$(find "$SQ_SMTP_MAILDIR/new" -type f | wc -l)" 4
check "smtpd wrote DSNs" \
    "$(grep -l '^Content-Type: message/delivery-status' \
        "$SQ_SMTP_MAILDIR"/new/* | wc -l)" 3

"$D" ingest "$S" "$VERP" "$SQ_SMTP_MAILDIR" >"$TMP/ingest1" ||
    fail "ingest: $(cat "$TMP/ingest1")"
# kind matched report how status ticket duplicate marked dead
check "bounces matched by VERP" \
    "$(grep -c '^bounce 1 [0-9]* verp 5.1.1 - 0 1 1$' "$TMP/ingest1")" 2
check "the delay matched, nothing marked" \
    "$(grep -c "^delay 1 $r4 verp 4.0.0 - 0 0 0\$" "$TMP/ingest1")" 1
check "the delivered report is no reply" \
    "$(grep -c '^other 0 0 ' "$TMP/ingest1")" 1
for r in "$r1" "$r3"; do
    st=$("$D" state "$S" "$r")
    check "report $r state" "$(printf '%s' "$st" | cut -f1)" bounced
    case $st in
    *"550 5.1.1 no such abuse desk"*) checks=$((checks + 1)) ;;
    *) fail "report $r: reason not smtpd's: $st" ;;
    esac
done
check "delivered report" "$("$D" state "$S" "$r2" | cut -f1)" sent
check "delayed report" "$("$D" state "$S" "$r4" | cut -f1)" sent
check "slow desk alive" "$("$D" dead "$S" desk@slow.test)" 0
check "dead desk" "$("$D" dead "$S" gone@dead.test)" 1
check "live desk" "$("$D" dead "$S" desk@live.test)" 0

"$D" ingest "$S" "$VERP" "$SQ_SMTP_MAILDIR" >"$TMP/ingest2"
check "second ingest: duplicates" \
    "$(grep -c '^bounce 1 [0-9]* verp 5.1.1 - 1 0 0$' "$TMP/ingest2")" 2
check "second ingest: the delay too" \
    "$(grep -c "^delay 1 $r4 verp 4.0.0 - 1 0 0\$" "$TMP/ingest2")" 1

# the ARF / feedback corpus: never a bounce or acknowledgement
if [ -n "${CORPORA:-}" ] && [ -d "$CORPORA/arf/sisimai-set-of-emails/bsd" ]; then
    for dir in sisimai-set-of-emails/bsd rfc5965 mail-abuse/spamcop \
        mail-abuse/mynetwatchman mail-abuse/received-in-report; do
        "$D" ingest "$S" "$VERP" "$CORPORA/arf/$dir" >>"$TMP/arf" ||
            fail "ingest $dir"
    done
    check "ARF corpus: no replies" \
        "$(grep -vc '^\(feedback\|other\) 0 0 ' "$TMP/arf" || true)" 0
    # 14 RFC 5965 + 3 JMRP + 1 Apple opt-out in sisimai's set, 1 RFC
    # 5965 example; SpamCop and myNetWatchman reports are "other"
    check "ARF corpus: feedback reports" \
        "$(grep -c "^feedback " "$TMP/arf")" 18
fi

# the program, when it has the commands
if [ -n "${SQUEAKY:-}" ] && "$SQUEAKY" inbox --help >/dev/null 2>&1; then
    "$SQUEAKY" inbox ingest --store "$S" --envelope-sender "$VERP" --json \
        "$SQ_SMTP_MAILDIR" >"$TMP/cli.json" || fail "squeaky inbox ingest"
    check "cli: duplicates" \
        "$(grep -c '"kind":"bounce".*"duplicate":true' "$TMP/cli.json")" 2
    "$SQUEAKY" stats --store "$S" --json --by network >"$TMP/stats.json" ||
        fail "squeaky stats"
    check "cli stats: dead network" \
        "$(grep -c '"network":"AS64500 DEAD-NET","sent":2,"bounced":2,.*"dead":true' \
            "$TMP/stats.json")" 1
else
    echo "$NAME: note: squeaky has no inbox command yet; library checks only"
fi
echo "$NAME: $checks checks passed"
