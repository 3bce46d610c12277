#!/bin/sh
# outbox_crash.sh - kill -9 the sender in the middle of a run of 200
# reports, several times, then run again: every report is delivered at
# most once, and each is either delivered exactly once (sent) or still
# queued / held - never lost, never twice.
#
# Kill points: after k mails reached the Maildir (k = 3, 40, 90; smtpd
# delivers a little behind the sender, so the sender is anywhere in its
# next transaction) and after short random delays.  Between kills the
# store is checked against the Maildir (outbox_check.py crash).  At the
# end the held reports are resolved the way a person would (confirm the
# delivered ones, retry the others), a last run sends the rest, and every
# report must be delivered exactly once.  Last, two send runs at once on
# one store must not send any report twice.
set -eu
. "$SRCDIR/tests/it/outbox_common.subr"
obx_setup outbox_crash
T=$OBX_TMP
OPTS=$(obx_opts)
N=${OUTBOX_CRASH_N:-200}
S=sqlite:$T/crash.db

$CHECK gen "$T/r" "$N" crash
out=$($DRIVER enqueue "$S" abuse@example.test arf "$T"/r/*.eml)
obx_expect "$out" "added $N duplicate 0"

settle() {
    obx_settle
}

# run_and_kill MODE ARG: start a send run, kill -9 it when MODE says.
run_and_kill() {
    # shellcheck disable=SC2086
    $DRIVER send "$S" $OPTS "report_from=$OBX_FROM" >"$T/run.out" 2>&1 &
    pid=$!
    if [ "$1" = mails ]; then
        i=0
        while [ "$(obx_mails)" -lt "$2" ] && [ "$i" -lt 600 ] &&
            kill -0 "$pid" 2>/dev/null; do
            sleep 0.05
            i=$((i + 1))
        done
    else
        sleep "$2"
    fi
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    settle
    rec=$($DRIVER recover "$S")
    $DRIVER list "$S" >"$T/list"
    echo "kill ($1 $2): $rec, $(obx_mails) delivered, held:" \
        "$(grep -c '	held	' "$T/list" || true)"
    $CHECK crash --maildir "$SQ_SMTP_MAILDIR" --list "$T/list" ||
        obx_fail "after kill ($1 $2)"
}

base=0
for k in 3 40 90; do
    run_and_kill mails $((base + k))
    base=$(obx_mails)
done
for delay in 0.05 0.13 0.27 0.41 0.6; do
    run_and_kill sleep "$delay"
done
kills=8

# A person resolves the held ones; then a run to the end.
$CHECK resolve --maildir "$SQ_SMTP_MAILDIR" --list "$T/list" >"$T/resolve"
held=$(wc -l <"$T/resolve" | tr -d ' ')
while read -r verb id; do
    if [ "$verb" = confirm ]; then
        $DRIVER confirm "$S" "$id" >/dev/null
    else
        $DRIVER retry-id "$S" "$id" >/dev/null
    fi
done <"$T/resolve"
# shellcheck disable=SC2086
out=$($DRIVER send "$S" $OPTS "report_from=$OBX_FROM")
echo "final run: $out"
obx_expect "$out" failed=0 held=0 stopped=0
settle
$DRIVER list "$S" >"$T/list"
$CHECK crash --maildir "$SQ_SMTP_MAILDIR" --list "$T/list" --all-sent ||
    obx_fail "final"
[ "$(obx_mails)" = "$N" ] || obx_fail "want $N mails, have $(obx_mails)"
echo "outbox_crash: $kills kills, $held held and resolved, $N delivered once each"

# Two runs at once on one store: the claims keep them apart.
$CHECK gen "$T/c" 60 concurrent
S2=sqlite:$T/concurrent.db
$DRIVER enqueue "$S2" abuse@example.test arf "$T"/c/*.eml >/dev/null
# shellcheck disable=SC2086
$DRIVER send "$S2" $OPTS "report_from=$OBX_FROM" >"$T/a.out" 2>&1 &
a=$!
# shellcheck disable=SC2086
$DRIVER send "$S2" $OPTS "report_from=$OBX_FROM" >"$T/b.out" 2>&1 &
b=$!
wait "$a" || obx_fail "run a: $(cat "$T/a.out")"
wait "$b" || obx_fail "run b: $(cat "$T/b.out")"
echo "concurrent runs: $(head -1 "$T/a.out") | $(head -1 "$T/b.out")"
settle
{ $DRIVER list "$S"; $DRIVER list "$S2"; } >"$T/list"
$CHECK crash --maildir "$SQ_SMTP_MAILDIR" --list "$T/list" --all-sent ||
    obx_fail "concurrent runs"
echo "outbox_crash: PASS"
