#!/bin/sh
# outbox_pg.sh - tests/unit/outbox_test on PostgreSQL: initdb's a
# throwaway cluster in a temporary directory on a free port of 127.0.0.1
# and runs outbox_test with SQ_TEST_STORE pointing at it (the SQL of the
# outbox - ids, upserts, COALESCE/NULLIF, string concatenation - must
# work on both backends).  Stopped and removed however the test ends.
# Skips (77) without the PostgreSQL server binaries, without libpq in
# the library, or when outbox_test is not built.  As root the server
# runs as "postgres".
set -eu

skip() {
    echo "outbox_pg: SKIP: $*"
    exit 77
}

bindir=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d
done
if [ -z "$bindir" ] && command -v initdb >/dev/null 2>&1; then
    bindir=$(dirname "$(command -v initdb)")
fi
[ -n "$bindir" ] || skip "no PostgreSQL server binaries"
[ -n "${SQUEAKY:-}" ] || skip "SQUEAKY not set (run through ctest)"
test_bin=$(dirname "$SQUEAKY")/tests/outbox_test
[ -x "$test_bin" ] || skip "$test_bin not built"
command -v python3 >/dev/null 2>&1 || skip "no python3"

run=""
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || skip "running as root and no postgres user"
    command -v runuser >/dev/null 2>&1 || skip "running as root, no runuser"
    run="runuser -u postgres --"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/outbox_pg.XXXXXX")
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
chmod 755 "$tmp"
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
set +e
"$test_bin"
r=$?
set -e
[ "$r" != 77 ] || skip "outbox_test skipped"
exit "$r"
