#!/usr/bin/env python3
"""db-report.py - the Markdown report of bench/run-db.sh.

Reads what run-db.sh left in --out (GNU time files "wall user sys rssKB",
the key=value lines of mmdb-lookup/pdb-lookup --time, the "ip<TAB>asn"
line-mode outputs, squeaky's --json output and the mmdblookup loop's
output), checks that every answer is the same, and prints tables.
"""
import argparse
import filecmp
import itertools
import json
import os
import re
import sys

SETS = (("uniform", "uniform IPv4"), ("mixed", "mixed, 20% IPv6"),
        ("skew", "log-like skew"))


def read_time(path):
    wall, user, sys_, rss = open(path).read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss) // 1024


def read_res(path):
    return dict(kv.split("=", 1) for kv in open(path).read().split())


def compare(a_lines, b_lines, label, limit=10):
    """Count lines that differ; print the first few.  Returns (same, n)."""
    same = n = 0
    shown = []
    for a, b in itertools.zip_longest(a_lines, b_lines):
        n += 1
        if a == b:
            same += 1
        elif len(shown) < limit:
            shown.append("  line %d: libmaxminddb %r, squeaky %r" % (n, a, b))
    if shown:
        print("%s: %d of %d answers differ; first ones:" % (label, n - same, n))
        print("\n".join(shown))
    return same, n


def tsv(path):
    with open(path) as f:
        for line in f:
            yield line.rstrip("\n")


def compare_files(a, b, label):
    if filecmp.cmp(a, b, shallow=False):
        with open(a, "rb") as f:
            k = sum(1 for _ in f)
        return k, k
    return compare(tsv(a), tsv(b), label)


def json_as_tsv(path):
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if "error" in o:
                yield "%s\terror" % o["ip"]
            elif o.get("asn") is None:
                yield "%s\t-" % o["ip"]
            else:
                yield "%s\t%d" % (o["ip"], o["asn"])


def loop_as_tsv(path):
    with open(path) as f:
        for line in f:
            ip, _, rest = line.rstrip("\n").partition("\t")
            m = re.search(r"(\d+) <uint32>", rest)
            yield "%s\t%s" % (ip, m.group(1) if m else "-")


def mib(path):
    return os.path.getsize(path) / 1048576.0


def build_table(a):
    out = a.out
    ranges = open(out + "/build-mmdb.log").read().strip()
    print("## Building the database (ip-location-db ASN, both CSVs)")
    print()
    print("| builder | wall s | CPU s | max RSS MiB | file MiB |")
    print("|---|---|---|---|---|")
    for name, tf, db in (
            ("`squeaky db build`", "build-sq.time", "squeaky.db"),
            ("csv-to-mmdb.pl (MaxMind::DB::Writer, record size 28)",
             "build-mmdb.time", "asn.mmdb")):
        wall, cpu, rss = read_time(out + "/" + tf)
        print("| %s | %.2f | %.2f | %d | %.1f |" % (name, wall, cpu, rss,
                                                  mib(out + "/" + db)))
    print()
    print(ranges)
    print()
    print("`squeaky db info`:")
    print()
    print("```")
    print(open(out + "/info.txt").read().rstrip())
    print("```")
    print()


def lookup_table(a):
    out = a.out
    print("## Lookups on one core (pre-parsed addresses; CPU ns per lookup, "
          "best of %s passes)" % read_res(out + "/pdb-uniform.res").get("reps", "1"))
    print()
    print("| set | addresses (IPv6) | found | libmaxminddb lookup | + ASN "
          "| squeaky find | address -> ASN | batched + ASN | M/s libmaxminddb "
          "| M/s squeaky | M/s batched | squeaky / libmaxminddb "
          "| answers identical |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ok = True
    for s, label in SETS:
        m = read_res("%s/mmdb-%s.res" % (out, s))
        p = read_res("%s/pdb-%s.res" % (out, s))
        same, k = compare_files("%s/mmdb-%s.tsv" % (out, s),
                                "%s/pdb-%s.tsv" % (out, s), label)
        sums = m["asn_sum"] == p["asn_sum"] == p["batch_asn_sum"]
        ok = ok and same == k and sums and m["found"] == p["found"]
        me, pe, pb = (float(m["entry_cpu_ns"]), float(p["entry_cpu_ns"]),
                      float(p["batch_cpu_ns"]))
        print("| %s | %s (%s) | %s | %s ns | %.0f ns | %s ns | %.1f ns "
              "| %.1f ns | %.2f | %.1f | %.1f | %.1fx lookup only; with the ASN "
              "%.1fx single, %.1fx batched "
              "| %d/%d, ASN sums %s |"
              % (label, m["addrs"], m["v6"], m["found"], m["find_cpu_ns"],
                 me, p["find_cpu_ns"], pe, pb, 1e3 / me, 1e3 / pe,
                 1e3 / pb, float(m["find_cpu_ns"]) / float(p["find_cpu_ns"]),
                 me / pe, me / pb, same, k,
                 "equal" if sums else "DIFFER"))
    print()
    print("Wall-clock ns (same passes): " + "; ".join(
        "%s: libmaxminddb %s/%s, squeaky %s/%s/%s" % (
            s, read_res("%s/mmdb-%s.res" % (out, s))["find_ns"],
            read_res("%s/mmdb-%s.res" % (out, s))["entry_ns"],
            read_res("%s/pdb-%s.res" % (out, s))["find_ns"],
            read_res("%s/pdb-%s.res" % (out, s))["entry_ns"],
            read_res("%s/pdb-%s.res" % (out, s))["batch_ns"])
        for s, _ in SETS))
    print()
    return ok


def cli_table(a):
    out = a.out
    n = a.n
    loop_s = float(a.loop_end) - float(a.loop_start)
    per = loop_s / a.loop_n
    print("## `squeaky db lookup -` over %d lines (log-like skew set)" % n)
    print()
    print("| client | lines | output MB | wall s | CPU s | max RSS MiB "
          "| lines/s | vs mmdblookup loop |")
    print("|---|---|---|---|---|---|---|---|")
    print("| `mmdblookup --file asn.mmdb --ip A autonomous_system_number`"
          " in a shell loop | %d | %.1f | %.2f | - | - | %.0f | 1x |"
          % (a.loop_n, os.path.getsize(out + "/loop.out") / 1e6, loop_s,
             a.loop_n / loop_s))
    rows = (("libmaxminddb line mode (`mmdb-lookup --lines`: ip, ASN)",
             "mmdb-lines.time", "mmdb-lines.out"),
            ("`squeaky db lookup -` (ip, prefix, AS, name, source)",
             "cli-text.time", "cli-text.out"),
            ("`squeaky db lookup --json -`", "cli-json.time", "cli.jsonl"))
    for name, tf, of in rows:
        wall, cpu, rss = read_time(out + "/" + tf)
        rate = n / wall if wall > 0 else float("inf")
        print("| %s | %d | %.0f | %.2f | %.2f | %d | %.0f | %.0fx |"
              % (name, n, os.path.getsize(out + "/" + of) / 1e6, wall, cpu,
                 rss, rate, rate * per))
    print()
    with open(out + "/cli-text.out", "rb") as f:
        text_lines = sum(1 for _ in f)
    same, k = compare(tsv(out + "/mmdb-skew.tsv"),
                      json_as_tsv(out + "/cli.jsonl"), "squeaky db lookup --json")
    lsame, lk = compare(itertools.islice(tsv(out + "/mmdb-skew.tsv"), a.loop_n),
                        loop_as_tsv(out + "/loop.out"), "mmdblookup loop")
    print("mmdblookup loop: %.2f ms per address.  `squeaky db lookup -` "
          "printed %d lines for %d input lines.  Answers: `squeaky db lookup "
          "--json` = libmaxminddb on %d/%d lines; mmdblookup loop = "
          "libmaxminddb line mode on %d/%d." % (per * 1e3, text_lines, n,
                                                same, k, lsame, lk))
    print()
    return same == k and lsame == lk and text_lines == n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--loop-n", type=int, required=True)
    ap.add_argument("--loop-start", required=True)
    ap.add_argument("--loop-end", required=True)
    ap.add_argument("--csv-dir", default="")
    ap.add_argument("--squeaky", default="squeaky")
    ap.add_argument("--commit", default="?")
    a = ap.parse_args()
    print()
    print("# squeaky db against libmaxminddb (commit %s)" % a.commit)
    print()
    print("Data: ip-location-db ASN (npm @ip-location-db/asn) by sapics, "
          "CC-BY-4.0, from RouteViews and DB-IP; %s." % a.csv_dir)
    print("Load before: %s; after: %s." % (
        open(a.out + "/load.before").read().strip(),
        open(a.out + "/load.after").read().strip()))
    print()
    build_table(a)
    ok = lookup_table(a)
    ok = cli_table(a) and ok
    d = a.out
    print("Commands (files under %s):" % d)
    print()
    print("```")
    print("%s db build --db %s/squeaky.db --format ip-location-db "
          "%s/asn-ipv4.csv %s/asn-ipv6.csv" % (a.squeaky, d, a.csv_dir,
                                               a.csv_dir))
    print("perl bench/csv-to-mmdb.pl %s/asn.mmdb %s/asn-ipv4.csv "
          "%s/asn-ipv6.csv" % (d, a.csv_dir, a.csv_dir))
    print("python3 bench/gen-addrs.py --mode uniform|mixed|skew --n %d "
          "--out %s/addrs-SET.txt" % (a.n, d))
    print("%s/mmdb-lookup --time %s/asn.mmdb %s/addrs-SET.txt" % (d, d, d))
    print("%s/pdb-lookup --time %s/squeaky.db %s/addrs-SET.txt" % (d, d, d))
    print("%s/mmdb-lookup --lines %s/asn.mmdb < addrs-SET.txt > mmdb-SET.tsv"
          % (d, d))
    print("%s/pdb-lookup --lines %s/squeaky.db < addrs-SET.txt > pdb-SET.tsv"
          % (d, d))
    print("%s db lookup --db %s/squeaky.db [--json] - < %s/addrs-skew.txt"
          % (a.squeaky, d, d))
    print("while read ip; do mmdblookup --file %s/asn.mmdb --ip $ip "
          "autonomous_system_number; done < loop-addrs.txt" % d)
    print("```")
    print()
    print("ALL ANSWERS IDENTICAL" if ok else "ANSWERS DIFFER (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
