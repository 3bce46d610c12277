#!/usr/bin/env python3
"""bench-report.py - compare `squeaky trace --json` origins with
SpamAssassin's first untrusted relay, and format benchmark table rows.

Owner: bench.  Python 3 standard library only.  Used by run-trace.sh.

  bench-report.py compare --squeaky OUT.jsonl --sa SA.tsv [--truth T.tsv]
                          [--mbox M] [--diff DIFF.txt]
      Message by message (squeaky's "path#N" label, N 1-based, against
      sa-relays.pl's "N<TAB>ip"): squeaky's origin.ip vs SpamAssassin's
      relays_untrusted[0]{ip}; null and "" both mean "none".  Addresses
      are compared canonically (IPv6 compressed and lower-case, zone id
      dropped, IPv4-mapped IPv6 as IPv4); a textual-only difference is
      counted separately.  Prints counts per class (and per generator
      profile/flag when --truth is given) and writes every difference,
      with the message's Received headers (from --mbox) and squeaky's
      reason and warnings, to --diff.  Exit 0 always (differences are
      findings, not failures) unless an input is unreadable (2).

  bench-report.py row --tool NAME --messages N --bytes B --time-log F
                      [--self-seconds S] [--self-cpu-seconds C]
                      [--ratio-to MSGS_PER_S] [--ratio-cpu-to MSGS_PER_CPU_S]
      One Markdown table row from a `/usr/bin/time -v` log: wall seconds,
      CPU seconds (user+sys), msgs/s (wall), msgs per CPU second, MB/s
      (wall), the ratio of both rates to --ratio-to / --ratio-cpu-to, max RSS.
      --self-seconds / --self-cpu-seconds replace them by self-reported
      figures (start-up excluded).  Prints the row and, on
      stderr, "msgs_per_s=X" for the caller.

Limits: inputs are read whole; a few hundred MB of JSON at most.
"""

import argparse
import collections
import ipaddress
import json
import re
import sys


def canon(ip):
    """Canonical text of an address, or the stripped text if unparsable."""
    if ip is None:
        return ""
    s = ip.strip()
    if s.lower().startswith("ipv6:"):
        s = s[5:]
    s = s.split("%", 1)[0]
    try:
        a = ipaddress.ip_address(s)
    except ValueError:
        return s.lower()
    if a.version == 6 and a.ipv4_mapped is not None:
        a = a.ipv4_mapped
    return a.compressed


def read_squeaky(path):
    """{index: record} from squeaky's JSON lines; index from 'path#N'."""
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for ln, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                sys.stderr.write("%s:%d: bad JSON (%s)\n" % (path, ln, e))
                continue
            m = re.search(r"#(\d+)$", rec.get("source", ""))
            idx = int(m.group(1)) if m else len(out) + 1
            out[idx] = rec
    return out


def read_tsv(path, ncols):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.rstrip("\n").split("\t")
            if not parts or not parts[0].isdigit():
                continue
            parts += [""] * (ncols - len(parts))
            out[int(parts[0])] = parts[1:ncols]
    return out


def received_of(mbox_path, wanted):
    """{index: [Received values]} for the wanted 1-based indexes."""
    res = {}
    if not mbox_path or not wanted:
        return res
    idx, in_hdr, cur, prev_blank = 0, False, None, True
    with open(mbox_path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if prev_blank and line.startswith("From "):
                idx += 1
                in_hdr = True
                cur = res.setdefault(idx, []) if idx in wanted else None
                prev_blank = False
                continue
            prev_blank = line == ""
            if not in_hdr:
                continue
            if line == "":
                in_hdr = False
            elif cur is not None:
                if line[:1] in (" ", "\t"):
                    if cur and cur[-1] is not None:
                        cur[-1] += " " + line.strip()
                elif line.lower().startswith("received:"):
                    cur.append(line[9:].strip())
                else:
                    cur.append(None)  # marks "another header" (dropped)
    return {k: [x for x in v if x is not None] for k, v in res.items()}


def is_global(ip):
    try:
        a = ipaddress.ip_address(canon(ip))
    except ValueError:
        return None
    return a.is_global


def cause(rec, sq_ip, sa_row):
    """A short guess at why the two origins differ, from the data alone."""
    sa_ip, untrusted, trusted = sa_row[0], sa_row[1].split(), sa_row[2].split()
    cu = [canon(x) for x in untrusted]
    warnings = (rec or {}).get("warnings") or []
    if sa_ip and is_global(sa_ip) is False:
        doc = canon(sa_ip).startswith(("192.0.2.", "198.51.100.", "203.0.113.", "2001:db8:"))
        head = "SA origin is a %s address; " % ("TEST-NET" if doc else "non-public")
        glob = [k for k, x in enumerate(untrusted) if is_global(x)]
        if sq_ip and canon(sq_ip) in cu:
            return head + "squeaky skipped to the first public untrusted relay"
        if sq_ip:
            return head + "squeaky skipped to a public relay SA parsed with another IP"
        brk = [w for w in warnings if "chain break" in w]
        if brk:
            m = re.search(r'received by "([^"]*)" but hop \d+ was sent by "([^"]*)"', brk[0])
            same = " (identical names)" if m and m.group(1) == m.group(2) else ""
            return head + "squeaky stopped at a chain break%s" % same
        if not glob:
            return head + "no public relay below it"
        if glob == [len(untrusted) - 1] and any("ignored: untrusted" in w for w in warnings):
            return head + "only public address below is an originating-IP header squeaky ignores"
        return head + "squeaky found none"
    if sq_ip and is_global(sq_ip) is False:
        return "squeaky origin is not a global address"
    if sq_ip and canon(sq_ip) in cu:
        return "squeaky chose SA's untrusted relay #%d (deeper than SA)" % (cu.index(canon(sq_ip)) + 1)
    if sq_ip and canon(sq_ip) in [canon(x) for x in trusted]:
        return "squeaky's origin is a relay SA trusts"
    if sq_ip:
        return "squeaky's origin is not among SA's relays"
    if not sa_ip:
        return "SA found no untrusted relay"
    return "squeaky found no origin"


def classify(sq_ip, sa_ip):
    a, b = canon(sq_ip), canon(sa_ip)
    if (sq_ip or "") == (sa_ip or ""):
        return "same"
    if a == b:
        return "same-after-canonical-form"
    if not a:
        return "squeaky-none-sa-ip"
    if not b:
        return "squeaky-ip-sa-none"
    return "different-ip"


def cmd_compare(a):
    try:
        sq = read_squeaky(a.squeaky)
        sa = read_tsv(a.sa, 4)
        truth = read_tsv(a.truth, 4) if a.truth else {}
    except OSError as e:
        sys.stderr.write("bench-report: %s\n" % e)
        return 2
    idxs = sorted(set(sq) | set(sa))
    classes = collections.Counter()
    by_class_profile = collections.Counter()
    by_cause = collections.Counter()
    truth_sq = truth_sa = 0
    diffs = []
    for i in idxs:
        rec = sq.get(i)
        if rec is None:
            cls, sq_ip = "missing-in-squeaky", None
        else:
            o = rec.get("origin")
            sq_ip = o.get("ip") if isinstance(o, dict) else None
            cls = None
        if i not in sa:
            cls = "missing-in-sa"
        sa_row = sa.get(i, ["", "", ""])
        sa_ip = sa_row[0]
        if cls is None:
            cls = classify(sq_ip, sa_ip)
        classes[cls] += 1
        t = truth.get(i)
        if t:
            want = "" if t[0] == "-" else t[0]
            truth_sq += canon(sq_ip) == canon(want)
            truth_sa += canon(sa_ip) == canon(want)
        if cls != "same":
            prof = t[1] if t else "?"
            flags = t[2] if t else "?"
            why = cause(rec, sq_ip, sa_row)
            if cls == "same-after-canonical-form":
                why = "same address, different text"
            by_class_profile[(cls, prof, flags)] += 1
            by_cause[(cls, why)] += 1
            diffs.append((i, cls, rec, sq_ip, sa_ip, t, why, sa_row))
    n = len(idxs)
    print("origin comparison: %d messages (squeaky %d, SpamAssassin %d)" % (n, len(sq), len(sa)))
    for cls, c in classes.most_common():
        print("  %-28s %7d  %6.2f%%" % (cls, c, 100.0 * c / max(1, n)))
    if truth:
        print("  agreement with the generator's intended origin: squeaky %d/%d, "
              "SpamAssassin %d/%d" % (truth_sq, n, truth_sa, n))
    conf = collections.Counter()
    brk = brk_same = 0
    for rec in sq.values():
        o = rec.get("origin")
        conf[o.get("confidence", "?") if isinstance(o, dict) else "null"] += 1
        ws = [w for w in rec.get("warnings") or [] if "chain break" in w]
        brk += bool(ws)
        for w in ws:
            m = re.search(r'received by "([^"]*)" but hop \d+ was sent by "([^"]*)"', w)
            if m and m.group(1) == m.group(2):
                brk_same += 1
                break
    print("squeaky confidence: %s" % ", ".join("%s %d" % kv for kv in conf.most_common()))
    print("squeaky chain-break warnings: %d messages (%d where both names are identical)" % (brk, brk_same))
    if by_cause:
        print("differences by class / likely cause:")
        for (cls, why), c in sorted(by_cause.items(), key=lambda kv: (-kv[1], kv[0])):
            print("  %6d  %-26s %s" % (c, cls, why))
    if by_class_profile:
        print("differences by class / generator profile / flags:")
        for (cls, prof, flags), c in sorted(by_class_profile.items(), key=lambda kv: (-kv[1], kv[0])):
            print("  %6d  %-26s %-12s %s" % (c, cls, prof, flags))
    if a.diff:
        rcv = received_of(a.mbox, {d[0] for d in diffs[:a.max_diff]})
        with open(a.diff, "w", encoding="utf-8") as f:
            f.write("# squeaky vs SpamAssassin origin differences: %d of %d messages\n" % (len(diffs), n))
            for i, cls, rec, sq_ip, sa_ip, t, why, sa_row in diffs[:a.max_diff]:
                f.write("\n## message %d: %s (%s)\n" % (i, cls, why))
                f.write("squeaky: %s\n" % (json.dumps(rec.get("origin")) if rec else "(no record)"))
                f.write("SpamAssassin first untrusted: %s\n" % (sa_ip or "(none)"))
                f.write("SpamAssassin trusted: %s; untrusted: %s\n" % (sa_row[2] or "-", sa_row[1] or "-"))
                if t:
                    f.write("generator: origin=%s profile=%s flags=%s\n" % tuple(t[:3]))
                if rec and rec.get("warnings"):
                    f.write("squeaky warnings: %s\n" % "; ".join(rec["warnings"]))
                if rec and rec.get("relays"):
                    f.write("squeaky relays (ip trusted/internal):\n")
                    for k, r in enumerate(rec["relays"], 1):
                        f.write("  %2d %-40s %s%s  by=%s\n" % (
                            k, r.get("ip", ""), "T" if r.get("trusted") else "-",
                            "I" if r.get("internal") else "-", r.get("by", "")))
                for k, h in enumerate(rcv.get(i, []), 1):
                    f.write("  Received[%d]: %s\n" % (k, h))
            if len(diffs) > a.max_diff:
                f.write("\n(%d more not shown)\n" % (len(diffs) - a.max_diff))
        print("differences written to %s" % a.diff)
    return 0


def time_log(path):
    """(wall seconds, max RSS KiB, exit status) from a /usr/bin/time -v log."""
    wall, rss, status, cpu = None, None, None, 0.0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("Elapsed (wall clock) time"):
                v = line.rsplit(" ", 1)[-1]
                secs = 0.0
                for part in v.split(":"):
                    secs = secs * 60 + float(part)
                wall = secs
            elif line.startswith(("User time (seconds)", "System time (seconds)")):
                cpu += float(line.rsplit(" ", 1)[-1])
            elif line.startswith("Maximum resident set size"):
                rss = int(line.rsplit(" ", 1)[-1])
            elif line.startswith("Exit status"):
                status = int(line.rsplit(" ", 1)[-1])
    return wall, rss, status, cpu


def cmd_row(a):
    wall, rss, _, cpu = time_log(a.time_log)
    secs = a.self_seconds if a.self_seconds else wall
    if a.self_cpu_seconds:
        cpu = a.self_cpu_seconds
    if not secs:
        sys.stderr.write("bench-report: no time in %s\n" % a.time_log)
        return 2
    mps = a.messages / secs
    cps = a.messages / cpu if cpu else 0.0
    mbs = a.bytes / 1e6 / secs
    ratio = "%.1f×" % (mps / a.ratio_to) if a.ratio_to else "1×"
    if a.ratio_cpu_to and cps:
        ratio += " / %.1f×" % (cps / a.ratio_cpu_to)
    print("| %s | %d | %.1f | %.2f | %.2f | %.0f | %.0f | %.1f | %s | %.0f |" % (
        a.tool, a.messages, a.bytes / 1e6, secs, cpu, mps, cps, mbs, ratio, (rss or 0) / 1024.0))
    sys.stderr.write("msgs_per_s=%.3f msgs_per_cpu_s=%.3f\n" % (mps, cps))
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--squeaky", required=True)
    c.add_argument("--sa", required=True)
    c.add_argument("--truth")
    c.add_argument("--mbox")
    c.add_argument("--diff")
    c.add_argument("--max-diff", type=int, default=2000)
    r = sub.add_parser("row")
    r.add_argument("--tool", required=True)
    r.add_argument("--messages", type=int, required=True)
    r.add_argument("--bytes", type=int, required=True)
    r.add_argument("--time-log", required=True)
    r.add_argument("--self-seconds", type=float)
    r.add_argument("--self-cpu-seconds", type=float)
    r.add_argument("--ratio-to", type=float)
    r.add_argument("--ratio-cpu-to", type=float)
    a = ap.parse_args(argv)
    return cmd_compare(a) if a.cmd == "compare" else cmd_row(a)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
