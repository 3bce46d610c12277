#!/bin/sh
# transport.sh: the HTTP, port-43 and DNS clients against real local
# servers (rdap_replay.py, whois_replay.py, nsd) started by
# tests/servers/start-all.sh on free ports of 127.0.0.1.  Runs the unit
# program tests/transport_test (built beside the squeaky program) and
# exits with its code; 77 (skip) when python3 or nsd is missing.
set -u
: "${SQUEAKY:?}"
SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TT="$(dirname "$SQUEAKY")/tests/transport_test"
if [ ! -x "$TT" ]; then
    echo "transport: $TT not built" >&2
    exit 1
fi

. "$SRCDIR/tests/servers/start-all.sh"
trap sq_servers_stop EXIT
trap 'exit 1' INT TERM
sq_servers_start
rc=$?
if [ "$rc" -ne 0 ]; then
    exit "$rc"
fi
"$TT"
rc=$?
echo "transport: transport_test exited $rc"
exit "$rc"
