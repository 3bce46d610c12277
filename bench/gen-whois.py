#!/usr/bin/env python3
"""gen-whois.py - a seeded set of networks and addresses for the whois
benchmark (bench/run-whois.sh).

  gen-whois.py --out DIR [--prefixes 300] [--ips 10000] [--seed N]

Writes, for --prefixes networks (a mix of /16 and /24 in space the five
registries hold):
  DIR/rdap/N.json   an RDAP ip network document with an abuse entity
  DIR/whois/N.txt   the same network as ARIN-style port-43 text
  DIR/rdap.map      "PATH-REGEX  FILE" rules for tests/servers/rdap_replay.py
  DIR/whois.map     "QUERY-REGEX FILE" rules for tests/servers/whois_replay.py
  DIR/ips.txt       --ips addresses, each inside one of the networks
  DIR/truth.tsv     ip <TAB> prefix <TAB> abuse address
"""

import argparse
import json
import os
import random

# /8s held by each registry (IANA IPv4 address space registry)
SPACE = {
    "arin": [23, 24, 50, 63, 64, 65, 66, 67, 68, 69, 70, 71],
    "ripencc": [62, 77, 78, 79, 80, 81, 82, 83, 84, 85],
    "apnic": [1, 14, 27, 36, 39, 42, 49, 58, 59, 60],
    "lacnic": [177, 179, 181, 186, 187, 189, 190, 191, 200, 201],
    "afrinic": [41, 102, 105, 197],
}


def pick_networks(rng, count):
    nets, used16 = [], set()
    regs = sorted(SPACE)
    while len(nets) < count:
        reg = regs[len(nets) % len(regs)]
        a = rng.choice(SPACE[reg])
        b = rng.randrange(256)
        if (a, b) in used16:
            continue
        used16.add((a, b))
        if rng.random() < 0.3:
            nets.append((reg, a, b, None))  # a.b.0.0/16
        else:
            nets.append((reg, a, b, rng.randrange(256)))  # a.b.c.0/24
    return nets


def rdap_doc(i, reg, first, last, email):
    vcard = ["vcard", [["version", {}, "text", "4.0"],
                       ["fn", {}, "text", "Bench Abuse %d" % i],
                       ["email", {}, "text", email]]]
    return {
        "objectClassName": "ip network",
        "rdapConformance": ["rdap_level_0"],
        "handle": "NET-BENCH-%d" % i,
        "startAddress": first,
        "endAddress": last,
        "ipVersion": "v4",
        "name": "BENCH-NET-%d" % i,
        "type": "ASSIGNED",
        "country": "ZZ",
        "port43": "whois.%s.net" % ("ripe" if reg == "ripencc" else reg),
        "entities": [{"objectClassName": "entity",
                      "handle": "ABUSE-BENCH-%d" % i,
                      "roles": ["abuse"], "vcardArray": vcard}],
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefixes", type=int, default=300)
    ap.add_argument("--ips", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20261127)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "rdap"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "whois"), exist_ok=True)
    nets = pick_networks(rng, args.prefixes)
    rmap, wmap = [], []
    for i, (reg, a, b, c) in enumerate(nets):
        if c is None:
            first, last, cidr = "%d.%d.0.0" % (a, b), "%d.%d.255.255" % (a, b), \
                "%d.%d.0.0/16" % (a, b)
            rx = r"%d\.%d\.[0-9]+\.[0-9]+" % (a, b)
        else:
            first, last = "%d.%d.%d.0" % (a, b, c), "%d.%d.%d.255" % (a, b, c)
            cidr = "%d.%d.%d.0/24" % (a, b, c)
            rx = r"%d\.%d\.%d\.[0-9]+" % (a, b, c)
        email = "abuse-%d@net%d.bench-isp.net" % (i, i)  # .example is a placeholder domain
        with open(os.path.join(args.out, "rdap", "%d.json" % i), "w") as f:
            json.dump(rdap_doc(i, reg, first, last, email), f)
        with open(os.path.join(args.out, "whois", "%d.txt" % i), "w") as f:
            f.write("NetRange:       %s - %s\nCIDR:           %s\n"
                    "NetName:        BENCH-NET-%d\nNetHandle:      NET-BENCH-%d\n"
                    "OrgAbuseEmail:  %s\n" % (first, last, cidr, i, i, email))
        rmap.append("/ip/%s(/[0-9]+)?  rdap/%d.json" % (rx, i))
        wmap.append("(n \\+ )?%s  whois/%d.txt" % (rx, i))
        nets[i] = (reg, a, b, c, cidr, email)
    with open(os.path.join(args.out, "rdap.map"), "w") as f:
        f.write("\n".join(rmap) + "\n")
    with open(os.path.join(args.out, "whois.map"), "w") as f:
        f.write("\n".join(wmap) + "\n")
    with open(os.path.join(args.out, "ips.txt"), "w") as ips, \
            open(os.path.join(args.out, "truth.tsv"), "w") as truth:
        for _ in range(args.ips):
            reg, a, b, c, cidr, email = rng.choice(nets)
            c2 = rng.randrange(256) if c is None else c
            ip = "%d.%d.%d.%d" % (a, b, c2, rng.randrange(1, 255))
            ips.write(ip + "\n")
            truth.write("%s\t%s\t%s\n" % (ip, cidr, email))


if __name__ == "__main__":
    main()
