# start-all.sh - start the local RDAP, whois and DNS test servers.
#
# POSIX sh, meant to be SOURCED by a test script:
#
#     SRCDIR=/path/to/squeaky          # the source tree (ctest sets it)
#     . "$SRCDIR/tests/servers/start-all.sh"
#     sq_servers_start || exit 1       # or exit 77 when it says "skip"
#     trap sq_servers_stop EXIT INT TERM
#     ... run tests ...
#
# sq_servers_start starts, on 127.0.0.1 and on ports the OS chooses:
#   rdap_replay.py  (HTTP)     maps tests/servers/rdap.map
#   whois_replay.py (port 43)  maps tests/servers/whois.map
#   nsd             (DNS)      zones in tests/servers/zones/
# waits (at most 10 s each) until each answers, and exports
#   SQ_TEST_RDAP_URL=http://127.0.0.1:PORT   (registries under /arin/ ...)
#   SQ_TEST_WHOIS=127.0.0.1:PORT
#   SQ_TEST_WHOIS6=[::1]:PORT (the same server; "" when ::1 is missing)
#   SQ_TEST_DNS=127.0.0.1:PORT                (for ares_set_servers_ports_csv)
#   SQ_TEST_RDAP_LOG, SQ_TEST_WHOIS_LOG       (one line per request)
#   SQ_TEST_SERVERS_TMP                       (their temporary directory)
# It returns 0, 77 when python3 or nsd is missing (the test should skip),
# or 1 with a message on stderr when a server does not come up.
#
# Inputs: SRCDIR (required), CORPORA (default $SRCDIR/../shared/corpora;
# the recorded answers are read from $CORPORA/whois; when absent the
# servers still run and answer 404 / "no entries"), SQ_TEST_DELAY_MS
# (latency added to every RDAP and whois answer, default 0).
#
# sq_servers_stop kills exactly the processes it started (by pid) and
# removes the temporary directory; it is safe to call twice.

sq_servers_pids=""

sq__find_nsd() {
    for d in $(echo "$PATH" | tr ':' ' ') /usr/sbin /usr/local/sbin /sbin; do
        if [ -x "$d/nsd" ]; then
            echo "$d/nsd"
            return 0
        fi
    done
    return 1
}

# sq__wait WHAT COMMAND...: run COMMAND every 0.1 s until it succeeds,
# at most 10 s.
sq__wait() {
    sq__what=$1
    shift
    sq__i=0
    while [ "$sq__i" -lt 100 ]; do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
        sq__i=$((sq__i + 1))
    done
    echo "start-all.sh: $sq__what did not answer within 10 s" >&2
    return 1
}

sq__wait_file() {
    sq__i=0
    while [ "$sq__i" -lt 100 ]; do
        if [ -s "$1" ]; then
            return 0
        fi
        sleep 0.1
        sq__i=$((sq__i + 1))
    done
    echo "start-all.sh: $2 wrote no port within 10 s" >&2
    return 1
}

sq__nsd_conf() {
    cat >"$SQ_TEST_SERVERS_TMP/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$1
    port: $1
    username: ""
    chroot: ""
    zonesdir: "$sq__srv/zones"
    pidfile: "$SQ_TEST_SERVERS_TMP/nsd.pid"
    database: ""
    zonelistfile: "$SQ_TEST_SERVERS_TMP/zone.list"
    xfrdfile: "$SQ_TEST_SERVERS_TMP/xfrd.state"
    xfrdir: "$SQ_TEST_SERVERS_TMP"
    logfile: "$SQ_TEST_SERVERS_TMP/nsd.log"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
EOF
    for z in "$sq__srv"/zones/*.zone; do
        zn=$(basename "$z" .zone)
        printf 'zone:\n    name: %s\n    zonefile: %s.zone\n' "$zn" "$zn" \
            >>"$SQ_TEST_SERVERS_TMP/nsd.conf"
    done
}

# Start nsd on a free port; a port taken between the choice and nsd's
# bind is retried with another one.
sq__start_nsd() {
    sq__try=0
    while [ "$sq__try" -lt 3 ]; do
        sq__try=$((sq__try + 1))
        port=$(python3 "$sq__srv/probe.py" freeport) || return 1
        sq__nsd_conf "$port"
        "$sq__nsd" -d -c "$SQ_TEST_SERVERS_TMP/nsd.conf" \
            >>"$SQ_TEST_SERVERS_TMP/nsd.out" 2>&1 &
        sq__pid=$!
        sq_servers_pids="$sq_servers_pids $sq__pid"
        if sq__wait "nsd on port $port" python3 "$sq__srv/probe.py" dns \
            127.0.0.1 "$port" AS15169.asn.cymru.com; then
            SQ_TEST_DNS="127.0.0.1:$port"
            return 0
        fi
        kill "$sq__pid" 2>/dev/null
        wait "$sq__pid" 2>/dev/null
    done
    echo "start-all.sh: nsd failed; its log:" >&2
    cat "$SQ_TEST_SERVERS_TMP/nsd.out" "$SQ_TEST_SERVERS_TMP/nsd.log" >&2 2>/dev/null
    return 1
}

sq__start_replay() {
    name=$1
    shift
    python3 "$sq__srv/$name.py" "$@" --map "$sq__srv/${name%_replay}.map" \
        --root "$sq__root" --port 0 \
        --port-file "$SQ_TEST_SERVERS_TMP/$name.port" \
        --delay-ms "${SQ_TEST_DELAY_MS:-0}" \
        --log "$SQ_TEST_SERVERS_TMP/${name%_replay}.log" \
        >>"$SQ_TEST_SERVERS_TMP/$name.out" 2>&1 &
    sq_servers_pids="$sq_servers_pids $!"
    sq__wait_file "$SQ_TEST_SERVERS_TMP/$name.port" "$name" || {
        cat "$SQ_TEST_SERVERS_TMP/$name.out" >&2
        return 1
    }
}

sq_servers_start() {
    if [ -z "${SRCDIR:-}" ]; then
        echo "start-all.sh: set SRCDIR to the source tree" >&2
        return 1
    fi
    sq__srv="$SRCDIR/tests/servers"
    sq__root="${CORPORA:-$SRCDIR/../shared/corpora}/whois"
    if ! command -v python3 >/dev/null 2>&1; then
        echo "start-all.sh: skip: python3 not found" >&2
        return 77
    fi
    if ! sq__nsd=$(sq__find_nsd); then
        echo "start-all.sh: skip: nsd not found (apt-get install nsd)" >&2
        return 77
    fi
    SQ_TEST_SERVERS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sq-servers.XXXXXX") ||
        return 1
    export SQ_TEST_SERVERS_TMP

    sq__start_replay rdap_replay || return 1
    sq__start_replay whois_replay --bind6 ::1 || return 1
    SQ_TEST_RDAP_URL="http://127.0.0.1:$(cat "$SQ_TEST_SERVERS_TMP/rdap_replay.port")"
    SQ_TEST_WHOIS="127.0.0.1:$(cat "$SQ_TEST_SERVERS_TMP/whois_replay.port")"
    sq__wait "rdap_replay at $SQ_TEST_RDAP_URL" python3 "$sq__srv/probe.py" \
        http "$SQ_TEST_RDAP_URL/echo" || return 1
    sq__wait "whois_replay at $SQ_TEST_WHOIS" python3 "$sq__srv/probe.py" \
        tcp 127.0.0.1 "${SQ_TEST_WHOIS#127.0.0.1:}" || return 1
    sq__start_nsd || return 1
    # The whois server also listens on [::1] when the host has IPv6.
    SQ_TEST_WHOIS6=""
    if python3 "$sq__srv/probe.py" tcp ::1 "${SQ_TEST_WHOIS#127.0.0.1:}"; then
        SQ_TEST_WHOIS6="[::1]:${SQ_TEST_WHOIS#127.0.0.1:}"
    fi
    export SQ_TEST_WHOIS6

    SQ_TEST_RDAP_LOG="$SQ_TEST_SERVERS_TMP/rdap.log"
    SQ_TEST_WHOIS_LOG="$SQ_TEST_SERVERS_TMP/whois.log"
    export SQ_TEST_RDAP_URL SQ_TEST_WHOIS SQ_TEST_DNS SQ_TEST_RDAP_LOG \
        SQ_TEST_WHOIS_LOG
    return 0
}

sq_servers_stop() {
    for p in $sq_servers_pids; do
        kill "$p" 2>/dev/null
    done
    for p in $sq_servers_pids; do
        wait "$p" 2>/dev/null
    done
    sq_servers_pids=""
    if [ -n "${SQ_TEST_SERVERS_TMP:-}" ] && [ -d "$SQ_TEST_SERVERS_TMP" ]; then
        rm -rf "$SQ_TEST_SERVERS_TMP"
    fi
    SQ_TEST_SERVERS_TMP=""
}
