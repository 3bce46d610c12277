#!/bin/sh
# store_pg.sh - every store-backed module on PostgreSQL, against one
# throwaway cluster.
#
# initdb's a cluster in a temporary directory, starts it on 127.0.0.1 on
# a port the OS picks (unix socket in the same directory), and runs the
# backend-neutral parts of store_test, cache_test, outbox_test and the
# tracking tests against it through SQ_TEST_STORE, each in a database of
# its own (createdb).  The cluster is stopped and the directory removed
# however the test ends.  Skips (77) when the PostgreSQL server binaries
# are absent, when the library was built without libpq, or when the unit
# test programs are not built.  As root, the server runs as the
# "postgres" user (it refuses to run as root).
set -eu

skip() {
    echo "store_pg: SKIP: $*"
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
[ -x "$tests/store_test" ] && [ -x "$tests/cache_test" ] ||
    skip "unit test programs not built in $tests"

# A library without the backend says so before any server is needed.
set +e
SQ_TEST_STORE="postgresql://127.0.0.1:1/none" "$tests/store_test" >/dev/null 2>&1
r=$?
set -e
[ "$r" != 77 ] || skip "library built without the PostgreSQL backend"

run=""
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || skip "running as root and no postgres user"
    command -v runuser >/dev/null 2>&1 || skip "running as root, no runuser"
    run="runuser -u postgres --"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/store_pg.XXXXXX")
started=0
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

createdb=$bindir/createdb
[ -x "$createdb" ] || createdb=$(command -v createdb || echo /usr/bin/createdb)
rc=0
for t in store_test cache_test outbox_test tracking_ingest_test \
    tracking_stats_test scan_wm_test; do
    [ -x "$tests/$t" ] || { echo "store_pg: $t not built"; rc=1; continue; }
    "$createdb" -h 127.0.0.1 -p "$port" -U squeaky "$t" ||
        { rc=1; continue; }
    SQ_TEST_STORE="postgresql://squeaky@127.0.0.1:$port/$t"
    export SQ_TEST_STORE
    set +e
    "$tests/$t"
    r=$?
    set -e
    if [ "$r" = 77 ]; then
        skip "$t: library built without the PostgreSQL backend"
    fi
    [ "$r" = 0 ] || rc=1
done
exit $rc
