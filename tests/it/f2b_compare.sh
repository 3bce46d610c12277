#!/bin/sh
# f2b_compare.sh - squeaky's fail2ban filter loader against fail2ban
# itself, line by line: for every supported filter (and mode), both
# fail2ban-regex and tests/it/f2b_driver.c (over libsqueaky) read the
# same log files and print "<ip> <time>" per failure; any difference
# fails.  Also checks that the expanded regexes are the ones fail2ban's
# own FilterReader builds, for every filter in /etc/fail2ban/filter.d.
#
# Logs: tests/data/f2b/*.log (written for this project) and, when
# present, the shared loghub OpenSSH/Linux/Apache samples and the
# CrowdSec sshd fixture (read from $CORPORA, never copied).
# Hosts given as names are left out on both sides: fail2ban would
# resolve them (no network in tests), squeaky never does.
#
# Env: LIBSQUEAKY, SRCDIR, CORPORA (ctest).  Needs cc, fail2ban-regex.
set -eu
: "${SRCDIR:?}" "${LIBSQUEAKY:?}"
NAME=f2b_compare
CORPORA=${CORPORA:-$SRCDIR/../shared/corpora}
command -v cc >/dev/null 2>&1 || { echo "$NAME: SKIP: no cc"; exit 77; }
command -v fail2ban-regex >/dev/null 2>&1 ||
    { echo "$NAME: SKIP: no fail2ban-regex"; exit 77; }
[ -f /etc/fail2ban/filter.d/sshd.conf ] ||
    { echo "$NAME: SKIP: no /etc/fail2ban"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
fail() {
    echo "$NAME: FAIL: $*"
    exit 1
}

san=""
if nm -D "$LIBSQUEAKY" 2>/dev/null | grep -q __asan_init; then
    san="-fsanitize=address,undefined"
fi
D=$TMP/f2b_driver
# shellcheck disable=SC2086
cc -std=c11 -D_GNU_SOURCE -O1 $san -I"$SRCDIR/include" \
    "$SRCDIR/tests/it/f2b_driver.c" "$LIBSQUEAKY" \
    -Wl,-rpath,"$(dirname "$LIBSQUEAKY")" -o "$D" ||
    fail "cannot build f2b_driver"

# 1. expansion: same regexes as fail2ban's FilterReader, every filter
py=/usr/bin/python3
same=0
refused=0
if $py -c 'import fail2ban' 2>/dev/null; then
    for conf in /etc/fail2ban/filter.d/*.conf; do
        n=$(basename "$conf" .conf)
        case $n in common | *-common) continue ;; esac
        $py "$SRCDIR/tests/it/f2b_expand.py" /etc/fail2ban "$n" \
            >"$TMP/py" 2>/dev/null || continue
        if ! "$D" -x "$n" >"$TMP/c" 2>"$TMP/err"; then
            # refused on purpose: multi-line filters
            grep -q 'SKIPLINES' "$TMP/err" || fail "$n: $(cat "$TMP/err")"
            refused=$((refused + 1))
            continue
        fi
        grep -v '^note: ' "$TMP/c" >"$TMP/c2" || true
        cmp -s "$TMP/py" "$TMP/c2" ||
            { diff "$TMP/py" "$TMP/c2" | head -5; fail "$n: expansion differs"; }
        same=$((same + 1))
    done
    echo "$NAME: expansion: $same filters identical to fail2ban's, $refused refused (<SKIPLINES>)"
    [ "$same" -ge 80 ] || fail "only $same filters expanded identically"
fi

# 2. matches, line by line
files="$SRCDIR/tests/data/f2b/*.log"
for c in loghub/OpenSSH/OpenSSH_2k.log loghub/Linux/Linux_2k.log \
    loghub/Apache/Apache_2k.log crowdsec-hub/sshd-logs.log; do
    [ -f "$CORPORA/logs/$c" ] && files="$files $CORPORA/logs/$c"
done
total=0
for spec in sshd 'sshd[mode=aggressive]' 'sshd[mode=ddos]' \
    'sshd[mode=extra]' postfix 'postfix[mode=auth]' \
    'postfix[mode=aggressive]' 'postfix[mode=ddos]' dovecot \
    'dovecot[mode=aggressive]' apache-auth nginx-http-auth recidive exim \
    'exim[mode=aggressive]'; do
    n=0
    for f in $files; do
        TZ=UTC fail2ban-regex -o '<ip> <time>' "$f" "$spec" \
            >"$TMP/fb" 2>/dev/null || fail "fail2ban-regex $spec $f"
        TZ=UTC "$D" "$spec" "$f" >"$TMP/sq" 2>"$TMP/sqerr" ||
            fail "f2b_driver $spec $f: $(cat "$TMP/sqerr")"
        grep -v '^name:' "$TMP/sq" >"$TMP/sq2" || true
        if ! cmp -s "$TMP/fb" "$TMP/sq2"; then
            diff "$TMP/fb" "$TMP/sq2" | head -10
            fail "$spec on $(basename "$f"): matches differ"
        fi
        k=$(wc -l <"$TMP/fb")
        n=$((n + k))
    done
    echo "$NAME: $spec: $n matches, identical (host and time)"
    total=$((total + n))
done
nf=0
for f in $files; do nf=$((nf + 1)); done
echo "$NAME: OK: $total matches compared over $nf files"
