#!/usr/bin/env bash
# run-db.sh - prefix database benchmark: `squeaky db` against
# libmaxminddb on the same data (the ip-location-db ASN CSVs), in one run.
#
#   1. build time, file size and max RSS of `squeaky db build` and of an
#      MMDB built from the same CSVs (bench/csv-to-mmdb.pl, Debian's
#      libmaxmind-db-writer-perl);
#   2. lookups on one core over pre-parsed addresses, 10 M uniform IPv4,
#      10 M mixed (20% IPv6), 10 M log-like skew: libsqueaky
#      (bench/pdb-lookup.c: find, address -> ASN, batched) against
#      libmaxminddb (bench/mmdb-lookup.c: MMDB_lookup_sockaddr, + ASN);
#   3. that every answer is the same: the line modes of both programs
#      over every set, compared line by line;
#   4. `squeaky db lookup -` (text and --json) over the skewed 10 M file,
#      in lines/s, against the libmaxminddb line mode and against
#      `mmdblookup` in a shell loop (one process per address, on a
#      sample); the --json answers are compared with libmaxminddb's too.
#
# Data: ip-location-db (npm @ip-location-db/asn) by sapics, CC-BY-4.0,
# from RouteViews and DB-IP (https://db-ip.com).
#
# Needs cc, libmaxminddb-dev, libmaxmind-db-writer-perl, mmdb-bin,
# python3, GNU time and a built squeaky with libsqueaky.so beside it.
#
# Environment (all optional):
#   SQUEAKY          squeaky binary (default build/release, then build/dev);
#                    libsqueaky.so is taken from the same directory
#   BENCH_CSV_DIR    directory with asn-ipv4.csv and asn-ipv6.csv (default
#                    /tmp/ipdb/package; when absent: `npm pack
#                    @ip-location-db/asn` into $BENCH_OUT)
#   BENCH_ADDRS      addresses per set              (default 10000000)
#   BENCH_MMDBLOOKUP addresses the mmdblookup loop asks (default 2000)
#   BENCH_REPS       timed passes per figure; the best is kept (default 3:
#                    the machine is shared and the figures vary)
#   BENCH_OUT        results and address files (default
#                    $TMPDIR/squeaky-bench-db; address files are kept and
#                    reused when their size matches)
#   BENCH_KEEP       set: keep the big line-mode outputs (~3.5 GB)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
n=${BENCH_ADDRS:-10000000}
loop_n=${BENCH_MMDBLOOKUP:-2000}
reps=${BENCH_REPS:-3}
out=${BENCH_OUT:-${TMPDIR:-/tmp}/squeaky-bench-db}
csvdir=${BENCH_CSV_DIR:-/tmp/ipdb/package}
sq=${SQUEAKY:-}
for c in "$root/build/release/squeaky" "$root/build/dev/squeaky"; do
    [ -n "$sq" ] || { [ -x "$c" ] && sq=$c; }
done
die() { echo "run-db: $*" >&2; exit 2; }
[ -x "$sq" ] || die "no squeaky binary (set SQUEAKY)"
libdir=$(cd "$(dirname "$sq")" && pwd)
[ -e "$libdir/libsqueaky.so" ] || die "no libsqueaky.so beside $sq"
for t in cc perl python3 mmdblookup /usr/bin/time; do
    command -v "$t" >/dev/null || die "$t is missing"
done
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null ||
    die "MaxMind::DB::Writer::Tree is missing (libmaxmind-db-writer-perl)"

mkdir -p "$out"
if [ ! -s "$csvdir/asn-ipv4.csv" ]; then
    echo "fetching @ip-location-db/asn with npm into $out ..."
    (cd "$out" && npm pack @ip-location-db/asn >/dev/null &&
        tar xzf ip-location-db-asn-*.tgz)
    csvdir=$out/package
fi
csvs=("$csvdir/asn-ipv4.csv" "$csvdir/asn-ipv6.csv")
sqdb=$out/squeaky.db
mmdb=$out/asn.mmdb
rm -f "$out"/*.time "$out"/*.res "$out"/*.tsv "$out"/*.jsonl "$sqdb" "$mmdb"
uptime > "$out/load.before"

echo "compiling the lookup programs ..."
cc -O2 -o "$out/mmdb-lookup" "$here/mmdb-lookup.c" -lmaxminddb
cc -O2 -I "$root/include" -o "$out/pdb-lookup" "$here/pdb-lookup.c" \
    -L "$libdir" -Wl,-rpath,"$libdir" -lsqueaky

echo "building the databases ..."
/usr/bin/time -f '%e %U %S %M' -o "$out/build-sq.time" \
    "$sq" db build --db "$sqdb" --format ip-location-db "${csvs[@]}" \
    > "$out/build-sq.log" 2>&1 || { cat "$out/build-sq.log"; exit 1; }
"$sq" db info --db "$sqdb" > "$out/info.txt"
/usr/bin/time -f '%e %U %S %M' -o "$out/build-mmdb.time" \
    perl "$here/csv-to-mmdb.pl" "$mmdb" "${csvs[@]}" \
    > "$out/build-mmdb.log" 2>&1 || { cat "$out/build-mmdb.log"; exit 1; }

sets=(uniform mixed skew)
for s in "${sets[@]}"; do
    f=$out/addrs-$s.txt
    if [ ! -s "$f" ] || [ "$(wc -l < "$f")" != "$n" ]; then
        echo "generating $n $s addresses ..."
        python3 "$here/gen-addrs.py" --mode "$s" --n "$n" \
            --csv-dir "$csvdir" --out "$f"
    fi
done

for s in "${sets[@]}"; do
    f=$out/addrs-$s.txt
    echo "lookups, $s set: libmaxminddb ..."
    "$out/mmdb-lookup" --time "$mmdb" "$f" "$reps" > "$out/mmdb-$s.res"
    echo "lookups, $s set: squeaky ..."
    "$out/pdb-lookup" --time "$sqdb" "$f" "$reps" > "$out/pdb-$s.res"
    echo "answers, $s set ..."
    "$out/mmdb-lookup" --lines "$mmdb" < "$f" > "$out/mmdb-$s.tsv"
    "$out/pdb-lookup" --lines "$sqdb" < "$f" > "$out/pdb-$s.tsv"
done

big=$out/addrs-skew.txt
# Exit 1 means "some address not found" (there are misses by design).
lookup_cli() { # time-file output-file extra-args...
    local tf=$1 of=$2 rc=0
    shift 2
    /usr/bin/time -f '%e %U %S %M' -o "$out/$tf" \
        "$sq" db lookup --db "$sqdb" "$@" - < "$big" > "$out/$of" \
        2> "$out/$of.stderr" || rc=$?
    [ "$rc" -le 1 ] || { cat "$out/$of.stderr" >&2; die "db lookup: exit $rc"; }
}
echo "squeaky db lookup - over $n lines ..."
lookup_cli cli-text.time cli-text.out
lookup_cli cli-json.time cli.jsonl --json
echo "libmaxminddb line mode over $n lines ..."
/usr/bin/time -f '%e %U %S %M' -o "$out/mmdb-lines.time" \
    "$out/mmdb-lookup" --lines "$mmdb" < "$big" > "$out/mmdb-lines.out"
echo "mmdblookup loop over $loop_n addresses ..."
head -n "$loop_n" "$big" > "$out/loop-addrs.txt"
start=$(date +%s.%N)
while read -r ip; do
    printf '%s\t' "$ip"
    mmdblookup --file "$mmdb" --ip "$ip" autonomous_system_number 2>&1 |
        tr -d '\n' || true # it exits non-zero for a miss
    echo
done < "$out/loop-addrs.txt" > "$out/loop.out"
end=$(date +%s.%N)
uptime > "$out/load.after"

python3 "$here/db-report.py" --out "$out" --n "$n" --loop-n "$loop_n" \
    --loop-start "$start" --loop-end "$end" --csv-dir "$csvdir" \
    --squeaky "$sq" --commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" ||
    rc=$?
# The line-mode outputs are large (about 3.5 GB for 3 x 10 M lines); they
# are only needed for the report.
[ -n "${BENCH_KEEP:-}" ] || rm -f "$out/cli-text.out" "$out/cli.jsonl" \
    "$out/mmdb-lines.out" "$out"/mmdb-*.tsv "$out"/pdb-*.tsv
exit "${rc:-0}"
