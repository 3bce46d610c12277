#!/usr/bin/env bash
# run-scan.sh - log scanning benchmark (issue 6, "Speed"): `squeaky scan`
# side by side with fail2ban-regex (Debian's fail2ban) and grep, in one run.
#
#   1. sshd: one generated auth.log (bench/gen-logs.py --kind sshd, 1 M
#      lines, 120,000 distinct sources, 35% noise) through
#        fail2ban-regex FILE sshd                  (timed once: it is slow)
#        squeaky scan --count --filter sshd FILE   (fail2ban's filter.d/sshd.conf)
#        squeaky scan --count --format sshd FILE   (built-in scanner)
#        squeaky scan --count FILE                 (the same, format auto)
#        grep -c 'Failed password' FILE            (the floor)
#      squeaky's filter count must equal fail2ban-regex's "matched" count
#      (the run fails otherwise), and on a BENCH_CHECK_LINES sample the
#      (host, time) pairs must be the same multiset:
#        TZ=UTC fail2ban-regex -o '<ip> <time>' SAMPLE sshd
#        TZ=UTC squeaky scan --json --filter sshd SAMPLE
#      The built-in scanner's events on the sample are compared with the
#      same pairs (coverage, printed, not a failure: it counts more lines
#      than fail2ban's normal mode, see docs/SCAN.md).
#   2. netfilter: generated kernel LOG lines (--kind netfilter) through
#      `squeaky scan --count --format netfilter`, the same with format
#      auto, and `grep -c 'SRC='`.
#      fail2ban ships no netfilter filter, so it has no row here.
#   3. memory: 10 M sshd lines from 1 M distinct sources through
#      `squeaky scan FILE > /dev/null` (the aggregating path): max RSS and
#      lines/s from GNU time; then the same file through --count --format
#      sshd and grep -c, where process start-up no longer counts.
#
# Data generation is never timed.  Generated logs are cached in
# $BENCH_DIR (named by their parameters) and reused; the 10 M-line file
# is ~1.1 GB.  Every command runs under timeout(1) ($BENCH_TIMEOUT s).
# All runs use TZ=UTC (syslog stamps carry no zone; both tools would
# otherwise read them in the machine's zone) and start with the file in
# the page cache.
#
# Fast commands are timed BENCH_REPS times and the best wall time is kept
# (the machine is shared); fail2ban-regex runs once.  Wall time is taken
# with date +%s%N around the process (GNU time's %e has 10 ms resolution),
# CPU time and max RSS from GNU time.
#
# Without a `scan` command in $SQUEAKY (it is being written) the script
# says so and, with BENCH_LIB=1, measures the library instead:
# tests/it/f2b_driver.c (compiled here against libsqueaky) for the filter
# path and tests/scan_bench_test (from the build) for the built-in
# scanner; the memory part is skipped then.
#
# Needs python3, fail2ban-regex (Debian fail2ban), GNU time
# (/usr/bin/time: apt-get install time), timeout, grep, a built squeaky.
#
# Environment (all optional):
#   SQUEAKY            squeaky binary (default: first of build/release,
#                      build/dev, build/bench under the repository)
#   BENCH_LINES        sshd and netfilter lines          (default 1000000)
#   BENCH_IPS          distinct sources in those files   (default 120000)
#   BENCH_NOISE        share of noise lines              (default 0.35)
#   BENCH_SEED         generator seed                    (default 1)
#   BENCH_F2B_LINES    run fail2ban-regex (and the equality check) on the
#                      first N lines only; rates are still compared in
#                      lines/s (default: all lines; ~1-2 min per 1 M lines
#                      on the 2-core project machine)
#   BENCH_CHECK_LINES  sample for the (host, time) comparison (default 20000)
#   BENCH_MEM_LINES    lines of the memory run, 0 = skip (default 10000000)
#   BENCH_MEM_IPS      distinct sources of the memory run (default 1000000)
#   BENCH_REPS         timed runs of each fast command, best kept (default 3)
#   BENCH_TIMEOUT      seconds any one command may take   (default 600)
#   BENCH_F2B_DIR      fail2ban configuration directory   (default /etc/fail2ban)
#   BENCH_DIR          generated logs (default bench/.data; it gets a
#                      .gitignore of "*" so git never sees the data)
#   BENCH_OUT          results (default $TMPDIR/squeaky-bench-scan)
#   BENCH_LIB=1        measure libsqueaky when squeaky has no scan command
#
# Output: progress, the checks, then Markdown tables (also in
# $BENCH_OUT/table.md).  Exit 0, 1 when a check failed, 2 when something
# needed is missing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
lines=${BENCH_LINES:-1000000}
ips=${BENCH_IPS:-120000}
noise=${BENCH_NOISE:-0.35}
seed=${BENCH_SEED:-1}
f2b_lines=${BENCH_F2B_LINES:-$lines}
check_lines=${BENCH_CHECK_LINES:-20000}
mem_lines=${BENCH_MEM_LINES:-10000000}
mem_ips=${BENCH_MEM_IPS:-1000000}
reps=${BENCH_REPS:-3}
limit=${BENCH_TIMEOUT:-600}
f2b_dir=${BENCH_F2B_DIR:-/etc/fail2ban}
data=${BENCH_DIR:-$here/.data}
out=${BENCH_OUT:-${TMPDIR:-/tmp}/squeaky-bench-scan}
export TZ=UTC LC_ALL=C

die() {
    echo "run-scan: $*" >&2
    exit 2
}
sq=${SQUEAKY:-}
for p in build/release build/dev build/bench; do
    [ -n "$sq" ] || { [ -x "$root/$p/squeaky" ] && sq=$root/$p/squeaky; }
done
if [ -z "$sq" ] || [ ! -x "$sq" ]; then
    die "no squeaky binary (set SQUEAKY or run 'cmake --workflow --preset release')"
fi
[ -x /usr/bin/time ] || die "GNU time is missing (apt-get install time)"
for t in python3 fail2ban-regex timeout grep; do
    command -v "$t" >/dev/null || die "$t is missing"
done
[ -f "$f2b_dir/filter.d/sshd.conf" ] || die "no $f2b_dir/filter.d/sshd.conf"
# fail2ban-regex takes the filter by path; squeaky gets --filter-dir only
# when BENCH_F2B_DIR is set (its default is /etc/fail2ban too)
f2b_conf=$f2b_dir/filter.d/sshd.conf
filter_dir=()
[ -z "${BENCH_F2B_DIR:-}" ] || filter_dir=(--filter-dir "$f2b_dir")
for v in LINES:lines IPS:ips F2B_LINES:f2b_lines CHECK_LINES:check_lines \
    MEM_LINES:mem_lines MEM_IPS:mem_ips REPS:reps TIMEOUT:limit; do
    n=${v#*:}
    case ${!n} in '' | *[!0-9]*) die "BENCH_${v%%:*} must be a number" ;; esac
done
if [ "$lines" -eq 0 ] || [ "$ips" -eq 0 ] || [ "$f2b_lines" -eq 0 ] ||
    [ "$check_lines" -eq 0 ] || [ "$limit" -eq 0 ]; then
    die "BENCH_LINES, BENCH_IPS, BENCH_F2B_LINES, BENCH_CHECK_LINES and BENCH_TIMEOUT must be > 0"
fi
[ "$f2b_lines" -le "$lines" ] || f2b_lines=$lines
[ "$check_lines" -le "$lines" ] || check_lines=$lines
[ "$reps" -ge 1 ] || reps=1

mode=cli
if ! "$sq" scan --help >/dev/null 2>&1; then
    [ "${BENCH_LIB:-0}" = 1 ] ||
        die "$sq has no 'scan' command yet (BENCH_LIB=1 measures libsqueaky instead)"
    mode=lib
fi
mkdir -p "$data" "$out"
[ -e "$data/.gitignore" ] || echo '*' >"$data/.gitignore"
rm -f "$out"/*.out "$out"/*.err "$out"/*.t* "$out"/*.wall "$out"/*.txt "$out/table.md"
status=0

# ---- helpers ------------------------------------------------------------

# gen NAME ARGS...: the generated log $data/NAME (cached), its summary in
# $data/NAME.meta.  Written to a temporary name first: a killed run
# leaves no half file behind.
gen() {
    local name=$1
    shift
    if [ ! -s "$data/$name" ] || [ ! -s "$data/$name.meta" ]; then
        echo "   generating $name ..."
        python3 "$here/gen-logs.py" "$@" -o "$data/$name.part" 2>"$data/$name.meta.part"
        mv "$data/$name.meta.part" "$data/$name.meta"
        mv "$data/$name.part" "$data/$name"
    fi
    echo "   $name: $(sed 's/^gen-logs: //' "$data/$name.meta")"
}

# prefix SRC N DST: the first N lines of SRC (cached)
prefix() {
    if [ ! -s "$data/$3" ]; then
        head -n "$2" "$data/$1" >"$data/$3.part"
        mv "$data/$3.part" "$data/$3"
    fi
}

# timed NAME REPS OKRC CMD...: runs CMD REPS times under timeout and GNU
# time, stdout to $out/NAME.out.  Keeps the best wall time (ns clock) in
# $out/NAME.wall as "wall cpu maxrss_kib".  An exit status above OKRC
# (1 for grep -c and squeaky's "nothing found") stops the run.
# TIMED_STDOUT=/dev/null sends stdout there instead.
timed() {
    local name=$1 n=$2 okrc=$3 i rc t0 t1 best="" line
    shift 3
    for ((i = 0; i < n; i++)); do
        rc=0
        t0=$(date +%s%N)
        timeout "$limit" /usr/bin/time -f '%U %S %M' -o "$out/$name.t$i" \
            "$@" >"${TIMED_STDOUT:-$out/$name.out}" 2>"$out/$name.err" || rc=$?
        t1=$(date +%s%N)
        if [ "$rc" -eq 124 ]; then
            echo "run-scan: $name: killed after $limit s (BENCH_TIMEOUT)" >&2
            exit 1
        fi
        if [ "$rc" -gt "$okrc" ]; then
            echo "run-scan: $name exited $rc: $*" >&2
            head -5 "$out/$name.err" >&2
            exit 1
        fi
        line=$(awk -v w="$(((t1 - t0) / 1000))" \
            '{ printf "%.3f %.2f %d\n", w / 1e6, $1 + $2, $3 }' "$out/$name.t$i")
        if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" \
            'BEGIN { exit !(a < b) }'; then
            best=$line
        fi
    done
    echo "$best" >"$out/$name.wall"
    echo "   $name: best wall ${best%% *} s of $n"
}

# wall NAME / cpu NAME / rss NAME (MiB)
wall() { cut -d' ' -f1 "$out/$1.wall"; }
rate() { awk -v l="$2" -v w="$(wall "$1")" 'BEGIN { printf "%.0f", l / w }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

# row TOOL NAME LINES EVENTS [VS_F2B_RATE] [VS_GREP_RATE]: a Markdown row
row() {
    local r f g cr
    r=$(rate "$2" "$3")
    f=${5:+$(ratio "$r" "$5")×}
    g=${6:+$(ratio "$6" "$r")×}
    read -r w c m <"$out/$2.wall"
    cr=$(awk -v l="$3" -v c="$c" 'BEGIN { if (c + 0 > 0) printf "%.0f", l / c; else printf "–" }')
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$3" "$4" \
        "$w" "$c" "$r" "$cr" "${f:-–}" "${g:-–}" "$((m / 1024))"
}

# f2b_pairs FILE: fail2ban-regex's "<ip> <epoch>" per match
f2b_pairs() {
    timeout "$limit" fail2ban-regex -o '<ip> <time>' "$1" "$f2b_conf" | sed 's/\.0$//'
}

# json_pairs: squeaky scan --json on stdin -> "<ip> <epoch>" (events with
# a time), and "<ip> <epoch> <type>[/helper]" with -t
json_pairs() {
    python3 -c '
import calendar, json, sys, time
typ = len(sys.argv) > 1
for line in sys.stdin:
    e = json.loads(line)
    if not e.get("time"):
        continue
    t = calendar.timegm(time.strptime(e["time"][:19], "%Y-%m-%dT%H:%M:%S"))
    k = (e.get("type") or "?") + ("/helper" if e.get("helper") else "")
    f = [e["source_ip"], str(t)] + ([k] if typ else [])
    print(" ".join(f))
' "$@"
}

# ---- data ---------------------------------------------------------------

echo "== squeaky: $sq ($mode$([ "$mode" = lib ] && echo ': no scan command, measuring libsqueaky'))"
echo "== $(fail2ban-regex --version 2>&1 | head -1), filters from $f2b_dir; $(grep --version | head -1)"
echo "== host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== data in $data (not timed)"
sshd_log=sshd-$lines-$ips-$noise-$seed.log
nf_log=netfilter-$lines-$ips-$noise-$seed.log
gen "$sshd_log" --kind sshd --lines "$lines" --ips "$ips" --noise "$noise" --seed "$seed"
gen "$nf_log" --kind netfilter --lines "$lines" --ips "$ips" --noise "$noise" --seed "$seed"
f2b_log=$sshd_log
if [ "$f2b_lines" -lt "$lines" ]; then
    f2b_log=${sshd_log%.log}.head$f2b_lines.log
    prefix "$sshd_log" "$f2b_lines" "$f2b_log"
fi
sample=${sshd_log%.log}.head$check_lines.log
prefix "$sshd_log" "$check_lines" "$sample"
mem_log=""
if [ "$mem_lines" -gt 0 ] && [ "$mode" = cli ]; then
    mem_log=sshd-$mem_lines-$mem_ips-$noise-$seed.log
    gen "$mem_log" --kind sshd --lines "$mem_lines" --ips "$mem_ips" --noise "$noise" --seed "$seed"
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. sshd ------------------------------------------------------------

S=$data/$sshd_log
echo "== 1. sshd, $lines lines"
cat "$S" "$data/$f2b_log" >/dev/null
if [ "$mode" = lib ]; then
    drv=$out/f2b_driver
    cc -std=c11 -D_GNU_SOURCE -O2 -I"$root/include" "$root/tests/it/f2b_driver.c" \
        "$(dirname "$sq")/libsqueaky.so" -Wl,-rpath,"$(dirname "$sq")" -o "$drv" ||
        die "cannot build tests/it/f2b_driver.c"
    bt=$(dirname "$sq")/tests/scan_bench_test
    [ -x "$bt" ] || die "no $bt (build the tests)"
    sq_filter=("$drv" -c "$f2b_dir" -q sshd)
    filter_count() { sed -n 's/.*matched=\([0-9]*\).*/\1/p' "$out/$1.out"; }
else
    sq_filter=("$sq" scan --count --filter sshd "${filter_dir[@]}")
    filter_count() { tr -d ' \n' <"$out/$1.out"; }
fi

echo "   fail2ban-regex on $f2b_lines lines (once; slow) ..."
timed f2b 1 0 fail2ban-regex "$data/$f2b_log" "$f2b_conf"
f2b_matched=$(sed -n 's/^Lines: [0-9]* lines, [0-9]* ignored, \([0-9]*\) matched.*/\1/p' "$out/f2b.out")
f2b_seen=$(sed -n 's/^Lines: \([0-9]*\) lines.*/\1/p' "$out/f2b.out")
[ -n "$f2b_matched" ] || die "no 'Lines: ... matched' line in fail2ban-regex's output ($out/f2b.out)"
[ "$f2b_seen" = "$f2b_lines" ] || echo "   note: fail2ban-regex read $f2b_seen lines of $f2b_lines"
f2b_rate=$(rate f2b "$f2b_lines")

timed filter "$reps" 1 "${sq_filter[@]}" "$S"
filter_events=$(filter_count filter)
if [ "$f2b_log" != "$sshd_log" ]; then
    timed filter-prefix 1 1 "${sq_filter[@]}" "$data/$f2b_log"
    filter_prefix=$(filter_count filter-prefix)
else
    filter_prefix=$filter_events
fi
if [ "$filter_prefix" = "$f2b_matched" ]; then
    echo "   check: squeaky --filter sshd matched $filter_prefix lines of $f2b_lines = fail2ban-regex's $f2b_matched: OK"
else
    echo "   CHECK FAILED: squeaky --filter sshd matched '$filter_prefix' lines of $f2b_lines, fail2ban-regex $f2b_matched" >&2
    status=1
fi

if [ "$mode" = lib ]; then
    SQ_SCAN_BENCH_FILE=$S SQ_SCAN_BENCH_FORMAT=sshd "$bt" >"$out/builtin.lib.txt"
    # its own clock: best of its three streamed passes (1 MiB reads)
    awk '/streamed in 1 MiB/ { s = $(NF - 3); if (b == "" || s < b) { b = s; e = $(NF - 5) } }
         END { printf "%.3f - 0\n", b; print e > "/dev/stderr" }' \
        "$out/builtin.lib.txt" >"$out/builtin.wall" 2>"$out/builtin.out"
    echo "   builtin (scan_bench_test, streamed): best $(wall builtin) s"
else
    timed builtin "$reps" 1 "$sq" scan --count --format sshd "$S"
    timed auto "$reps" 1 "$sq" scan --count "$S"
    auto_events=$(tr -d ' \n' <"$out/auto.out")
fi
builtin_events=$(tr -d ' \n' <"$out/builtin.out")
[ "$mode" = lib ] || [ "$auto_events" = "$builtin_events" ] ||
    echo "   NOTE: --format auto found $auto_events events, --format sshd $builtin_events"
timed grep "$reps" 1 grep -c 'Failed password' "$S"
grep_count=$(cat "$out/grep.out")

echo "== 1b. same matches: (host, time) pairs on the first $check_lines lines"
f2b_pairs "$data/$sample" | sort >"$out/pairs-f2b.txt"
if [ "$mode" = lib ]; then
    "$drv" -c "$f2b_dir" sshd "$data/$sample" | sed 's/\.0$//' | sort >"$out/pairs-filter.txt"
else
    rc=0
    timeout "$limit" "$sq" scan --json --filter sshd "${filter_dir[@]}" \
        "$data/$sample" >"$out/filter.jsonl" 2>"$out/filter-json.err" || rc=$?
    [ "$rc" -le 1 ] || die "squeaky scan --json --filter sshd exited $rc: $(head -1 "$out/filter-json.err")"
    json_pairs <"$out/filter.jsonl" | sort >"$out/pairs-filter.txt"
fi
n_f2b=$(wc -l <"$out/pairs-f2b.txt")
if cmp -s "$out/pairs-f2b.txt" "$out/pairs-filter.txt"; then
    echo "   check: $n_f2b (host, time) pairs, identical in fail2ban-regex -o and squeaky --filter sshd: OK"
else
    echo "   CHECK FAILED: (host, time) pairs differ (< fail2ban-regex, > squeaky); first ones:" >&2
    diff "$out/pairs-f2b.txt" "$out/pairs-filter.txt" | grep '^[<>]' | head -10 >&2
    status=1
fi
if [ "$mode" = cli ]; then
    rc=0
    timeout "$limit" "$sq" scan --json --format sshd "$data/$sample" \
        >"$out/builtin.jsonl" 2>/dev/null || rc=$?
    [ "$rc" -le 1 ] || die "squeaky scan --json --format sshd exited $rc"
    json_pairs -t <"$out/builtin.jsonl" | sort >"$out/pairs-builtin-typed.txt"
    cut -d' ' -f1,2 "$out/pairs-builtin-typed.txt" >"$out/pairs-builtin.txt"
    both=$(comm -12 "$out/pairs-f2b.txt" "$out/pairs-builtin.txt" | wc -l)
    echo "   built-in scanner: $(wc -l <"$out/pairs-builtin.txt") events with a time;" \
        "$both of fail2ban's $n_f2b pairs among them (coverage, not required equal)"
    echo "   built-in events by type: $(cut -d' ' -f3 "$out/pairs-builtin-typed.txt" |
        sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
    comm -23 "$out/pairs-f2b.txt" "$out/pairs-builtin.txt" >"$out/only-f2b.txt"
    [ -s "$out/only-f2b.txt" ] &&
        echo "   fail2ban-only pairs (first 3): $(head -3 "$out/only-f2b.txt" | tr '\n' ';')"
fi

# ---- 2. netfilter -------------------------------------------------------

N=$data/$nf_log
echo "== 2. netfilter, $lines lines (fail2ban has no stock netfilter filter: no fail2ban row)"
cat "$N" >/dev/null
if [ "$mode" = lib ]; then
    SQ_SCAN_BENCH_FILE=$N SQ_SCAN_BENCH_FORMAT=netfilter "$bt" >"$out/nf.lib.txt" || true
    awk '/streamed in 1 MiB/ { s = $(NF - 3); if (b == "" || s < b) { b = s; e = $(NF - 5) } }
         END { printf "%.3f - 0\n", b; print e > "/dev/stderr" }' \
        "$out/nf.lib.txt" >"$out/nf.wall" 2>"$out/nf.out"
    echo "   nf (scan_bench_test, streamed): best $(wall nf) s"
else
    timed nf "$reps" 1 "$sq" scan --count --format netfilter "$N"
    timed nfauto "$reps" 1 "$sq" scan --count "$N"
    nfauto_events=$(tr -d ' \n' <"$out/nfauto.out")
fi
nf_events=$(tr -d ' \n' <"$out/nf.out")
[ "$mode" = lib ] || [ "$nfauto_events" = "$nf_events" ] ||
    echo "   NOTE: --format auto found $nfauto_events events, --format netfilter $nf_events"
timed nfgrep "$reps" 1 grep -c 'SRC=' "$N"
nf_grep=$(cat "$out/nfgrep.out")
nf_allow=$(grep -c '\[UFW ALLOW\]' "$N" || true)
if [ "$nf_events" = "$((nf_grep - nf_allow))" ]; then
    echo "   check: $nf_events events = $nf_grep SRC= lines - $nf_allow [UFW ALLOW] lines: OK"
else
    echo "   NOTE: $nf_events events, expected $nf_grep SRC= lines - $nf_allow [UFW ALLOW] = $((nf_grep - nf_allow)) (docs/SCAN.md)"
fi

# ---- 3. memory ----------------------------------------------------------

if [ -n "$mem_log" ]; then
    M=$data/$mem_log
    echo "== 3. memory: $mem_lines lines, $mem_ips distinct sources, squeaky scan FILE > /dev/null"
    cat "$M" >/dev/null
    TIMED_STDOUT=/dev/null timed mem 1 1 "$sq" scan "$M"
    echo "   the same file through --count --format sshd and grep -c (start-up amortized)"
    timed builtin10 "$reps" 1 "$sq" scan --count --format sshd "$M"
    timed grep10 "$reps" 1 grep -c 'Failed password' "$M"
    [ ! -s "$out/mem.err" ] || echo "   its stderr: $(head -3 "$out/mem.err" | sed 's/^squeaky: scan: //' | paste -sd'|' | sed 's/|/ | /g')"
    if grep -q 'not counted' "$out/mem.err"; then
        echo "   NOTE: squeaky dropped events at its source limit (scan_max_sources): the summary is incomplete"
    fi
elif [ "$mem_lines" -gt 0 ]; then
    echo "== 3. memory: skipped (needs the scan command)"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- tables -------------------------------------------------------------

grep_rate=$(rate grep "$lines")
b_rate=$(rate builtin "$lines")
fl_rate=$(rate filter "$lines")
if [ "$mode" = lib ]; then
    filt="libsqueaky f2b filter sshd (f2b_driver -q)"
    blt="libsqueaky sshd scanner (scan_bench_test, streamed)"
    nft="libsqueaky netfilter scanner (scan_bench_test, streamed)"
else
    filt="\`squeaky scan --count --filter sshd\`"
    blt="\`squeaky scan --count --format sshd\`"
    nft="\`squeaky scan --count --format netfilter\`"
fi
{
    echo "sshd, $lines lines ($(sed 's/^gen-logs: //' "$data/$sshd_log.meta")):"
    echo
    echo "| what | lines | events | wall s | CPU s | lines/s | lines/CPU-s | vs fail2ban-regex | grep -c ÷ this | max RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    row "\`fail2ban-regex FILE sshd\` ($(fail2ban-regex --version 2>&1 | head -1 | cut -d' ' -f2))" \
        f2b "$f2b_lines" "$f2b_matched" "$f2b_rate" "$grep_rate"
    row "$filt" filter "$lines" "$filter_events" "$f2b_rate" "$grep_rate"
    row "$blt" builtin "$lines" "$builtin_events" "$f2b_rate" "$grep_rate"
    [ "$mode" = lib ] ||
        row "\`squeaky scan --count\` (format auto)" auto "$lines" "$auto_events" "$f2b_rate" "$grep_rate"
    row "\`grep -c 'Failed password'\`" grep "$lines" "$grep_count" "$f2b_rate" "$grep_rate"
    echo
    echo "netfilter, $lines lines:"
    echo
    echo "| what | lines | events | wall s | CPU s | lines/s | lines/CPU-s | vs fail2ban-regex | grep -c ÷ this | max RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    nf_grep_rate=$(rate nfgrep "$lines")
    row "$nft" nf "$lines" "$nf_events" "" "$nf_grep_rate"
    [ "$mode" = lib ] ||
        row "\`squeaky scan --count\` (format auto)" nfauto "$lines" "$nfauto_events" "" "$nf_grep_rate"
    row "\`grep -c 'SRC='\`" nfgrep "$lines" "$nf_grep" "" "$nf_grep_rate"
    if [ -n "$mem_log" ]; then
        echo
        echo "memory, $mem_lines lines ($(sed 's/^gen-logs: //' "$data/$mem_log.meta")):"
        echo
        echo "| what | lines | wall s | CPU s | lines/s | max RSS MiB |"
        echo "|---|---:|---:|---:|---:|---:|"
        read -r w c m <"$out/mem.wall"
        echo "| \`squeaky scan FILE > /dev/null\` | $mem_lines | $w | $c | $(rate mem "$mem_lines") | $((m / 1024)) |"
        echo
        echo "sshd, the same $mem_lines lines (process start-up amortized; fail2ban-regex's rate from the run above):"
        echo
        echo "| what | lines | events | wall s | CPU s | lines/s | lines/CPU-s | vs fail2ban-regex | grep -c ÷ this | max RSS MiB |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        g10=$(rate grep10 "$mem_lines")
        row "\`squeaky scan --count --format sshd\`" builtin10 "$mem_lines" \
            "$(tr -d ' \n' <"$out/builtin10.out")" "$f2b_rate" "$g10"
        row "\`grep -c 'Failed password'\`" grep10 "$mem_lines" "$(cat "$out/grep10.out")" "$f2b_rate" "$g10"
    fi
} >"$out/table.md"

echo "== targets (issue 6)"
verdict() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN { printf "%s\n", (d == "ge" ? v >= t : v <= t) ? "met" : "NOT met" }'; }
# the same ratio on CPU seconds (steadier on a loaded machine), "–" in lib mode
cpu_ratio() { # NAME LINES NAME2 LINES2: (LINES/cpu) / (LINES2/cpu2)
    awk -v a="$(cut -d' ' -f2 "$out/$1.wall")" -v la="$2" \
        -v b="$(cut -d' ' -f2 "$out/$3.wall")" -v lb="$4" \
        'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f", (la / a) / (lb / b); else printf "–" }'
}
r1=$(ratio "$b_rate" "$f2b_rate")
r2=$(ratio "$grep_rate" "$b_rate")
r3=$(ratio "$fl_rate" "$f2b_rate")
echo "   built-in sshd scanner: ${r1}× fail2ban-regex lines/s (target >= 200×: $(verdict "$r1" 200 ge));" \
    "per CPU second $(cpu_ratio builtin "$lines" f2b "$f2b_lines")×"
echo "   built-in sshd scanner: grep -c lines/s ÷ its lines/s = ${r2} (target <= 3: $(verdict "$r2" 3 le));" \
    "per CPU second $(cpu_ratio grep "$lines" builtin "$lines")"
echo "   --filter sshd: ${r3}× fail2ban-regex lines/s (target >= 20×: $(verdict "$r3" 20 ge));" \
    "per CPU second $(cpu_ratio filter "$lines" f2b "$f2b_lines")×"
[ "$f2b_lines" -eq "$lines" ] ||
    echo "   note: fail2ban-regex read the first $f2b_lines lines only (BENCH_F2B_LINES); rates are lines/s"
[ "$mode" = cli ] ||
    echo "   note: library figures (BENCH_LIB=1): no CLI start-up, no output; the built-in rows are scan_bench_test's own clock"
echo "== load average before $load_before, after $load_after; whole run $SECONDS s"
echo "== $("$sq" --version 2>/dev/null | head -1), repository HEAD $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "?"); results in $out/table.md"
echo
cat "$out/table.md"
exit "$status"
