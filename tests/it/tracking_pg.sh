#!/bin/sh
# tracking_pg.sh - the tracker's SQL on PostgreSQL: initdb's a throwaway
# cluster in a temporary directory, starts it on 127.0.0.1 on a port the
# OS picks, and runs tracking_ingest_test and tracking_stats_test against
# it through SQ_TEST_STORE (upserts with ON CONFLICT, CASE in DO UPDATE,
# correlated subqueries, transactions around sq_outbox_mark).  Stopped
# and removed however the test ends.  Skips (77) without the PostgreSQL
# server binaries, without the libpq backend in the library, or without
# the unit test programs.  As root, the server runs as "postgres".
set -eu
NAME=tracking_pg

skip() {
    echo "$NAME: SKIP: $*"
    exit 77
}

bindir=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v initdb)")
else
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d
    done
fi
[ -n "$bindir" ] || skip "no PostgreSQL server binaries (initdb, pg_ctl)"
[ -n "${SQUEAKY:-}" ] || skip "SQUEAKY not set (run through ctest)"
tests=$(dirname "$SQUEAKY")/tests
if [ ! -x "$tests/tracking_ingest_test" ] || [ ! -x "$tests/tracking_stats_test" ]; then
    skip "unit test programs not built in $tests"
fi
command -v python3 >/dev/null 2>&1 || skip "no python3"

run=""
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || skip "running as root and no postgres user"
    command -v runuser >/dev/null 2>&1 || skip "running as root, no runuser"
    run="runuser -u postgres --"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
started=0
# shellcheck disable=SC2317 # called by the trap
cleanup() {
    if [ "$started" = 1 ]; then
        $run "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
[ -z "$run" ] || chown postgres "$tmp"

port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

$run "$bindir/initdb" -D "$tmp/data" -U squeaky -A trust -E UTF8 \
    --locale=C --no-sync >"$tmp/initdb.log" 2>&1 ||
    { cat "$tmp/initdb.log"; exit 1; }
$run "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp -c fsync=off" \
    start >/dev/null || { cat "$tmp/server.log"; exit 1; }
started=1

SQ_TEST_STORE="postgresql://squeaky@127.0.0.1:$port/postgres"
export SQ_TEST_STORE
rc=0
for t in tracking_ingest_test tracking_stats_test; do
    set +e
    "$tests/$t" >"$tmp/$t.log" 2>&1
    r=$?
    set -e
    cat "$tmp/$t.log"
    if [ "$r" != 0 ] && grep -q "not built" "$tmp/$t.log"; then
        skip "library built without the PostgreSQL backend"
    fi
    [ "$r" = 0 ] || rc=1
done
[ "$rc" = 0 ] || tail -20 "$tmp/server.log"
exit $rc
