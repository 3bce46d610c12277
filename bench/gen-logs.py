#!/usr/bin/env python3
"""gen-logs.py - deterministic generator of realistic logs for the scan
benchmarks and tests (issue 6).

Writes syslog-format lines (auth.log style, no year) to stdout or a
file.  The same --seed always gives the same bytes.

  --kind sshd       OpenSSH auth.log: brute force from many addresses
                    (Failed password, Invalid user, pam_unix failures,
                    Disconnecting: Too many authentication failures,
                    Did not receive identification, message repeated)
                    mixed with noise: accepted logins, session lines,
                    cron, systemd, sudo, Connection closed, Received
                    disconnect 11.
  --kind netfilter  kernel LOG lines: iptables custom prefixes, nftables
                    and [UFW BLOCK]/[UFW ALLOW], TCP/UDP/ICMP, IPv4 and
                    some IPv6.
  --kind mixed      both, interleaved.

Flags:
  --lines N         lines to write (default 1,000,000)
  --ips N           distinct attacker addresses (default 120,000);
                    addresses are drawn with a skew (a few sources send
                    most lines, as in real logs)
  --noise F         fraction of noise lines, 0..1 (default 0.35)
  --seed S          random seed (default 1)
  --start EPOCH     time of the first line (default 1767225600,
                    2026-01-01 UTC); lines advance 0-2 s
  --host NAME       host name in the lines (default "web1")
  -o FILE           output file (default stdout)

At the end, a summary goes to stderr: lines, attack lines, lines with
"Failed password", distinct sources used.
"""
import argparse
import random
import sys
import time

USERS = ["root", "admin", "test", "user", "oracle", "postgres", "ubuntu",
         "git", "guest", "ftpuser", "pi", "support", "deploy", "www-data",
         "jenkins", "hadoop", "mysql", "minecraft", "dev", "backup"]
REAL_USERS = ["alice", "bob", "carol"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]


def stamp(t):
    tm = time.gmtime(t)
    return "%s %2d %02d:%02d:%02d" % (MONTHS[tm.tm_mon - 1], tm.tm_mday,
                                      tm.tm_hour, tm.tm_min, tm.tm_sec)


def make_ips(rng, n):
    ips, seen = [], set()
    while len(ips) < n:
        if rng.random() < 0.06:
            ip = "2001:db8:%x:%x::%x" % (rng.randrange(65536),
                                         rng.randrange(65536),
                                         rng.randrange(1, 65536))
        else:
            a = rng.choice([1, 2, 5, 23, 27, 31, 36, 37, 41, 45, 46, 49, 58,
                            61, 77, 80, 89, 91, 92, 103, 106, 112, 115, 117,
                            118, 119, 121, 122, 123, 124, 125, 138, 139, 141,
                            150, 154, 159, 161, 164, 165, 167, 170, 171, 175,
                            177, 178, 179, 180, 181, 182, 183, 185, 186, 187,
                            188, 189, 190, 191, 193, 194, 195, 196, 197, 200,
                            201, 202, 203, 210, 211, 212, 213, 217, 218, 219,
                            220, 221, 222, 223])
            ip = "%d.%d.%d.%d" % (a, rng.randrange(256), rng.randrange(256),
                                  rng.randrange(1, 255))
        if ip not in seen:
            seen.add(ip)
            ips.append(ip)
    return ips


class Gen:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.ips = make_ips(self.rng, args.ips)
        self.host = args.host
        self.t = args.start
        self.pid = 20000
        self.noise = args.noise
        self.attacks = 0
        self.used = set()
        self.next_ip = 0

    def ip(self):
        # the first pass visits every address once, then a skew
        if self.next_ip < len(self.ips):
            self.next_ip += 1
            ip = self.ips[self.next_ip - 1]
        else:
            r = self.rng.random()
            ip = self.ips[int(len(self.ips) * r * r * r)]
        self.used.add(ip)
        return ip

    def tick(self):
        self.t += self.rng.choice((0, 0, 0, 1, 1, 2))
        return stamp(self.t)

    def newpid(self):
        self.pid = 20000 + (self.pid - 19999) % 40000
        return self.pid

    def sshd_attack(self, out):
        ip, pid, port = self.ip(), self.newpid(), self.rng.randrange(1024,
                                                                     65535)
        user = self.rng.choice(USERS)
        h = "%s %s sshd[%d]: " % (self.tick(), self.host, pid)
        r = self.rng.random()
        lines = []
        if r < 0.08:
            lines.append(h + "Did not receive identification string from %s "
                         "port %d" % (ip, port))
        elif r < 0.45 and user != "root":
            lines += [h + "Invalid user %s from %s port %d" % (user, ip, port),
                      h + "pam_unix(sshd:auth): check pass; user unknown",
                      h + "pam_unix(sshd:auth): authentication failure; "
                      "logname= uid=0 euid=0 tty=ssh ruser= rhost=%s" % ip,
                      h + "Failed password for invalid user %s from %s port "
                      "%d ssh2" % (user, ip, port)]
        elif r < 0.55:
            n = self.rng.randrange(2, 6)
            lines += [h + "Failed password for root from %s port %d ssh2" %
                      (ip, port),
                      h + "message repeated %d times: [ Failed password for "
                      "root from %s port %d ssh2]" % (n, ip, port),
                      h + "error: maximum authentication attempts exceeded "
                      "for root from %s port %d ssh2 [preauth]" % (ip, port),
                      h + "Disconnecting: Too many authentication failures "
                      "for root [preauth]"]
        else:
            lines += [h + "pam_unix(sshd:auth): authentication failure; "
                      "logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  "
                      "user=%s" % (ip, user),
                      h + "Failed password for %s from %s port %d ssh2" %
                      (user, ip, port),
                      h + "Received disconnect from %s port %d:11: Bye Bye "
                      "[preauth]" % (ip, port)]
        self.attacks += 1
        out.extend(lines)

    def sshd_noise(self, out):
        r = self.rng.random()
        ts = self.tick()
        if r < 0.2:
            pid, u = self.newpid(), self.rng.choice(REAL_USERS)
            ip = "198.51.100.%d" % self.rng.randrange(1, 255)
            h = "%s %s sshd[%d]: " % (ts, self.host, pid)
            out += [h + "Accepted publickey for %s from %s port %d ssh2: "
                    "ED25519 SHA256:%032x" % (u, ip, self.rng.randrange(
                        1024, 65536), self.rng.randrange(1 << 120)),
                    h + "pam_unix(sshd:session): session opened for user %s"
                    "(uid=1000) by (uid=0)" % u,
                    "%s %s systemd-logind[611]: New session %d of user %s." %
                    (ts, self.host, self.rng.randrange(1, 99999), u)]
        elif r < 0.55:
            pid = self.newpid()
            out += ["%s %s CRON[%d]: pam_unix(cron:session): session opened "
                    "for user root(uid=0) by (uid=0)" % (ts, self.host, pid),
                    "%s %s CRON[%d]: pam_unix(cron:session): session closed "
                    "for user root" % (ts, self.host, pid)]
        elif r < 0.75:
            out.append("%s %s systemd[1]: Started %s." % (
                ts, self.host, self.rng.choice(
                    ["Session 5 of User alice", "Daily apt upgrade",
                     "Cleanup of Temporary Directories",
                     "Rotate log files", "man-db.service"])))
        elif r < 0.9:
            ip = self.ip()
            out.append("%s %s sshd[%d]: Connection closed by %s port %d "
                       "[preauth]" % (ts, self.host, self.newpid(), ip,
                                      self.rng.randrange(1024, 65535)))
        else:
            out.append("%s %s sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; "
                       "USER=root ; COMMAND=/usr/bin/apt update" %
                       (ts, self.host))

    def netfilter(self, out):
        ip = self.ip()
        ts = self.tick()
        r = self.rng.random()
        proto = self.rng.choice(("TCP", "TCP", "TCP", "UDP", "ICMP"))
        dst = "203.0.113.%d" % self.rng.randrange(1, 255)
        if ":" in ip:
            dst = "2001:db8:ffff::1"
        body = ("IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
                "SRC=%s DST=%s LEN=44 TOS=0x00 PREC=0x00 TTL=%d ID=%d "
                "PROTO=%s" % (ip, dst, self.rng.randrange(30, 250),
                              self.rng.randrange(65536), proto))
        if proto != "ICMP":
            body += " SPT=%d DPT=%d" % (self.rng.randrange(1024, 65535),
                                        self.rng.choice((22, 23, 80, 443,
                                                         445, 3389, 8080,
                                                         5900, 1433, 6379)))
            if proto == "TCP":
                body += " WINDOW=1024 RES=0x00 SYN URGP=0"
        else:
            body += " TYPE=8 CODE=0 ID=1 SEQ=1"
        prefix = "[UFW BLOCK] " if r < 0.5 else (
            "DROP-IN: " if r < 0.8 else "nft-drop: ")
        if r > 0.97:
            prefix = "[UFW ALLOW] "
        self.attacks += 1
        out.append("%s %s kernel: [%d.%06d] %s%s" % (
            ts, self.host, self.t - 1767000000, self.rng.randrange(1000000),
            prefix, body))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=("sshd", "netfilter", "mixed"),
                    default="sshd")
    ap.add_argument("--lines", type=int, default=1000000)
    ap.add_argument("--ips", type=int, default=120000)
    ap.add_argument("--noise", type=float, default=0.35)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start", type=int, default=1767225600)
    ap.add_argument("--host", default="web1")
    ap.add_argument("-o", dest="out")
    args = ap.parse_args()
    if args.lines < 0 or args.ips < 1 or not 0 <= args.noise <= 1:
        ap.error("bad --lines, --ips or --noise")
    g = Gen(args)
    f = open(args.out, "w") if args.out else sys.stdout
    written, failed, buf = 0, 0, []
    while written < args.lines:
        buf.clear()
        if g.rng.random() < args.noise:
            g.sshd_noise(buf) if args.kind != "netfilter" else \
                buf.append("%s %s systemd[1]: Started Daily apt upgrade." %
                           (g.tick(), g.host))
        elif args.kind == "sshd" or (args.kind == "mixed" and
                                     g.rng.random() < 0.5):
            g.sshd_attack(buf)
        else:
            g.netfilter(buf)
        buf = buf[:args.lines - written]
        # counted as written: the last sequence may have been cut short
        failed += sum("Failed password" in line for line in buf)
        f.write("\n".join(buf) + "\n")
        written += len(buf)
    if f is not sys.stdout:
        f.close()
    sys.stderr.write("gen-logs: %d lines, %d attack sequences, %d with "
                     "'Failed password', %d distinct sources\n" %
                     (written, g.attacks, failed, len(g.used)))


if __name__ == "__main__":
    main()
