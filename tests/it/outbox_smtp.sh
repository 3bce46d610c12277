#!/bin/sh
# outbox_smtp.sh - the outbox's sender against a real OpenSMTPD on
# 127.0.0.1 (tests/servers/smtp/start.sh): STARTTLS + AUTH, VERP envelope
# senders, From/Reply-To, body bytes, duplicates refused at enqueue,
# 4xx -> deferred then delivered on retry, 5xx -> failed with the reply,
# an unreachable server, TLS required against a server without STARTTLS,
# a wrong CA, digests and the rate limit.  Every delivered mail is read
# back from the Maildir by Python's email package (outbox_check.py).
# Skips (77) when not root, or smtpd/openssl/python3/cc are missing.
set -eu
. "$SRCDIR/tests/it/outbox_common.subr"
obx_setup outbox_smtp
T=$OBX_TMP
OPTS=$(obx_opts)

# --- 20 reports over STARTTLS + AUTH; duplicates refused ---
$CHECK gen "$T/r1" 20 main
$CHECK gen "$T/rej" 1 rej
$CHECK gen "$T/tmp" 1 tmp
S1=sqlite:$T/s1.db
out=$($DRIVER enqueue "$S1" abuse@example.test arf "$T"/r1/*.eml)
obx_expect "$out" "added 20 duplicate 0"
out=$($DRIVER enqueue "$S1" abuse@example.test xarf "$T"/r1/*.eml)
obx_expect "$out" "added 0 duplicate 20"
$DRIVER enqueue "$S1" reject@example.test arf "$T"/rej/*.eml >/dev/null
$DRIVER enqueue "$S1" tempfail@example.test arf "$T"/tmp/*.eml >/dev/null
# shellcheck disable=SC2086
out=$($DRIVER send "$S1" $OPTS "report_from=$OBX_FROM")
echo "run 1: $out"
obx_expect "$out" sent=20 deferred=1 failed=1 held=0 stopped=0
obx_wait_mails 20
$DRIVER list "$S1" >"$T/l1"
$CHECK single --maildir "$SQ_SMTP_MAILDIR" --list "$T/l1" --reports "$T/r1" \
    --dest abuse@example.test --from "$OBX_FROM" \
    --reply-to abuse-replies@squeaky.test --verp-domain squeaky.test \
    --count 20 || obx_fail "delivered reports"
grep -q "failed	1	.*reject@example.test.*550 5.1.1 no such abuse desk" \
    "$T/l1" || obx_fail "5xx: want failed with the reply: $(cat "$T/l1")"
grep -q "deferred	1	.*tempfail@example.test.*451 4.7.1 try again later" \
    "$T/l1" || obx_fail "4xx: want deferred with the reply"
echo "outbox_smtp: 550 -> failed with reason, 451 -> deferred"

# --- the 451 goes away: retry delivers it, once ---
sq_smtp_tempfail off
$DRIVER retry "$S1" deferred
# shellcheck disable=SC2086
out=$($DRIVER send "$S1" $OPTS "report_from=$OBX_FROM")
obx_expect "$out" sent=1 deferred=0 failed=0
obx_wait_mails 21
$DRIVER list "$S1" >"$T/l1"
$CHECK single --maildir "$SQ_SMTP_MAILDIR" --list "$T/l1" --reports "$T/tmp" \
    --dest tempfail@example.test --from "$OBX_FROM" \
    --reply-to abuse-replies@squeaky.test --verp-domain squeaky.test \
    --count 1 || obx_fail "retried report"
# A second run sends nothing more.
# shellcheck disable=SC2086
out=$($DRIVER send "$S1" $OPTS "report_from=$OBX_FROM")
obx_expect "$out" mails=0
obx_wait_mails 21

# --- unreachable server: deferred, run stopped, nothing lost ---
closed=$(python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$CHECK gen "$T/r2" 3 unreach
S2=sqlite:$T/s2.db
$DRIVER enqueue "$S2" abuse@example.test arf "$T"/r2/*.eml >/dev/null
# shellcheck disable=SC2086
out=$($DRIVER send "$S2" $OPTS "report_from=$OBX_FROM" \
    smtp_url=smtp://127.0.0.1:$closed)
echo "unreachable: $out"
obx_expect "$out" mails=1 deferred=1 waiting=2 stopped=1
[ "$($DRIVER list "$S2" | grep -c -e '	queued	' -e '	deferred	')" = 3 ] ||
    obx_fail "unreachable: want all 3 queued or deferred"
$DRIVER retry "$S2" deferred
# shellcheck disable=SC2086
out=$($DRIVER send "$S2" $OPTS "report_from=$OBX_FROM")
obx_expect "$out" sent=3
obx_wait_mails 24
$DRIVER list "$S2" >"$T/l2"
$CHECK single --maildir "$SQ_SMTP_MAILDIR" --list "$T/l2" --reports "$T/r2" \
    --dest abuse@example.test --from "$OBX_FROM" \
    --reply-to abuse-replies@squeaky.test --verp-domain squeaky.test \
    --count 3 || obx_fail "after the server came back"

# --- TLS required, server without STARTTLS: refused; wrong CA: refused ---
$CHECK gen "$T/r3" 2 notls
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/other-ca.key" -out "$T/other-ca.pem" -days 2 \
    -subj "/CN=another CA" >/dev/null 2>&1
S3=sqlite:$T/s3.db
$DRIVER enqueue "$S3" abuse@example.test arf "$T"/r3/*.eml >/dev/null
# shellcheck disable=SC2086
out=$($DRIVER send "$S3" $OPTS "report_from=$OBX_FROM" \
    smtp_url=smtp://127.0.0.1:$SQ_SMTP_PLAIN_PORT)
echo "no STARTTLS: $out"
obx_expect "$out" sent=0 deferred=1 stopped=1
$DRIVER list "$S3" | grep -q "no STARTTLS.*nothing was sent" ||
    obx_fail "no STARTTLS: want a clear reason"
$DRIVER retry "$S3" deferred
out=$($DRIVER send "$S3" smtp_url=smtp://127.0.0.1:"$SQ_SMTP_PORT" \
    smtp_user="$SQ_SMTP_USER" smtp_password_file="$T/password" \
    'envelope_sender=bounces+{tag}@squeaky.test' smtp_ca_file="$T/other-ca.pem")
echo "wrong CA: $out"
obx_expect "$out" sent=0 deferred=1 stopped=1
$DRIVER list "$S3" | grep -q "TLS failed" || obx_fail "wrong CA: want TLS failed"
obx_wait_mails 24
# A local relay with smtp_tls = none (no password) is allowed.
$DRIVER retry "$S3" deferred
out=$($DRIVER send "$S3" smtp_url=smtp://127.0.0.1:"$SQ_SMTP_PLAIN_PORT" \
    smtp_tls=none 'envelope_sender=bounces+{tag}@squeaky.test' \
    "report_from=$OBX_FROM")
obx_expect "$out" sent=2
obx_wait_mails 26
echo "outbox_smtp: no STARTTLS and a wrong CA refused; tls = none relay sent"

# --- digest: collected, then one mail on flush ---
$CHECK gen "$T/r4" 5 digest
S4=sqlite:$T/s4.db
$DRIVER enqueue "$S4" digest@example.test arf "$T"/r4/*.eml >/dev/null
# shellcheck disable=SC2086
out=$($DRIVER send "$S4" $OPTS "report_from=$OBX_FROM" digest_interval=3600)
obx_expect "$out" mails=0 waiting=5
# shellcheck disable=SC2086
out=$($DRIVER send "$S4" --flush $OPTS "report_from=$OBX_FROM" \
    digest_interval=3600)
obx_expect "$out" mails=1 sent=5
obx_wait_mails 27
$DRIVER list "$S4" >"$T/l4"
$CHECK digest --maildir "$SQ_SMTP_MAILDIR" --list "$T/l4" --reports "$T/r4" \
    --dest digest@example.test --from "$OBX_FROM" \
    --verp-domain squeaky.test || obx_fail "digest"

# --- rate limit: 2 per hour ---
$CHECK gen "$T/r5" 4 rate
$DRIVER enqueue "$S4" rate@example.test arf "$T"/r5/*.eml >/dev/null
# shellcheck disable=SC2086
out=$($DRIVER send "$S4" $OPTS "report_from=$OBX_FROM" desk_rate_limit=2)
obx_expect "$out" sent=2 waiting=2 rate_limited=1
obx_wait_mails 29

# --- smtps:// (TLS from the start) with AUTH ---
$CHECK gen "$T/r6" 2 smtps
S6=sqlite:$T/s6.db
$DRIVER enqueue "$S6" abuse@example.test arf "$T"/r6/*.eml >/dev/null
# shellcheck disable=SC2086
out=$($DRIVER send "$S6" $OPTS "report_from=$OBX_FROM" \
    smtp_url=smtps://127.0.0.1:$SQ_SMTP_SMTPS_PORT)
obx_expect "$out" sent=2 stopped=0
obx_wait_mails 31
$DRIVER list "$S6" >"$T/l6"
$CHECK single --maildir "$SQ_SMTP_MAILDIR" --list "$T/l6" --reports "$T/r6" \
    --dest abuse@example.test --from "$OBX_FROM" \
    --reply-to abuse-replies@squeaky.test --verp-domain squeaky.test \
    --count 2 || obx_fail "smtps"
echo "outbox_smtp: PASS"
