# outbox_common.sh - sourced by tests/it/outbox_*.sh: start the SMTP
# test server (tests/servers/smtp/start.sh), build outbox_driver.c
# against the shared library, and small helpers.  Needs SRCDIR and
# LIBSQUEAKY (ctest sets both).  Sets OBX_TMP, DRIVER, CHECK.

: "${SRCDIR:?}" "${LIBSQUEAKY:?}"
OBX_TMP=""

obx_cleanup() {
    sq_smtp_stop
    [ -z "$OBX_TMP" ] || rm -rf "$OBX_TMP"
}

obx_fail() {
    echo "$OBX_NAME: FAIL: $*"
    for f in "$SQ_SMTP_DIR/smtpd.log" "$SQ_SMTP_DIR/front.log"; do
        [ -f "$f" ] && { echo "--- $f (tail)"; tail -15 "$f"; }
    done
    exit 1
}

# obx_setup NAME: servers up, driver built; exits 77 to skip.
obx_setup() {
    OBX_NAME=$1
    command -v python3 >/dev/null 2>&1 || { echo "$1: SKIP: no python3"; exit 77; }
    command -v cc >/dev/null 2>&1 || { echo "$1: SKIP: no cc"; exit 77; }
    . "$SRCDIR/tests/servers/smtp/start.sh"
    trap obx_cleanup EXIT
    trap 'exit 1' INT TERM
    set +e
    sq_smtp_start
    rc=$?
    set -e
    [ "$rc" = 0 ] || exit "$rc"
    OBX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    DRIVER=$OBX_TMP/outbox_driver
    san=""
    if nm -D "$LIBSQUEAKY" 2>/dev/null | grep -q __asan_init; then
        san="-fsanitize=address,undefined"
    fi
    # shellcheck disable=SC2086
    cc -std=c11 -O1 $san -I"$SRCDIR/include" "$SRCDIR/tests/it/outbox_driver.c" \
        "$LIBSQUEAKY" -Wl,-rpath,"$(dirname "$LIBSQUEAKY")" -o "$DRIVER" ||
        obx_fail "cannot build outbox_driver"
    CHECK="python3 $SRCDIR/tests/it/outbox_check.py"
    printf '%s\n' "$SQ_SMTP_PASSWORD" >"$OBX_TMP/password"
    chmod 600 "$OBX_TMP/password"
}

# The sender options of a good STARTTLS + AUTH setup.
obx_opts() {
    echo "smtp_url=smtp://127.0.0.1:$SQ_SMTP_PORT smtp_ca_file=$SQ_SMTP_CA" \
        "smtp_user=$SQ_SMTP_USER smtp_password_file=$OBX_TMP/password" \
        "envelope_sender=bounces+{tag}@squeaky.test" \
        "report_reply_to=abuse-replies@squeaky.test smtp_timeout=30"
}
OBX_FROM="Squeaky Reporter <reporter@squeaky.test>"

# obx_mails: number of delivered mails.
obx_mails() {
    find "$SQ_SMTP_MAILDIR/new" "$SQ_SMTP_MAILDIR/cur" -type f | wc -l |
        tr -d ' '
}

# obx_wait_mails N: until N mails are delivered (30 s), then settle 0.5 s
# and check there are not more.
obx_wait_mails() {
    i=0
    while [ "$(obx_mails)" -lt "$1" ] && [ "$i" -lt 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    sleep 0.5
    [ "$(obx_mails)" = "$1" ] ||
        obx_fail "want $1 delivered mails, have $(obx_mails)"
}

# obx_expect OUTPUT WORD...: each WORD (e.g. sent=3) is a word of OUTPUT.
obx_expect() {
    out=$1
    shift
    for w in "$@"; do
        printf '%s\n' "$out" | grep -qw -- "$w" ||
            obx_fail "want '$w' in: $out"
    done
}
