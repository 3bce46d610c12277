# start.sh - a real OpenSMTPD on 127.0.0.1 for the outbox tests.
#
# POSIX sh.  Either SOURCED by a test script:
#
#     . "$SRCDIR/tests/servers/smtp/start.sh"
#     sq_smtp_start || exit $?        # 77: skip (not root, no smtpd, ...)
#     trap sq_smtp_stop EXIT
#
# or run by hand: `sh tests/servers/smtp/start.sh serve` prints the
# variables below and serves until interrupted.
#
# What runs (all on free ports the OS picks, in one temporary directory):
#   OpenSMTPD  `/usr/sbin/smtpd -d -f CONF` in its own mount namespace
#              (unshare -m, tmpfs over /var/spool and /run), so its queue
#              and control socket never meet a system smtpd (Debian starts
#              one on port 25 when the package is installed).  Plain
#              listener, no STARTTLS; delivers every recipient to one
#              Maildir (as "nobody"); rejects at RCPT TO:
#                 reject@example.test    550 5.1.1 no such abuse desk
#                 tempfail@example.test  451 4.7.1 try again later
#                 (sq_smtp_tempfail off: restart without that rule)
#   starttls_front.py  STARTTLS + AUTH (PLAIN, LOGIN) in front of it with
#              a certificate from a CA made at start (OpenSMTPD 6.8 on
#              OpenSSL 3 cannot do TLS itself: see the script's header).
#
# Exports:
#   SQ_SMTP_PORT        the front: STARTTLS + AUTH required
#   SQ_SMTP_SMTPS_PORT  the front with TLS from the start (smtps), AUTH
#   SQ_SMTP_PLAIN_PORT  OpenSMTPD itself: no STARTTLS, no AUTH
#   SQ_SMTP_MAILDIR     where delivered mails land (new/)
#   SQ_SMTP_CA          the CA certificate (PEM) that signed the server's
#   SQ_SMTP_USER, SQ_SMTP_PASSWORD   the AUTH credentials
#   SQ_SMTP_DIR         the temporary directory (logs: smtpd.log,
#                       front.log)
# sq_smtp_start returns 0, 77 (skip: not root, no smtpd/openssl/python3,
# no unshare) or 1 with a message on stderr.  sq_smtp_stop kills what it
# started, by pid, and removes the directory; safe to call twice.

sq_smtp_pids=""
SQ_SMTP_SMTPD_PID=""

sq_smtp__skip() {
    echo "smtp server: SKIP: $*" >&2
    return 77
}

sq_smtp__port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# sq_smtp__wait PORT: until something accepts on 127.0.0.1:PORT (10 s).
sq_smtp__wait() {
    i=0
    while [ "$i" -lt 100 ]; do
        if python3 -c 'import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" \
            2>/dev/null; then
            return 0
        fi
        sleep 0.1
        i=$((i + 1))
    done
    echo "smtp server: nothing answers on port $1 after 10 s" >&2
    return 1
}

sq_smtp__certs() {
    d=$SQ_SMTP_DIR
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
        -subj "/CN=squeaky test CA" >/dev/null 2>&1 &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$d/key.pem" -out "$d/srv.csr" -subj /CN=localhost \
            >/dev/null 2>&1 &&
        printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/ext" &&
        openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.pem" \
            -CAkey "$d/ca.key" -CAcreateserial -out "$d/cert.pem" -days 2 \
            -extfile "$d/ext" >/dev/null 2>&1 &&
        chmod 600 "$d/key.pem" "$d/ca.key"
}

# Write smtpd.conf; $1 = 1 to keep the 451 rule.
sq_smtp__conf() {
    d=$SQ_SMTP_DIR
    printf 'reject@example.test\n' >"$d/rcpt550"
    if [ "$1" = 1 ]; then
        printf 'tempfail@example.test\n' >"$d/rcpt451"
    else
        printf 'nobody-matches@invalid.invalid\n' >"$d/rcpt451"
    fi
    printf '@ nobody\n' >"$d/vusers"
    cat >"$d/smtpd.conf" <<EOF
table rcpt550 file:$d/rcpt550
table rcpt451 file:$d/rcpt451
table vusers file:$d/vusers
filter "f451" phase rcpt-to match rcpt-to <rcpt451> reject "451 4.7.1 try again later"
filter "f550" phase rcpt-to match rcpt-to <rcpt550> reject "550 5.1.1 no such abuse desk"
filter "checks" chain { "f451", "f550" }
listen on 127.0.0.1 port $SQ_SMTP_PLAIN_PORT hostname localhost filter "checks"
action "maildir" maildir "$SQ_SMTP_MAILDIR" virtual <vusers>
match from any for any action "maildir"
EOF
    cat >"$d/ns.sh" <<EOF
set -e
mount --make-rprivate /
mount -t tmpfs -o mode=0755 tmpfs /var/spool
mkdir -p /var/spool/smtpd
chmod 711 /var/spool/smtpd
mount -t tmpfs -o mode=0755 tmpfs /run
exec /usr/sbin/smtpd -d -f "$d/smtpd.conf"
EOF
}

sq_smtp__smtpd() {
    /usr/sbin/smtpd -n -f "$SQ_SMTP_DIR/smtpd.conf" \
        >>"$SQ_SMTP_DIR/smtpd.log" 2>&1 ||
        { cat "$SQ_SMTP_DIR/smtpd.log" >&2; return 1; }
    unshare -m sh "$SQ_SMTP_DIR/ns.sh" >>"$SQ_SMTP_DIR/smtpd.log" 2>&1 &
    SQ_SMTP_SMTPD_PID=$!
    sq_smtp__wait "$SQ_SMTP_PLAIN_PORT" ||
        { cat "$SQ_SMTP_DIR/smtpd.log" >&2; return 1; }
}

sq_smtp__kill_smtpd() {
    if [ -n "$SQ_SMTP_SMTPD_PID" ]; then
        kill "$SQ_SMTP_SMTPD_PID" 2>/dev/null || true
        i=0
        while kill -0 "$SQ_SMTP_SMTPD_PID" 2>/dev/null && [ "$i" -lt 50 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$SQ_SMTP_SMTPD_PID" 2>/dev/null || true
        wait "$SQ_SMTP_SMTPD_PID" 2>/dev/null || true
        SQ_SMTP_SMTPD_PID=""
    fi
}

# sq_smtp_tempfail on|off: restart OpenSMTPD with or without the 451 rule.
sq_smtp_tempfail() {
    sq_smtp__kill_smtpd
    if [ "$1" = on ]; then sq_smtp__conf 1; else sq_smtp__conf 0; fi
    sq_smtp__smtpd
}

# sq_smtp_delivered: the number of mails in the Maildir once OpenSMTPD has
# delivered every message it accepted (as many "mda delivery" as "smtp
# envelope" lines in its log; waits up to 30 s). Delivery to the Maildir
# happens after the SMTP session ends, so a count right after a send races.
sq_smtp_delivered() {
    i=0
    while [ "$i" -lt 300 ]; do
        e=$(grep -c ' smtp envelope ' "$SQ_SMTP_DIR/smtpd.log" || true)
        m=$(grep -c ' mda delivery ' "$SQ_SMTP_DIR/smtpd.log" || true)
        [ "$e" = "$m" ] && break
        sleep 0.1
        i=$((i + 1))
    done
    find "$SQ_SMTP_MAILDIR/new" "$SQ_SMTP_MAILDIR/cur" -type f | wc -l |
        tr -d ' '
}

sq_smtp_start() {
    [ "$(id -u)" = 0 ] || { sq_smtp__skip "OpenSMTPD needs root"; return 77; }
    [ -x /usr/sbin/smtpd ] || { sq_smtp__skip "no /usr/sbin/smtpd"; return 77; }
    [ -x /usr/sbin/smtpctl ] || { sq_smtp__skip "no smtpctl"; return 77; }
    for c in openssl python3 unshare mount; do
        command -v "$c" >/dev/null 2>&1 ||
            { sq_smtp__skip "no $c"; return 77; }
    done
    unshare -m true 2>/dev/null ||
        { sq_smtp__skip "unshare -m not permitted here"; return 77; }
    SQ_SMTP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sq_smtp.XXXXXX") || return 1
    chmod 755 "$SQ_SMTP_DIR"
    SQ_SMTP_MAILDIR=$SQ_SMTP_DIR/Maildir
    mkdir -p "$SQ_SMTP_MAILDIR/new" "$SQ_SMTP_MAILDIR/cur" \
        "$SQ_SMTP_MAILDIR/tmp"
    chown -R nobody "$SQ_SMTP_MAILDIR"
    SQ_SMTP_CA=$SQ_SMTP_DIR/ca.pem
    SQ_SMTP_USER=tester
    SQ_SMTP_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
    sq_smtp__certs || { echo "smtp server: openssl failed" >&2; return 1; }
    SQ_SMTP_PLAIN_PORT=$(sq_smtp__port) || return 1
    sq_smtp__conf 1
    sq_smtp__smtpd || return 1
    python3 "$(dirname "$SQ_SMTP_SCRIPT")/starttls_front.py" \
        --upstream "$SQ_SMTP_PLAIN_PORT" --port-file "$SQ_SMTP_DIR/front.port" \
        --cert "$SQ_SMTP_DIR/cert.pem" --key "$SQ_SMTP_DIR/key.pem" \
        --user "$SQ_SMTP_USER" --password "$SQ_SMTP_PASSWORD" \
        --log "$SQ_SMTP_DIR/front.log" 2>>"$SQ_SMTP_DIR/front.log" &
    sq_smtp_pids="$sq_smtp_pids $!"
    i=0
    while [ ! -s "$SQ_SMTP_DIR/front.port" ] && [ "$i" -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    [ -s "$SQ_SMTP_DIR/front.port" ] ||
        { cat "$SQ_SMTP_DIR/front.log" >&2; return 1; }
    read -r SQ_SMTP_PORT SQ_SMTP_SMTPS_PORT <"$SQ_SMTP_DIR/front.port"
    export SQ_SMTP_PORT SQ_SMTP_SMTPS_PORT SQ_SMTP_PLAIN_PORT SQ_SMTP_MAILDIR SQ_SMTP_CA \
        SQ_SMTP_USER SQ_SMTP_PASSWORD SQ_SMTP_DIR
    return 0
}

sq_smtp_stop() {
    sq_smtp__kill_smtpd
    for p in $sq_smtp_pids; do
        kill "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    sq_smtp_pids=""
    if [ -n "${SQ_SMTP_DIR:-}" ] && [ -d "$SQ_SMTP_DIR" ]; then
        rm -rf "$SQ_SMTP_DIR"
    fi
    SQ_SMTP_DIR=""
}

# Where this file is (sourced: the caller sets SRCDIR).
if [ -n "${SRCDIR:-}" ] && [ -f "$SRCDIR/tests/servers/smtp/start.sh" ]; then
    SQ_SMTP_SCRIPT=$SRCDIR/tests/servers/smtp/start.sh
else
    SQ_SMTP_SCRIPT=$0
fi

if [ "${1:-}" = serve ]; then
    sq_smtp_start || exit $?
    trap sq_smtp_stop EXIT
    trap 'exit 0' INT TERM
    echo "SQ_SMTP_PORT=$SQ_SMTP_PORT (STARTTLS + AUTH)"
    echo "SQ_SMTP_SMTPS_PORT=$SQ_SMTP_SMTPS_PORT (smtps + AUTH)"
    echo "SQ_SMTP_PLAIN_PORT=$SQ_SMTP_PLAIN_PORT (no TLS)"
    echo "SQ_SMTP_MAILDIR=$SQ_SMTP_MAILDIR"
    echo "SQ_SMTP_CA=$SQ_SMTP_CA"
    echo "SQ_SMTP_USER=$SQ_SMTP_USER SQ_SMTP_PASSWORD=$SQ_SMTP_PASSWORD"
    while :; do
        sleep 3600 &
        wait $! || true
    done
fi
