#!/usr/bin/env bash
# run-trace.sh - side-by-side benchmark: `squeaky trace` against
# SpamAssassin 4's relay analysis, on one generated mbox and one trust
# config, plus squeaky's scanning throughput on a ~1 GB mbox.
#
# Owner: bench.  Needs python3, perl with Mail::SpamAssassin, GNU time
# (/usr/bin/time -v) and a built squeaky.  Takes ~2-4 minutes on 2 cores
# with the defaults.
#
# Environment (all optional):
#   SQUEAKY          squeaky binary (default: first of build/release,
#                    build/dev, build/bench under the repository)
#   BENCH_MESSAGES   messages in the comparison mbox      (default 10000)
#   BENCH_SEED       generator seed                       (default 20240416)
#   BENCH_TESTNET    share of TEST-NET external hops      (default 0; try 0.08)
#   BENCH_BIG_MB     size of the scanning mbox in MiB, 0 = skip (default 1024)
#   BENCH_OUT        where results are kept (default $TMPDIR/squeaky-bench)
#   TMPDIR           where the mboxes are written (default /tmp); the big
#                    one is deleted after its run, the small one with
#                    BENCH_OUT unless BENCH_KEEP=1
#
# Output: progress and the comparison summary on stdout, then the
# Markdown rows (tool, messages, MB, wall and CPU seconds, msgs/s on wall
# time, msgs per CPU second, MB/s, both rates as a ratio to SpamAssassin's
# start-up-excluded rates, max RSS).  On a loaded machine the CPU-second
# figures are the steadier ones.
# Files in $BENCH_OUT: squeaky.jsonl, sa.tsv, truth.tsv, differences.txt,
# table.md, *.time (the /usr/bin/time -v logs).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
msgs=${BENCH_MESSAGES:-10000}
seed=${BENCH_SEED:-20240416}
testnet=${BENCH_TESTNET:-0}
big_mb=${BENCH_BIG_MB:-1024}
tmp=${TMPDIR:-/tmp}
out=${BENCH_OUT:-$tmp/squeaky-bench}
oih="X-Yahoo-Post-IP X-Originating-IP X-Apparently-From X-SenderIP X-AOL-IP"

sq=${SQUEAKY:-}
if [ -z "$sq" ]; then
    for p in build/release build/dev build/bench; do
        if [ -x "$root/$p/squeaky" ]; then sq="$root/$p/squeaky"; break; fi
    done
fi
if [ -z "$sq" ] || [ ! -x "$sq" ]; then
    echo "run-trace: no squeaky binary (set SQUEAKY or run 'cmake --workflow --preset release')" >&2
    exit 2
fi
for tool in python3 perl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "run-trace: $tool is missing" >&2; exit 2; }
done
perl -MMail::SpamAssassin -e1 2>/dev/null ||
    { echo "run-trace: perl module Mail::SpamAssassin is missing" >&2; exit 2; }

mkdir -p "$out"
mbox="$tmp/squeaky-bench-$$.mbox"
big="$tmp/squeaky-bench-big-$$.mbox"
empty_cfg="$out/empty.conf"
: >"$empty_cfg"
cleanup() {
    rm -f "$big"
    [ "${BENCH_KEEP:-0}" = 1 ] || rm -f "$mbox"
}
trap cleanup EXIT

trust=$(python3 "$here/gen-corpus.py" --print-trust)
sa_ver=$(perl -MMail::SpamAssassin -e 'print Mail::SpamAssassin::Version()')
echo "== squeaky: $sq"
echo "== SpamAssassin $sa_ver, perl $(perl -e 'print $^V')"
echo "== trust: trusted_networks = internal_networks = $trust"
echo "== originating_ip_headers: $oih"
echo "== host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== generating $msgs messages (seed $seed)"
python3 "$here/gen-corpus.py" -n "$msgs" --seed "$seed" --testnet-share "$testnet" -o "$mbox" --truth "$out/truth.tsv"
bytes=$(stat -c %s "$mbox")
cat "$mbox" >/dev/null   # both tools start with the file in the page cache

echo "== squeaky trace --json"
set +e
/usr/bin/time -v -o "$out/squeaky.time" \
    "$sq" trace --json --quiet --jobs 1 --config "$empty_cfg" \
    --trusted-networks "$trust" --internal-networks "$trust" \
    --originating-ip-headers "$oih" "$mbox" >"$out/squeaky.jsonl" 2>"$out/squeaky.err"
rc=$?
set -e
# exit 1 only means "some message has no external origin"
if [ "$rc" -gt 1 ]; then
    echo "run-trace: squeaky exited $rc:" >&2; head -20 "$out/squeaky.err" >&2; exit 1
fi
head -5 "$out/squeaky.err"

echo "== SpamAssassin relay analysis (sa-relays.pl)"
/usr/bin/time -v -o "$out/sa.time" \
    perl "$here/sa-relays.pl" --trusted-networks "$trust" --internal-networks "$trust" \
    --originating-ip-headers "$oih" "$mbox" >"$out/sa.tsv" 2>"$out/sa.err"
grep '^sa-relays:' "$out/sa.err"
sa_self=$(sed -n 's/.*analysis \([0-9.]*\) s.*/\1/p' "$out/sa.err")
sa_cpu=$(sed -n 's/.*(CPU \([0-9.]*\) s).*/\1/p' "$out/sa.err")

echo "== comparing origins"
python3 "$here/bench-report.py" compare --squeaky "$out/squeaky.jsonl" --sa "$out/sa.tsv" \
    --truth "$out/truth.tsv" --mbox "$mbox" --diff "$out/differences.txt"

if [ "$big_mb" -gt 0 ]; then
    echo "== scanning: generating a ${big_mb} MiB mbox in $tmp"
    python3 "$here/gen-corpus.py" -n "$msgs" --seed "$seed" --testnet-share "$testnet" -o "$big" --repeat-to-mb "$big_mb"
    big_bytes=$(stat -c %s "$big")
    big_msgs=$(( (big_bytes / bytes) * msgs ))
    cat "$big" >/dev/null
    echo "== squeaky trace --json BIG.mbox > /dev/null"
    set +e
    /usr/bin/time -v -o "$out/squeaky-big.time" \
        "$sq" trace --json --quiet --jobs "$(nproc)" --config "$empty_cfg" \
        --trusted-networks "$trust" --internal-networks "$trust" \
        --originating-ip-headers "$oih" "$big" >/dev/null 2>"$out/squeaky-big.err"
    rc=$?
    set -e
    rm -f "$big"
    [ "$rc" -le 1 ] || { echo "run-trace: squeaky (big) exited $rc" >&2; exit 1; }
fi

rates=$(python3 "$here/bench-report.py" row --tool x --messages "$msgs" --bytes "$bytes" \
    --time-log "$out/sa.time" --self-seconds "$sa_self" --self-cpu-seconds "$sa_cpu" 2>&1 >/dev/null)
sa_rate=$(echo "$rates" | sed -n 's/.*msgs_per_s=\([0-9.]*\).*/\1/p')
sa_crate=$(echo "$rates" | sed -n 's/.*msgs_per_cpu_s=\([0-9.]*\).*/\1/p')
row() { python3 "$here/bench-report.py" row --ratio-to "$sa_rate" --ratio-cpu-to "$sa_crate" "$@" 2>/dev/null; }
{
    echo "| tool | messages | MB | wall s | CPU s | msgs/s | msgs/CPU-s | MB/s | vs SA (wall / CPU) | max RSS MiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    row --tool "squeaky trace --json --jobs 1" --messages "$msgs" --bytes "$bytes" --time-log "$out/squeaky.time"
    row --tool "SpamAssassin $sa_ver relays (start-up excluded)" --messages "$msgs" --bytes "$bytes" \
        --time-log "$out/sa.time" --self-seconds "$sa_self" --self-cpu-seconds "$sa_cpu"
    row --tool "SpamAssassin $sa_ver relays (whole process)" --messages "$msgs" --bytes "$bytes" \
        --time-log "$out/sa.time"
    if [ "$big_mb" -gt 0 ]; then
        row --tool "squeaky trace --json --jobs $(nproc), ${big_mb} MiB mbox" --messages "$big_msgs" \
            --bytes "$big_bytes" --time-log "$out/squeaky-big.time"
    fi
} >"$out/table.md"
echo "== load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg); whole run ${SECONDS} s"
echo "== results (also in $out/table.md)"
cat "$out/table.md"
