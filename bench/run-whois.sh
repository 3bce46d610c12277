#!/usr/bin/env bash
# run-whois.sh - whois benchmark: `squeaky whois -` on 10,000 addresses
# in ~300 networks against local replay servers with injected latency,
# side by side with a sequential one-query-per-address client (a loop
# over Debian's `whois` command on the same networks), in one run.
#
# Needs python3, Debian's whois, GNU time and a built squeaky.  Nothing
# leaves 127.0.0.1.
#
# Environment (all optional):
#   SQUEAKY          squeaky binary (default build/release, then build/dev)
#   BENCH_IPS        addresses                       (default 10000)
#   BENCH_PREFIXES   networks                        (default 300)
#   BENCH_BASELINE   addresses the sequential loop asks (default 1000;
#                    its per-address time is what the ratio uses)
#   BENCH_DELAY_MS   latency the servers add to every answer (default 50)
#   BENCH_JOBS       squeaky --jobs                  (default 8)
#   BENCH_RATE_LIMITS  squeaky's rate_limits (default "*=1000000/1": no
#                    budget, so the figure is squeaky's own; "default"
#                    keeps squeaky's registry budgets, LACNIC 10/min etc.)
#   BENCH_OUT        results (default $TMPDIR/squeaky-bench-whois)
#
# Prints: registry queries and wall time of squeaky cold (empty cache) and
# warm (second run), the loop's per-address time, lookups/s of each and
# their ratio, and whether every answer equals the generator's truth.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ips=${BENCH_IPS:-10000}
prefixes=${BENCH_PREFIXES:-300}
base_n=${BENCH_BASELINE:-1000}
delay=${BENCH_DELAY_MS:-50}
jobs=${BENCH_JOBS:-8}
out=${BENCH_OUT:-${TMPDIR:-/tmp}/squeaky-bench-whois}
sq=${SQUEAKY:-}
for c in "$root/build/release/squeaky" "$root/build/dev/squeaky"; do
    [ -n "$sq" ] || { [ -x "$c" ] && sq=$c; }
done
[ -x "$sq" ] || { echo "run-whois: no squeaky binary (set SQUEAKY)" >&2; exit 2; }
command -v whois >/dev/null || { echo "run-whois: Debian's whois is missing" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out"
python3 "$here/gen-whois.py" --out "$out/data" --prefixes "$prefixes" --ips "$ips"

pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
python3 "$root/tests/servers/rdap_replay.py" --map "$out/data/rdap.map" \
    --root "$out/data" --port-file "$out/rdap.port" --delay-ms "$delay" \
    --log "$out/rdap.log" &
pids="$pids $!"
python3 "$root/tests/servers/whois_replay.py" --map "$out/data/whois.map" \
    --root "$out/data" --port-file "$out/whois.port" --delay-ms "$delay" \
    --log "$out/whois.log" &
pids="$pids $!"
for _ in $(seq 100); do
    [ -s "$out/rdap.port" ] && [ -s "$out/whois.port" ] && break
    sleep 0.1
done
rport=$(cat "$out/rdap.port")
wport=$(cat "$out/whois.port")

export XDG_DATA_HOME="$out/xdg-data" XDG_CONFIG_HOME="$out/xdg-config"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME"
# Budgets are lifted so that the figure is squeaky's own; with the
# default budgets the same run is bounded by them (see bench/README.md).
rates=${BENCH_RATE_LIMITS:-*=1000000/1}
sqargs=(whois --json --no-dns --jobs "$jobs" --stats
        --store "sqlite:$out/store.db"
        --rdap-servers "*=http://127.0.0.1:$rport/"
        --whois-servers "*=127.0.0.1:$wport")
[ "$rates" = default ] || sqargs+=(--rate-limits "$rates")
sqargs+=(-)

run_sq() { # name
    : > "$out/rdap.log"
    /usr/bin/time -f '%e %U %S %M' -o "$out/$1.time" \
        "$sq" "${sqargs[@]}" < "$out/data/ips.txt" > "$out/$1.jsonl" \
        2> "$out/$1.stderr" || true
    wc -l < "$out/rdap.log" > "$out/$1.queries"
}
echo "squeaky cold cache ..."
run_sq cold
echo "squeaky warm cache ..."
run_sq warm

echo "sequential whois loop on $base_n addresses ..."
head -n "$base_n" "$out/data/ips.txt" > "$out/base-ips.txt"
: > "$out/whois.log"
start=$(date +%s.%N)
while read -r ip; do
    whois -h 127.0.0.1 -p "$wport" "$ip" > /dev/null 2>&1 || true
done < "$out/base-ips.txt"
end=$(date +%s.%N)
wc -l < "$out/whois.log" > "$out/base.queries"

python3 - "$out" "$ips" "$base_n" "$start" "$end" <<'PY'
import json, sys
out, n, bn, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5])
truth = {}
for line in open(out + "/data/truth.tsv"):
    ip, cidr, email = line.rstrip("\n").split("\t")
    truth[ip] = email
def check(name):
    good = bad = 0
    for line in open("%s/%s.jsonl" % (out, name)):
        o = json.loads(line)
        c = o.get("contacts") or []
        if c and c[0]["email"] == truth.get(o["query"]):
            good += 1
        else:
            bad += 1
    return good, bad
rows = []
for name in ("cold", "warm"):
    wall, user, sys_, rss = open("%s/%s.time" % (out, name)).read().split()[-4:]
    q = int(open("%s/%s.queries" % (out, name)).read())
    good, bad = check(name)
    rows.append((name, float(wall), q, good, bad, int(rss) // 1024))
bwall = end - start
bq = int(open(out + "/base.queries").read())
per = bwall / bn
print()
print("| client | addresses | registry queries | wall s | lookups/s | vs loop | answers = truth |")
print("|---|---|---|---|---|---|---|")
print("| whois loop (Debian whois, sequential) | %d | %d | %.2f | %.1f | 1x | n/a |"
      % (bn, bq, bwall, bn / bwall))
for name, wall, q, good, bad, rss in rows:
    rate = n / wall if wall > 0 else float("inf")
    print("| squeaky whois - (%s cache, max RSS %d MiB) | %d | %d | %.2f | %.0f | %.0fx | %d/%d |"
          % (name, rss, n, q, wall, rate, rate * per, good, good + bad))
print()
print("loop: %.1f ms per address; squeaky cold: %.2f ms per address"
      % (per * 1000, rows[0][1] / n * 1000))
PY
