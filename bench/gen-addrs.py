#!/usr/bin/env python3
"""gen-addrs.py - seeded address files for bench/run-db.sh, one per line.

Modes:
  uniform  N uniformly random IPv4 addresses (0.0.0.0-255.255.255.255).
  mixed    like uniform, but a share (--v6-share, default 0.2) is IPv6:
           nine in ten inside a random row of asn-ipv6.csv (row drawn
           uniformly, address uniform inside it), one in ten anywhere in
           2000::/3 (mostly unrouted: misses).
  skew     "log-like": a few thousand hot items drawn from the CSV rows
           (--hot, default 3000; two in three a fixed address, one in
           three a whole range from which each hit draws a fresh address;
           a tenth of them IPv6), hit with Zipf weights 1/rank^--zipf
           (default 1.1) for --hot-share (default 0.85) of the lines; the
           rest is a random tail (uniform IPv4, a tenth IPv6 as in mixed).

IPv6 is never drawn inside the networks an MMDB aliases to IPv4
(::ffff:0:0/96, 2001::/32 Teredo, 2002::/16 6to4) nor in ::/8, so that
an answer means the same in both databases (see csv-to-mmdb.pl).

Data: ip-location-db (npm @ip-location-db/asn), CC-BY-4.0, from
RouteViews and DB-IP.  Standard library only; deterministic for a seed.
"""
import argparse
import bisect
import csv
import ipaddress
import random
import socket
import sys

CHUNK = 1 << 20


def aliased6(v):
    top32 = v >> 96
    return top32 == 0x20010000 or (v >> 112) == 0x2002 or (v >> 120) == 0


def load_rows(path, v6):
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        for r in csv.reader(f):
            if len(r) < 3:
                continue
            s = int(ipaddress.ip_address(r[0]))
            e = int(ipaddress.ip_address(r[1]))
            if v6 and (aliased6(s) or aliased6(e)):
                continue
            rows.append((s, e))
    return rows


def fmt4(v):
    return socket.inet_ntoa(v.to_bytes(4, "big"))


def fmt6(v):
    return socket.inet_ntop(socket.AF_INET6, v.to_bytes(16, "big"))


class Gen:
    def __init__(self, rng, rows4, rows6):
        self.rng, self.rows4, self.rows6 = rng, rows4, rows6

    def in_row(self, row):
        return self.rng.randint(row[0], row[1])

    def rand6(self):
        rng = self.rng
        if rng.random() < 0.9:
            return fmt6(self.in_row(rng.choice(self.rows6)))
        while True:
            v = (1 << 125) | rng.getrandbits(125)  # 2000::/3
            if not aliased6(v):
                return fmt6(v)

    def uniform4_chunk(self, n):
        b = self.rng.randbytes(4 * n)
        ntoa = socket.inet_ntoa
        return [ntoa(b[i:i + 4]) for i in range(0, 4 * n, 4)]


def gen_uniform(g, n, v6_share, out):
    rng = g.rng
    left = n
    while left:
        k = min(left, CHUNK)
        lines = g.uniform4_chunk(k)
        if v6_share > 0:
            for i in range(k):
                if rng.random() < v6_share:
                    lines[i] = g.rand6()
        out.write("\n".join(lines))
        out.write("\n")
        left -= k


def gen_skew(g, n, args, out):
    rng = g.rng
    hot = []
    for _ in range(args.hot):
        v6 = rng.random() < 0.1
        row = rng.choice(g.rows6 if v6 else g.rows4)
        fmt = fmt6 if v6 else fmt4
        if rng.random() < 2 / 3:
            hot.append(fmt(g.in_row(row)))
        else:
            hot.append((row, fmt))
    cum, tot = [], 0.0
    for rank in range(1, len(hot) + 1):
        tot += 1.0 / rank ** args.zipf
        cum.append(tot)
    left = n
    while left:
        k = min(left, CHUNK)
        tail = g.uniform4_chunk(k)
        lines = []
        for i in range(k):
            if rng.random() < args.hot_share:
                h = hot[bisect.bisect_left(cum, rng.random() * tot)]
                if isinstance(h, tuple):
                    h = h[1](g.in_row(h[0]))
                lines.append(h)
            elif rng.random() < 0.1:
                lines.append(g.rand6())
            else:
                lines.append(tail[i])
        out.write("\n".join(lines))
        out.write("\n")
        left -= k


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=("uniform", "mixed", "skew"),
                    default="uniform")
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--csv-dir", default="/tmp/ipdb/package")
    ap.add_argument("--v6-share", type=float, default=0.2)
    ap.add_argument("--hot", type=int, default=3000)
    ap.add_argument("--hot-share", type=float, default=0.85)
    ap.add_argument("--zipf", type=float, default=1.1)
    ap.add_argument("--out", default="-")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    rows4 = rows6 = []
    if args.mode != "uniform":
        rows4 = load_rows(args.csv_dir + "/asn-ipv4.csv", False)
        rows6 = load_rows(args.csv_dir + "/asn-ipv6.csv", True)
    g = Gen(rng, rows4, rows6)
    out = sys.stdout if args.out == "-" else open(args.out, "w")
    with out:
        if args.mode == "skew":
            gen_skew(g, args.n, args, out)
        else:
            share = args.v6_share if args.mode == "mixed" else 0.0
            gen_uniform(g, args.n, share, out)


if __name__ == "__main__":
    main()
