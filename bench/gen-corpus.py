#!/usr/bin/env python3
"""gen-corpus.py - deterministic synthetic mbox for the `squeaky trace` benchmark.

Owner: bench.  Python 3 standard library only.  Same --seed and -n give a
byte-identical mbox.

Every message is addressed to a user of one fixed "receiving site",
example.net, whose own relays live in 203.0.113.0/24 and 2001:db8:1::/48
(pass SITE_TRUST below as --trusted-networks / internal_networks to both
tools).  Above the site boundary sit 1-3 site hops (Postfix + amavis,
Exim, Dovecot LMTP, ...); the MX hop names the sender's outbound MTA,
which is the intended origin; below it come 1-6 hops of the sender's own
chain in the dialect of one MTA family (Postfix, Sendmail, Exim, qmail,
Courier, Microsoft 365, Gmail, Yahoo, Zimbra, MDaemon, Domino, webmail).
Totals are kept within 4-10 Received headers.

Special cases (fractions are approximate):
  ~10% webmail carrying X-Originating-IP (Zimbra web client, Roundcube
       on shared hosting, the site's own webmail - where every Received
       hop is trusted and the header is the only external address),
  ~5%  a forged lower hop (spam software adds fake Received lines below
       the real chain, sometimes claiming the site's own addresses),
  ~1%  site-internal messages with no external hop at all,
  ~1%  bounces carrying the original message (with its own Received
       lines) in the body, which must not be read as headers.

Output: an mbox ("From " separator lines, body lines beginning "From "
escaped as ">From ").  --truth FILE writes "index<TAB>origin<TAB>profile
<TAB>flags" (1-based index; origin "-" for none) with the generator's
intent, for explaining differences; it is not what either tool must say.
--repeat-to-mb M writes the N messages over and over until the file
reaches M MiB (the scanning-throughput input).

Limits: at most 10,000,000 messages; the repeat target at most 64 GiB.
"""

import argparse
import base64
import datetime as dt
import ipaddress
import random
import re
import sys

SITE_TRUST = "203.0.113.0/24 2001:db8:1::/48"
SITE_DOMAIN = "example.net"
MAX_MESSAGES = 10_000_000
MAX_REPEAT_MB = 64 * 1024

# Ranges an external hop must never come from (private, loopback, CGN,
# link-local, multicast, reserved, benchmarking, and the site itself).
_EXCLUDED_V4 = [ipaddress.ip_network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "203.0.113.0/24", "224.0.0.0/3")]

FIRST = ["anna", "ben", "carla", "dmitri", "elena", "farid", "grace", "hiro",
         "ines", "jonas", "kemal", "lena", "marco", "nadia", "olaf", "priya",
         "quentin", "rosa", "sven", "tanja", "umar", "vera", "wei", "yusuf"]
LAST = ["meyer", "okafor", "rossi", "nakamura", "silva", "novak", "kowalski",
        "haddad", "jensen", "garcia", "dubois", "ivanova", "smith", "tanaka"]
TLDS = ["com", "net", "org", "de", "fr", "co.uk", "it", "nl", "pl", "com.br",
        "ru", "jp", "io", "info", "biz", "es", "se", "ch", "in", "cn"]
WORDS = ["alpha", "blue", "cargo", "delta", "ember", "fjord", "globe", "harbor",
         "iris", "jade", "kite", "lumen", "mosaic", "nova", "orbit", "pixel",
         "quartz", "river", "summit", "tango", "umbra", "vector", "willow",
         "xenon", "yonder", "zephyr", "acme", "bright", "crest", "dyna"]
SUBJECTS = ["Invoice {n} overdue", "Re: meeting on {d}", "Your order #{n}",
            "Quarterly report", "Fwd: contract draft", "Limited offer: {p}% off",
            "Password expiry notice", "Re: Re: shipping update",
            "Newsletter {d}", "Action required: verify your account",
            "Lunch tomorrow?", "Delivery failure notification",
            "You have a new voice message", "Re: project timeline"]
BODY_LINES = [
    "Hello,", "Please find the details below.", "Thanks for your quick reply.",
    "Let me know if anything is unclear.", "Best regards,",
    "The attached document contains the figures we discussed.",
    "Click the link below to confirm your details within 24 hours.",
    "We are pleased to offer you an exclusive discount.",
    "From the desk of the managing director:",
    "From what I understand the shipment left on Monday.",
    "Kind regards", "Cheers,"]
TLS_CIPHERS = ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
               "TLS_CHACHA20_POLY1305_SHA256"]
UAS = ["Mozilla Thunderbird 115.10.1", "Microsoft Outlook 16.0",
       "Apple Mail (2.3774.500.171.1.1)", "Evolution 3.46.4",
       "Roundcube Webmail/1.6.6", "K-9 Mail for Android"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
HEXD = "0123456789abcdef"
B32 = "0123456789BCDFGHJKLMNPQRSTVWXYZ"

# The receiving site: name, IPv4, IPv6 (all inside SITE_TRUST).
SITE = {
    "mx1": ("mx1.example.net", "203.0.113.10", "2001:db8:1::10"),
    "mx2": ("mx2.example.net", "203.0.113.11", "2001:db8:1::11"),
    "gw": ("gw.example.net", "203.0.113.5", "2001:db8:1::5"),
    "hub": ("hub.example.net", "203.0.113.25", "2001:db8:1::25"),
    "imap": ("imap1.example.net", "203.0.113.30", "2001:db8:1::30"),
    "web": ("webmail.example.net", "203.0.113.40", "2001:db8:1::40"),
}


class Gen:
    """All randomness of one corpus, driven by one seeded generator."""

    def __init__(self, seed, testnet=0.0):
        self.testnet = testnet
        self.r = random.Random(seed)
        self.base_time = dt.datetime(2024, 4, 1, 8, 0, 0,
                                     tzinfo=dt.timezone.utc)

    # -- small random helpers ---------------------------------------------
    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]

    def chance(self, p):
        return self.r.random() < p

    def rstr(self, n, alphabet=ALNUM):
        return "".join(alphabet[self.r.randrange(len(alphabet))]
                       for _ in range(n))

    def domain(self):
        w = self.pick(WORDS) + self.pick(WORDS) if self.chance(0.5) \
            else self.pick(WORDS) + "-" + self.pick(WORDS)
        return w + "." + self.pick(TLDS)

    def person(self, dom):
        f, l = self.pick(FIRST), self.pick(LAST)
        local = self.pick([f, f + "." + l, f[0] + l, f + str(self.r.randrange(10, 99))])
        return "%s %s" % (f.capitalize(), l.capitalize()), local + "@" + dom

    # -- addresses ----------------------------------------------------------
    def ipv4(self):
        """A public-looking IPv4: random routable; with --testnet-share,
        that share of TEST-NET addresses (which squeaky, by design, never
        reports as an origin while SpamAssassin does)."""
        if self.testnet > 0 and self.chance(self.testnet):
            return "%s.%d" % (self.pick(["192.0.2", "198.51.100"]),
                              self.r.randrange(1, 255))
        while True:
            a = ipaddress.IPv4Address(self.r.getrandbits(32))
            if a.packed[3] in (0, 255):
                continue
            if not any(a in n for n in _EXCLUDED_V4):
                return str(a)

    def ipv4_in(self, prefix):
        net = ipaddress.ip_network(prefix)
        return str(net[self.r.randrange(1, net.num_addresses - 1)])

    def ipv6(self, prefix=None):
        """A global-unicast IPv6 (random /32 in 2a00::/12 or 2600::/12)."""
        if prefix is None:
            hi = self.pick([0x2a00, 0x2600, 0x2400, 0x2800]) | self.r.randrange(16)
            prefix = "%x:%x::/32" % (hi, self.r.randrange(1, 0xffff))
        net = ipaddress.ip_network(prefix)
        span = net.num_addresses - 1
        a = net[self.r.randrange(1, span if span < 2**63 else 2**63)]
        return a.compressed

    def private_v4(self):
        return self.pick(["192.168.%d.%d" % (self.r.randrange(0, 3), self.r.randrange(2, 250)),
                          "10.%d.%d.%d" % (self.r.randrange(0, 256), self.r.randrange(0, 256), self.r.randrange(2, 250)),
                          "172.%d.%d.%d" % (self.r.randrange(16, 32), self.r.randrange(0, 256), self.r.randrange(2, 250))])

    def rdns_for(self, ip):
        """ISP-style reverse name, or None (no PTR)."""
        if ":" in ip or self.chance(0.15):
            return None
        d = ip.replace(".", "-")
        return self.pick(["%s.dyn.%s" % (d, self.domain()),
                          "ip-%s.%s" % (d, self.domain()),
                          "host-%s.static.%s" % (d, self.domain())])

    # -- time -----------------------------------------------------------------
    def tz(self):
        return self.pick([0, 60, 120, -240, -300, -420, 330, 480, 540, 600])

    def date(self, t, tzmin=None, comment=True, seconds=True, weekday=True):
        """RFC 5322 date text for UTC instant t in a zone of tzmin minutes."""
        if tzmin is None:
            tzmin = 0
        lt = t + dt.timedelta(minutes=tzmin)
        sign = "+" if tzmin >= 0 else "-"
        off = "%s%02d%02d" % (sign, abs(tzmin) // 60, abs(tzmin) % 60)
        s = ""
        if weekday:
            s += DAYS[lt.weekday()] + ", "
        s += "%d %s %d %02d:%02d" % (lt.day, MONTHS[lt.month - 1], lt.year,
                                     lt.hour, lt.minute)
        if seconds:
            s += ":%02d" % lt.second
        s += " " + off
        if comment:
            names = {0: "UTC", 60: "CET", 120: "CEST", -240: "EDT", -300: "EST",
                     -420: "PDT", 330: "IST", 480: "CST", 540: "JST", 600: "AEST"}
            s += " (%s)" % names.get(tzmin, "UTC")
        return s

    # -- ids ------------------------------------------------------------------
    def postfix_id(self):
        if self.chance(0.5):
            return self.rstr(self.r.randrange(9, 12), "0123456789ABCDEF")
        return "4V" + self.rstr(10, B32)

    def exim_id(self, new=True):
        if new:
            return "1r%s-%s-%s" % (self.rstr(4), self.rstr(6), self.rstr(2))
        return "1r%s-%s-%s" % (self.rstr(4), self.rstr(4), self.rstr(2))

    def sendmail_id(self):
        return "4%s%s" % (self.rstr(7), self.rstr(6, "0123456789"))


def fold(*parts):
    """Join header pieces the way MTAs fold: newline + tab."""
    return "\n\t".join(p for p in parts if p)


def bracket_v6(ip, style):
    """IPv6 in the bracket styles used by the MTAs."""
    if ":" not in ip:
        return ip
    return {"postfix": "IPv6:" + ip, "sendmail": "IPv6:" + ip}.get(style, ip)


# ---------------------------------------------------------------------------
# Hop writers.  Each returns the Received header value (no "Received: ").
# `frm` is (helo, rdns-or-None, ip); `by` a host name; t a UTC datetime.

def rcv_postfix(g, frm, by, t, tz, rcpt, tls=True, auth_user=None, esmtp=True):
    helo, rdns, ip = frm
    head = "from %s (%s [%s])" % (helo, rdns or "unknown", bracket_v6(ip, "postfix"))
    parts = [head]
    if tls:
        parts.append("(using TLSv1.3 with cipher %s (256/256 bits)" % g.pick(TLS_CIPHERS))
        parts.append(" key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)")
        parts.append("(No client certificate requested)")
    proto = "ESMTP"
    if auth_user:
        parts.append("(Authenticated sender: %s)" % auth_user)
        proto = "ESMTPSA" if tls else "ESMTPA"
    elif tls:
        proto = "ESMTPS"
    elif not esmtp:
        proto = "SMTP"
    parts.append("by %s (Postfix) with %s id %s" % (by, proto, g.postfix_id()))
    if rcpt:
        parts.append("for <%s>; %s" % (rcpt, g.date(t, tz)))
        return fold(*parts)
    return fold(*parts) + "; " + g.date(t, tz)


def rcv_postfix_local(g, by, t, tz, rcpt):
    return fold("from localhost (localhost [127.0.0.1])",
                "by %s (Postfix) with ESMTP id %s" % (by, g.postfix_id()),
                "for <%s>; %s" % (rcpt, g.date(t, tz)))


def rcv_postfix_pickup(g, by, t, tz, uid):
    return fold("by %s (Postfix, from userid %d)" % (by, uid),
                "id %s; %s" % (g.postfix_id(), g.date(t, tz)))


def rcv_amavis(g, host, t, tz, rcpt, ip="127.0.0.1"):
    return fold("from %s ([%s])" % (host, ip),
                "by localhost (%s [127.0.0.1]) (amavis, port 10024) with ESMTP" % host,
                "id %s for <%s>; %s" % (g.rstr(12), rcpt, g.date(t, tz)))


def rcv_exim(g, frm, by, t, tz, rcpt, envfrom, auth=False, port=False, ver="4.96"):
    helo, rdns, ip = frm
    if rdns:
        head = "from %s ([%s]%s helo=%s)" % (rdns, ip, ":%d" % g.r.randrange(1024, 65535) if port else "", helo)
    else:
        head = "from [%s] (%shelo=%s)" % (ip, "port=%d " % g.r.randrange(1024, 65535) if port else "", helo)
    proto = "esmtpsa" if auth else "esmtps"
    cipher = g.pick(TLS_CIPHERS)
    parts = [head, "by %s with %s  (TLS1.3) tls %s" % (by, proto, cipher),
             "(Exim %s)" % ver]
    parts.append("(envelope-from <%s>)" % envfrom)
    new_ids = ver >= "4.97"
    parts.append("id %s" % g.exim_id(new_ids))
    parts.append("for %s; %s" % (rcpt, g.date(t, tz, comment=False)))
    return fold(*parts)


def rcv_sendmail(g, frm, by, t, tz, rcpt, auth=False, forged_note=False):
    helo, rdns, ip = frm
    ipb = bracket_v6(ip, "sendmail")
    inner = "%s [%s]" % (rdns, ipb) if rdns else "[%s]" % ipb
    if forged_note:
        inner += " (may be forged)"
    parts = ["from %s (%s)" % (helo, inner)]
    if auth:
        parts.append("(authenticated bits=0)")
    ver = g.pick(["8.15.2/8.15.2", "8.17.1/8.17.1", "8.14.7/8.14.7"])
    parts.append("by %s (%s) with %s id %s" % (by, ver, "ESMTPSA" if auth else "ESMTPS", g.sendmail_id()))
    parts.append("(version=TLSv1.3 cipher=%s bits=256 verify=NOT)" % g.pick(TLS_CIPHERS))
    parts.append("for <%s>; %s" % (rcpt, g.date(t, tz)))
    return fold(*parts)


def rcv_sendmail_submit(g, host, t, tz, rcpt, user):
    return fold("(from %s@localhost)" % user,
                "by %s (8.15.2/8.15.2/Submit) id %s" % (host, g.sendmail_id()),
                "for %s; %s" % (rcpt, g.date(t, tz)))


def rcv_qmail_net(g, frm, by, t, auth_user=None):
    helo, rdns, ip = frm
    who = "%s@%s" % (auth_user, ip) if auth_user else ip
    proto = "ESMTPA" if auth_user else "SMTP"
    return "from %s (HELO %s) (%s)\n  by %s with %s; %s" % (
        rdns or "unknown", helo, who, by, proto,
        g.date(t, 0, comment=False, weekday=False).replace("+0000", "-0000"))


def rcv_qmail_invoked(g, t, what):
    return "(qmail %d invoked %s); %s" % (
        g.r.randrange(1000, 99999), what,
        g.date(t, 0, comment=False, weekday=False).replace("+0000", "-0000"))


def rcv_courier(g, frm, by, t, tz, auth_user=None):
    helo, rdns, ip = frm
    ipc = ip if ":" in ip else "::ffff:" + ip
    parts = ["from %s (%s [%s])" % (helo, rdns or "unknown", ipc)]
    if auth_user:
        parts.append("(AUTH: LOGIN %s, TLS: TLSv1.3,256bits,%s)" % (auth_user, g.pick(TLS_CIPHERS)))
        proto = "ESMTPSA"
    else:
        parts.append("(TLS: TLSv1.3,256bits,%s)" % g.pick(TLS_CIPHERS))
        proto = "ESMTPS"
    parts.append("by %s with %s; %s" % (by, proto, g.date(t, tz, comment=False)))
    parts.append("id %016X.%016X.%08X" % (g.r.getrandbits(40), g.r.getrandbits(32), g.r.getrandbits(16)))
    return fold(*parts)


def m365_host(g, region):
    return "%s%dPR%02dMB%d.%sprd%02d.prod.outlook.com" % (
        g.pick(["AM", "DB", "VI", "PA", "AS", "DU", "GV"]), g.r.randrange(0, 10),
        g.r.randrange(1, 10), g.r.randrange(1000, 9999), region, g.r.randrange(1, 10))


def m365_ip(g):
    return "2603:10a6:%x:%x::%x" % (g.r.randrange(0x10, 0x900), g.r.randrange(1, 0x3ff), g.r.randrange(1, 0xff))


def rcv_m365(g, frm_host, frm_ip, by_host, by_ip, t, frontend=False):
    build = "15.20.%d.%03d" % (g.r.randrange(7000, 8999), g.r.randrange(0, 60))
    return fold("from %s (%s) by" % (frm_host, frm_ip),
                " %s (%s) with Microsoft SMTP Server" % (by_host, by_ip),
                " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id",
                " %s%s; %s" % (build, " via Frontend Transport" if frontend else "",
                               g.date(t, 0, comment=False)))


def rcv_m365_mapi(g, host, t):
    ll = "fe80::%x:%x:%x:%x" % tuple(g.r.randrange(1, 0xffff) for _ in range(4))
    return fold("from %s" % host,
                " ([%s]) by %s" % (ll, host),
                " ([%s%%%d]) with mapi id 15.20.%d.%03d; %s" % (
                    ll, g.r.randrange(3, 7), g.r.randrange(7000, 8999),
                    g.r.randrange(0, 60), g.date(t, 0, comment=False)))


# ---------------------------------------------------------------------------
# Sender-side profiles.  Each returns (hops newest-first, out) where out is
# (helo, rdns, ip) of the MTA that connects to the receiving site, plus a
# dict of extra headers and facts about the message.

class Msg:
    def __init__(self):
        self.hops = []          # sender-side Received values, newest first
        self.out = None         # (helo, rdns, ip) of outbound MTA
        self.extra = []         # extra header lines (name, value)
        self.sender_dom = None
        self.sender = None      # (name, addr)
        self.xoip = None        # X-Originating-IP value (address)
        self.profile = ""
        self.webmail = False
        self.mailer = None


def client_addr(g, v6=0.15):
    return g.ipv6() if g.chance(v6) else g.ipv4()


def prof_postfix(g, m, t, rcpt):
    dom = m.sender_dom
    host = "mail.%s" % dom
    ip = g.ipv6() if g.chance(0.25) else g.ipv4()
    m.out = (host, host, ip)
    user = m.sender[1]
    t1 = t - dt.timedelta(seconds=g.r.randrange(1, 4))
    tz = g.tz()
    hops = []
    if g.chance(0.6):
        hops.append(rcv_postfix_local(g, host, t1, tz, rcpt))
        t1 -= dt.timedelta(seconds=g.r.randrange(1, 3))
        hops.append(rcv_amavis(g, host, t1, tz, rcpt))
        t1 -= dt.timedelta(seconds=1)
    cip = client_addr(g)
    helo = "[%s]" % g.private_v4() if g.chance(0.6) else g.pick(["DESKTOP-%s" % g.rstr(7).upper(), "laptop.home"])
    hops.append(rcv_postfix(g, (helo, g.rdns_for(cip), cip), host, t1, tz, rcpt,
                            tls=True, auth_user=user))
    m.mailer = g.pick(UAS)
    return hops


def prof_sendmail(g, m, t, rcpt):
    dom = m.sender_dom
    host = g.pick(["smtp", "mx", "relay"]) + "." + dom
    ip = g.ipv4()
    m.out = (host, host, ip)
    tz = g.tz()
    hops = []
    t1 = t - dt.timedelta(seconds=2)
    inner = "mailhost.%s" % dom
    iip = g.private_v4()
    hops.append(rcv_sendmail(g, (inner, inner, iip), host, t1, tz, rcpt))
    t1 -= dt.timedelta(seconds=g.r.randrange(1, 9))
    cip = g.private_v4()
    hops.append(rcv_sendmail(g, ("[%s]" % cip, None, cip), inner, t1, tz, rcpt, auth=True))
    if g.chance(0.3):
        t1 -= dt.timedelta(seconds=1)
        hops.append(rcv_sendmail_submit(g, "cron." + dom, t1, tz, rcpt, "root"))
    return hops


def prof_exim(g, m, t, rcpt):
    n = g.r.randrange(100, 999)
    host = "server%d.%s" % (n, g.pick(["webhostbox.net", "hostgator.com", "a2hosting.com", "ovh.net", "cpanelhost.de"]))
    ip = g.ipv4() if g.chance(0.7) else g.ipv6()
    m.out = (host, host, ip)
    tz = g.tz()
    ver = g.pick(["4.96", "4.96.2", "4.97.1", "4.98"])
    envfrom = m.sender[1]
    t1 = t - dt.timedelta(seconds=1)
    cip = client_addr(g, 0.2)
    hops = [rcv_exim(g, ("[%s]" % g.private_v4(), None, cip), host, t1, tz, rcpt,
                     envfrom, auth=True, port=True, ver=ver)]
    if g.chance(0.3):
        # a forwarding hop inside the hoster
        t1 -= dt.timedelta(seconds=2)
        mip = g.ipv4()
        hops.append(rcv_exim(g, ("mailrelay." + host.split(".", 1)[1], "out%d.%s" % (n, host.split(".", 1)[1]), mip),
                             "mailrelay." + host.split(".", 1)[1], t1, tz, rcpt, envfrom, ver=ver))
    m.mailer = g.pick(UAS)
    return hops


def prof_qmail(g, m, t, rcpt):
    dom = m.sender_dom
    host = "mail.%s" % dom
    ip = g.ipv4()
    m.out = (host, host, ip)
    t1 = t - dt.timedelta(seconds=1)
    hops = [rcv_qmail_invoked(g, t1, "from network")]
    cip = g.ipv4()
    hops.append(rcv_qmail_net(g, ("[%s]" % g.private_v4(), None, cip), host, t1,
                              auth_user=m.sender[1] if g.chance(0.5) else None))
    if g.chance(0.4):
        hops.append(rcv_qmail_invoked(g, t1 - dt.timedelta(seconds=1), "by uid %d" % g.pick([89, 1001, 508])))
    return hops


def prof_courier(g, m, t, rcpt):
    dom = m.sender_dom
    host = "mail.%s" % dom
    ip = g.ipv4()
    m.out = (host, host, ip)
    cip = g.ipv4()
    return [rcv_courier(g, ("[%s]" % g.private_v4(), g.rdns_for(cip), cip), host,
                        t - dt.timedelta(seconds=2), g.tz(), auth_user=m.sender[1])]


def prof_m365(g, m, t, rcpt):
    region = g.pick(["eur", "nam", "apc", "gbr"])
    eop_v6 = g.chance(0.3)
    if eop_v6:
        ip = "2a01:111:f403:%x::%x" % (g.r.randrange(0x2000, 0x2fff), g.r.randrange(0x700, 0x7ff))
        rdns = "mail-%s%s%02don2%03d.outbound.protection.outlook.com" % (
            g.pick(["am6", "db8", "he1", "vi1"]), region, g.r.randrange(1, 9), g.r.randrange(0, 999))
    else:
        ip = "40.107.%d.%d" % (g.r.randrange(0, 256), g.r.randrange(1, 255))
        rdns = "mail-%s%s%02don2%03d.outbound.protection.outlook.com" % (
            g.pick(["am6", "db8", "he1", "vi1"]), region, g.r.randrange(1, 9), int(ip.split(".")[3]))
    helo = "%s-%s-obe.outbound.protection.outlook.com" % (region.upper() + "0" + str(g.r.randrange(1, 6)),
                                                       g.pick(["AM6", "DB8", "HE1", "VI1"]))
    m.out = (helo, rdns, ip)
    hops = []
    t1 = t - dt.timedelta(seconds=1)
    mb = m365_host(g, region)
    fe = m365_host(g, region).replace("MB", "CA")
    eop = "%s.%sprd%02d.prod.outlook.com" % (g.pick(["AM4PEPF", "DB1PEPF", "AMS0EPF"]) + "%08X" % g.r.getrandbits(32),
                                            region, g.r.randrange(1, 9))
    hops.append(rcv_m365(g, mb, m365_ip(g), fe, m365_ip(g), t1))
    t1 -= dt.timedelta(seconds=1)
    hops.append(rcv_m365_mapi(g, mb, t1))
    if g.chance(0.5):
        hops.insert(0, rcv_m365(g, fe, m365_ip(g), eop, m365_ip(g), t, frontend=True))
    tenant = "%08x-%04x-%04x-%04x-%012x" % (g.r.getrandbits(32), g.r.getrandbits(16), g.r.getrandbits(16),
                                            g.r.getrandbits(16), g.r.getrandbits(48))
    m.extra += [("X-MS-Exchange-CrossTenant-OriginalArrivalTime", g.date(t1, 0, comment=False)),
                ("X-MS-Exchange-CrossTenant-Id", tenant),
                ("X-MS-Exchange-Transport-CrossTenantHeadersStamped", mb)]
    m.mailer = "Microsoft Outlook 16.0"
    return hops


def prof_gmail(g, m, t, rcpt):
    m.sender_dom = "gmail.com"
    m.sender = (m.sender[0], m.sender[1].split("@")[0] + "@gmail.com")
    name = "mail-%s-f%d.google.com" % (g.pick(["wm1", "ej1", "lf1", "pl1", "yb1", "qt1", "sor"]), g.r.randrange(40, 200))
    if g.chance(0.35):
        ip = "2a00:1450:4864:20::%x" % g.r.randrange(0x100, 0x64f)
    else:
        ip = g.ipv4_in("209.85.128.0/17")
    m.out = (name, name, ip)
    t1 = t - dt.timedelta(seconds=1)
    v6 = "2002:a05:%x:%x:b0:%x:%x:%x" % tuple(g.r.randrange(0x1000, 0xffff) for _ in range(5))
    hops = []
    if g.chance(0.4):
        # SMTP submission through smtp.gmail.com
        cip = g.ipv4()
        rd = g.rdns_for(cip)
        hops.append(fold("from [%s] (%s. [%s])" % (g.private_v4(), rd or "unknown", cip),
                         "by smtp.gmail.com with ESMTPSA id %s.%d.%d" % (g.rstr(12, "abcdefghijklmnopqrstuvwxyz0123456789"),
                                                                          g.r.randrange(1, 99), g.r.randrange(1000, 9999)),
                         "for <%s>" % rcpt,
                         "(version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);",
                         g.date(t1, -420)))
    else:
        hops.append(fold("by %s with SMTP id %s" % (v6, g.rstr(20, "abcdefghijklmnopqrstuvwxyz0123456789")),
                         "for <%s>; %s" % (rcpt, g.date(t1, -420))))
    m.extra.append(("X-Received", fold("by %s with SMTP id %s;" % (v6, g.rstr(16)), g.date(t1, -420))))
    m.extra.append(("X-Google-Smtp-Source", g.rstr(60)))
    return hops


def prof_yahoo(g, m, t, rcpt):
    m.sender_dom = "yahoo.com"
    m.sender = (m.sender[0], m.sender[1].split("@")[0] + "@yahoo.com")
    n = g.r.randrange(301, 330)
    host = "sonic%d-%d.consmr.mail.%s.yahoo.com" % (n, g.r.randrange(1, 60), g.pick(["ne1", "gq1", "bf2", "ir2"]))
    ip = g.ipv4_in("66.163.184.0/21") if g.chance(0.5) else g.ipv4_in("98.137.64.0/21")
    m.out = (host, host, ip)
    t1 = t - dt.timedelta(seconds=1)
    hops = []
    if g.chance(0.5):
        hops.append(fold("by hermes--production-%s-%s (Yahoo Inc. Hermes SMTP Server) with ESMTPA ID %s;" % (
            g.pick(["gq1", "bf1", "ne1"]), g.rstr(10, HEXD), g.rstr(32, HEXD)), g.date(t1, 0, comment=False)))
    else:
        hops.append(fold("from sonic.gate.mail.ne1.yahoo.com by %s with HTTP; %s" % (host, g.date(t1, 0, comment=False))))
        m.webmail = True
    m.mailer = "WebService/1.1.22256 YMailNorrin"
    return hops


def prof_zimbra(g, m, t, rcpt):
    dom = m.sender_dom
    host = "mail.%s" % dom
    ip = g.ipv4()
    m.out = (host, host, ip)
    tz = g.tz()
    t1 = t - dt.timedelta(seconds=1)
    hops = [rcv_postfix_local(g, host, t1, tz, rcpt)]
    t1 -= dt.timedelta(seconds=1)
    hops.append(fold("from %s ([127.0.0.1])" % host,
                     "by localhost (%s [127.0.0.1]) (amavis, port 10032)" % host,
                     "with ESMTP id %s; %s" % (g.rstr(10), g.date(t1, tz))))
    t1 -= dt.timedelta(seconds=1)
    hops.append(rcv_postfix_local(g, host, t1, tz, rcpt))
    cip = client_addr(g, 0.25)
    if g.chance(0.6):
        m.xoip = cip
        m.webmail = True
        m.extra.append(("X-Originating-IP", "[%s]" % cip))
        m.mailer = "Zimbra 10.0.7_GA_4634 (ZimbraWebClient - FF124 (Linux)/10.0.7_GA_4630)"
    else:
        hops[-1] = rcv_postfix(g, ("[%s]" % g.private_v4(), g.rdns_for(cip), cip), host, t1, tz, rcpt,
                               auth_user=m.sender[1])
        m.mailer = "Zimbra 10.0.7_GA_4634 (Zimbra Desktop/7.3.1_13063_Windows)"
    m.extra.append(("Thread-Index", base64.b64encode(g.r.randbytes(16)).decode()))
    return hops


def prof_roundcube(g, m, t, rcpt):
    n = g.r.randrange(10, 99)
    hoster = g.pick(["webhostbox.net", "hostpoint.ch", "one.com", "ionos.de"])
    host = "mout%d.%s" % (n, hoster)
    ip = g.ipv4()
    m.out = (host, host, ip)
    tz = g.tz()
    t1 = t - dt.timedelta(seconds=1)
    web = "webmail%d.%s" % (n, hoster)
    cip = client_addr(g, 0.2)
    m.xoip = cip
    m.webmail = True
    m.extra.append(("X-Originating-IP", "[%s]" % cip))
    m.extra.append(("X-Sender", m.sender[1]))
    m.mailer = "Roundcube Webmail/1.6.6"
    wip = g.ipv4()
    return [rcv_postfix(g, (web, web, wip), host, t1, tz, rcpt, tls=True),
            fold("from %s (localhost [127.0.0.1])" % web,
                 "(Authenticated sender: %s)" % m.sender[1],
                 "by %s (Postfix) with ESMTPSA id %s;" % (web, g.postfix_id()),
                 g.date(t1 - dt.timedelta(seconds=1), tz))]


def prof_mdaemon(g, m, t, rcpt):
    dom = m.sender_dom
    host = "mail.%s" % dom
    ip = g.ipv4()
    m.out = (host, host, ip)
    cip = g.private_v4()
    t1 = t - dt.timedelta(seconds=2)
    return [fold("from %s (unknown [%s])" % (g.pick(["WS-%s" % g.rstr(5).upper(), "OFFICE-PC"]), cip),
                 "by %s (MDaemon PRO v23.5.2)" % host,
                 "with ESMTPSA id md5001%010d.msg" % g.r.randrange(10**9, 10**10),
                 "for <%s>; %s" % (rcpt, g.date(t1, g.tz(), comment=False)))]


def prof_domino(g, m, t, rcpt):
    dom = m.sender_dom
    host = "smtp.%s" % dom
    ip = g.ipv4()
    m.out = (host, host, ip)
    notes = "notes%d.%s" % (g.r.randrange(1, 4), dom)
    nip = g.private_v4()
    t1 = t - dt.timedelta(seconds=3)
    rel = g.pick(["Lotus Domino Release 9.0.1FP10", "HCL Domino Release 12.0.2FP2"])
    ts = t1.strftime("%Y%m%d%H%M%S")
    return [fold("from %s ([%s])" % (notes, nip),
                 "by %s (%s)" % (host, rel),
                 "with ESMTP id %s%02d-%06d ;" % (ts, g.r.randrange(0, 99), g.r.randrange(0, 999999)),
                 g.date(t1, g.tz(), comment=False, weekday=True)),
            fold("from %s ([127.0.0.1])" % notes,
                 "by %s (%s)" % (notes, rel),
                 "with ESMTP id %s-%06d ;" % (ts, g.r.randrange(0, 999999)),
                 g.date(t1 - dt.timedelta(seconds=1), g.tz(), comment=False))]


def prof_bot(g, m, t, rcpt):
    """Spam bot connecting straight to the MX: no chain of its own."""
    ip = g.ipv4()
    rd = g.rdns_for(ip)
    helo = g.pick([m.sender_dom, "[%s]" % ip, "User", "localhost", g.rstr(8).lower()])
    m.out = (helo, rd, ip)
    m.mailer = g.pick(["Microsoft Outlook Express 6.00.2900.5512", None, "The Bat! (v3.5)"])
    return []


def outbound_gateway(g, m, t, rcpt):
    """A sender-side filtering gateway (Proofpoint, Mimecast, IronPort)
    between the sender's MTA and the receiving site: the gateway becomes
    the outbound host; returns the hops it adds (newest first)."""
    inner = m.out
    kind = g.r.randrange(3)
    t1 = t - dt.timedelta(seconds=1)
    if kind == 0:
        n = g.r.randrange(100000, 999999)
        host = "mx0%s-00%d.pphosted.com" % (g.pick("ab"), n)
        ip = g.ipv4_in("148.163.128.0/19")
        hops = [fold("from pps.filterd (m0%d.ppops.net [127.0.0.1])" % n,
                     "by %s (8.17.1.19/8.17.1.19) with ESMTP id %s;" % (host, g.sendmail_id()),
                     g.date(t1, -300)),
                fold("from %s (%s [%s])" % (inner[0], inner[1] or inner[0], inner[2]),
                     "by %s (PPS) with ESMTPS id 4%s-1" % (host, g.rstr(8).lower()),
                     "(version=TLSv1.2 cipher=ECDHE-RSA-AES256-GCM-SHA384 bits=256 verify=NOT);",
                     g.date(t1 - dt.timedelta(seconds=1), -300))]
        m.out = (host, host, ip)
    elif kind == 1:
        ip = g.ipv4_in("185.58.84.0/22")
        host = "eu-smtp-delivery-%d.mimecast.com" % g.r.randrange(1, 200)
        hops = [fold("from %s (%s [%s]) by relay.mimecast.com with ESMTP with both" % (
                         inner[0], inner[1] or inner[0], inner[2]),
                     " STARTTLS and AUTH (version=TLSv1.2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id",
                     " uk-mta-%d-%s-1; %s" % (g.r.randrange(1, 300), g.rstr(22), g.date(t1, 0, comment=False)))]
        m.out = (host, host, ip)
    else:
        dom = m.sender_dom.split(".")[0]
        host = "esa%d.%s.iphmx.com" % (g.r.randrange(1, 9), dom)
        ip = g.ipv4_in("68.232.128.0/19")
        hops = [fold("from unknown (HELO %s) ([%s])" % (inner[0], inner[2]),
                     "by %s with ESMTP/TLS/ECDHE-RSA-AES256-GCM-SHA384; %s" % (host, g.date(t1, -300, comment=False)))]
        m.out = (host, host, ip)
    return hops


def pad_internal(g, m, t, hops, need):
    """Put `need` internal relays of the sender between its outbound host
    and the hop that reached it, keeping the chain continuous: the last
    hop received by the outbound host is now received by the deepest
    relay, and each relay hands over to the one above it."""
    if need <= 0:
        return hops
    out = m.out[0]
    pat = re.compile(r"\bby " + re.escape(out) + r"(?=[\s;(])")
    pos = None
    for k, h in enumerate(hops):
        if pat.search(h):
            pos = k
    if pos is None:
        return hops
    relays = ["relay%d.corp.%s" % (k + 1, m.sender_dom) for k in range(need)]
    pad, above = [], out
    for k, r in enumerate(relays):
        pad.append(fold("from %s (%s [%s])" % (r, r, g.private_v4()),
                        "by %s (Postfix) with ESMTP id %s;" % (above, g.postfix_id()),
                        g.date(t - dt.timedelta(seconds=2 + k), 60)))
        above = r
    last = pat.sub("by " + relays[-1], hops[pos], count=1)
    return hops[:pos] + pad + [last] + hops[pos + 1:]


GATEWAY_PROFILES = {"postfix", "sendmail", "qmail", "courier", "zimbra", "mdaemon", "domino"}


PROFILES = [  # (name, writer, weight)
    ("postfix", prof_postfix, 15), ("sendmail", prof_sendmail, 7),
    ("exim", prof_exim, 12), ("qmail", prof_qmail, 5),
    ("courier", prof_courier, 3), ("m365", prof_m365, 17),
    ("gmail", prof_gmail, 15), ("yahoo", prof_yahoo, 5),
    ("zimbra", prof_zimbra, 6), ("roundcube", prof_roundcube, 5),
    ("mdaemon", prof_mdaemon, 3), ("domino", prof_domino, 3),
    ("bot", prof_bot, 4)]
_WEIGHTS = [p[2] for p in PROFILES]


# ---------------------------------------------------------------------------
# The receiving site's hops (newest first) above and including the MX hop.

def site_hops(g, m, t, rcpt):
    """Return (hops newest-first, time of MX hop)."""
    style = g.pick(["postfix", "postfix", "exim", "gw"])
    v6 = ":" in m.out[2]
    hops = []
    tz = 120
    tt = t + dt.timedelta(seconds=g.r.randrange(2, 20))
    mx = SITE["mx1"] if style != "exim" else SITE["mx2"]
    mxip = mx[2] if g.chance(0.3) else mx[1]
    # top: delivery to the mailbox server
    if g.chance(0.7):
        hops.append(fold("from %s ([%s])" % (mx[0], mxip), "by %s with LMTPS" % SITE["imap"][0],
                         "id %s" % base64.b64encode(g.r.randbytes(16)).decode().rstrip("="),
                         "(envelope-from <%s>)" % m.sender[1],
                         "for <%s>; %s" % (rcpt, g.date(tt, tz, comment=False))))
    elif g.chance(0.4):
        # Dovecot over a unix socket: no IP at all (SpamAssassin skips it)
        hops.append(fold("from %s" % mx[0], "by %s with LMTP" % SITE["imap"][0],
                         "id %s" % base64.b64encode(g.r.randbytes(16)).decode().rstrip("="),
                         "(envelope-from <%s>)" % m.sender[1],
                         "for <%s>; %s" % (rcpt, g.date(tt, tz, comment=False))))
    tt -= dt.timedelta(seconds=1)
    if style == "postfix":
        if g.chance(0.6):
            hops.append(rcv_postfix_local(g, mx[0], tt, tz, rcpt))
            tt -= dt.timedelta(seconds=1)
            hops.append(rcv_amavis(g, mx[0], tt, tz, rcpt))
            tt -= dt.timedelta(seconds=1)
        hops.append(rcv_postfix(g, m.out, mx[0], tt, tz, rcpt, tls=g.chance(0.85)))
    elif style == "exim":
        hops.append(rcv_exim(g, m.out, mx[0], tt, tz, rcpt, m.sender[1], ver="4.96"))
    else:
        gw, hub = SITE["gw"], SITE["hub"]
        gip = gw[2] if g.chance(0.3) else gw[1]
        hops.append(rcv_postfix(g, (gw[0], gw[0], gip), hub[0], tt, tz, rcpt, tls=True))
        tt -= dt.timedelta(seconds=1)
        hops.append(rcv_sendmail(g, m.out, gw[0], tt, tz, rcpt,
                                 forged_note=g.chance(0.1)))
    return hops, tt


def forged_hops(g, m, t):
    """1-2 fake Received lines spam software puts below the real chain."""
    out = []
    for _ in range(g.r.randrange(1, 3)):
        kind = g.r.randrange(4)
        ft = t - dt.timedelta(hours=g.r.randrange(1, 300))
        if kind == 0:
            # claims to come from the victim site's own relay
            s = SITE["mx1"]
            out.append(rcv_postfix(g, (s[0], s[0], s[1]), "mail." + m.sender_dom, ft, 0,
                                   "postmaster@" + SITE_DOMAIN, tls=False))
        elif kind == 1:
            bank = g.pick(["paypal.com", "chase.com", "dhl.com", "microsoft.com"])
            ip = g.ipv4()
            out.append(rcv_sendmail(g, ("mail." + bank, "mail." + bank, ip), "mx." + bank, ft, -300,
                                    "service@" + bank))
        elif kind == 2:
            ip = g.private_v4()
            out.append("from %s ([%s]) by %s with Microsoft SMTPSVC(6.0.3790.4675); %s" % (
                g.rstr(8).upper(), ip, g.rstr(6).upper(), g.date(ft, -300, comment=False)))
        else:
            ip = g.ipv4()
            out.append(rcv_qmail_net(g, (g.domain(), None, ip), "mail." + g.domain(), ft))
    return out


# ---------------------------------------------------------------------------

def dkim(g, dom, t):
    b = base64.b64encode(g.r.randbytes(128)).decode()
    bh = base64.b64encode(g.r.randbytes(32)).decode()
    return fold("v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=%s;" % (dom, g.pick(["s1", "selector1", "20230601", "default"])),
                " t=%d; bh=%s;" % (int(t.timestamp()), bh),
                " h=From:To:Subject:Date:Message-ID:MIME-Version;",
                " b=" + b[:70], " " + b[70:140], " " + b[140:])


def build_message(g, idx):
    """Return (mbox text of one message, truth origin or None, profile, flags)."""
    t = g.base_time + dt.timedelta(seconds=idx * 37 + g.r.randrange(0, 30))
    m = Msg()
    rname, raddr = g.person(SITE_DOMAIN)
    rcpt = raddr
    flags = []
    roll = g.r.random()
    if roll < 0.01:
        kind = "internal"
    elif roll < 0.03:
        kind = "sitewebmail"
    else:
        kind = "external"
    m.sender_dom = g.domain()
    m.sender = g.person(m.sender_dom)
    hops = []
    origin = None
    if kind == "external":
        name, fn, _ = g.r.choices(PROFILES, weights=_WEIGHTS)[0]
        m.profile = name
        sender_hops = fn(g, m, t, rcpt)
        target = g.r.choices(range(4, 11), weights=[14, 18, 18, 16, 13, 11, 10])[0]
        if name not in ("gmail", "yahoo", "bot", "m365"):
            sender_hops = pad_internal(g, m, t, sender_hops, target - 3 - len(sender_hops))
        if name in GATEWAY_PROFILES and g.chance(0.35):
            sender_hops = outbound_gateway(g, m, t, rcpt) + sender_hops
            flags.append("gateway")
        top, tt = site_hops(g, m, t, rcpt)
        # re-time sender hops below the MX hop
        origin = m.out[2]
        forged = []
        if g.chance(0.05) or name == "bot" and g.chance(0.5):
            forged = forged_hops(g, m, tt)
            flags.append("forged")
        while sender_hops and len(top) + len(sender_hops) + len(forged) > 10:
            sender_hops.pop()
        hops = top + sender_hops + forged
    else:
        m.sender_dom = SITE_DOMAIN
        m.sender = g.person(SITE_DOMAIN)
        mx = SITE["mx1"]
        if kind == "internal":
            m.profile = "internal"
            hops.append(rcv_postfix_local(g, mx[0], t + dt.timedelta(seconds=1), 120, rcpt))
            hops.append(rcv_postfix(g, (SITE["hub"][0], SITE["hub"][0], SITE["hub"][1]), mx[0], t, 120, rcpt))
            hops.append(rcv_postfix_pickup(g, SITE["hub"][0], t - dt.timedelta(seconds=1), 120, 0))
            hops.append(rcv_postfix_pickup(g, SITE["hub"][0], t - dt.timedelta(seconds=1), 120, 33))
        else:
            m.profile = "sitewebmail"
            cip = client_addr(g, 0.2)
            m.xoip = cip
            m.webmail = True
            m.extra.append(("X-Originating-IP", "[%s]" % cip))
            m.mailer = "Roundcube Webmail/1.6.6"
            w = SITE["web"]
            hops.append(fold("from %s ([%s])" % (mx[0], mx[1]), "by %s with LMTPS" % SITE["imap"][0],
                             "id %s" % g.rstr(22), "(envelope-from <%s>)" % m.sender[1],
                             "for <%s>; %s" % (rcpt, g.date(t, 120, comment=False))))
            hops.append(rcv_postfix_local(g, mx[0], t, 120, rcpt))
            hops.append(rcv_amavis(g, mx[0], t, 120, rcpt))
            hops.append(rcv_postfix(g, (w[0], w[0], w[1] if g.chance(0.6) else w[2]), mx[0], t, 120, rcpt,
                                    auth_user=m.sender[1]))
            origin = cip
    if m.xoip and kind == "external":
        flags.append("xoip")
    if m.webmail:
        flags.append("webmail")
    # keep the chain within 4..10 Received headers
    while len(hops) < 4:
        hops.insert(0, rcv_postfix_local(g, SITE["imap"][0], t + dt.timedelta(seconds=30), 120, rcpt)
                    if g.chance(0.5) else
                    fold("from %s ([%s])" % (SITE["hub"][0], SITE["hub"][1]),
                         "by %s with LMTPS id %s" % (SITE["imap"][0], g.rstr(22)),
                         "for <%s>; %s" % (rcpt, g.date(t + dt.timedelta(seconds=30), 120, comment=False))))
    hops = hops[:10]

    msgid = "<%s.%s@%s>" % (g.rstr(12), g.rstr(8), m.sender_dom)
    if m.profile == "m365":
        msgid = "<%s%s@%s>" % (g.pick(["AM", "DB", "PA"]), g.rstr(20).upper(), "prod.outlook.com")
    elif m.profile == "gmail":
        msgid = "<CA+%s@mail.gmail.com>" % g.rstr(40)
    subj = g.pick(SUBJECTS).format(n=g.r.randrange(1000, 99999), d="%d/%d" % (g.r.randrange(1, 29), g.r.randrange(1, 13)),
                                   p=g.r.randrange(10, 90))
    lines = []
    lines.append("Return-Path: <%s>" % m.sender[1])
    lines.append("Delivered-To: %s" % rcpt)
    for h in hops:
        lines.append("Received: " + h)
    lines.append("Authentication-Results: %s;\n\tdkim=%s header.d=%s header.s=s1;\n\tspf=%s smtp.mailfrom=%s;\n\tdmarc=%s header.from=%s" % (
        SITE["mx1"][0], g.pick(["pass", "pass", "fail", "none"]), m.sender_dom,
        g.pick(["pass", "softfail", "fail", "none"]), m.sender_dom, g.pick(["pass", "fail", "none"]), m.sender_dom))
    if m.profile not in ("bot", "internal") and g.chance(0.8):
        lines.append("DKIM-Signature: " + dkim(g, m.sender_dom, t))
    lines.append("From: %s <%s>" % m.sender)
    lines.append("To: %s <%s>" % (rname, rcpt))
    lines.append("Subject: " + subj)
    lines.append("Date: " + g.date(t - dt.timedelta(seconds=g.r.randrange(3, 60)), g.tz(), comment=False))
    lines.append("Message-ID: " + msgid)
    lines.append("MIME-Version: 1.0")
    if m.mailer:
        lines.append(("User-Agent: " if "Thunderbird" in m.mailer else "X-Mailer: ") + m.mailer)
    for k, v in m.extra:
        lines.append("%s: %s" % (k, v))
    if g.chance(0.15):
        lines.append("List-Unsubscribe: <mailto:unsub-%s@%s>" % (g.rstr(10), m.sender_dom))
    bounce = g.chance(0.01)
    if bounce:
        flags.append("bounce")
        bnd = "=_%s" % g.rstr(16)
        lines.append('Content-Type: multipart/report; report-type=delivery-status; boundary="%s"' % bnd)
        lines.append("")
        lines.append("--" + bnd)
        lines.append("Content-Type: text/plain; charset=us-ascii")
        lines.append("")
        lines.append("This is the mail system. Your message could not be delivered.")
        lines.append("--" + bnd)
        lines.append("Content-Type: message/rfc822")
        lines.append("")
        fip = g.ipv4()
        lines.append("Received: from attacker.%s (attacker.%s [%s])\n\tby relay.%s (Postfix) with ESMTP id %s; %s" % (
            g.domain(), g.domain(), fip, g.domain(), g.postfix_id(), g.date(t, 0)))
        lines.append("From: <%s>" % rcpt)
        lines.append("Subject: original")
        lines.append("")
        lines.append("original body")
        lines.append("--%s--" % bnd)
    else:
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: 7bit")
        lines.append("")
        for _ in range(g.r.randrange(3, 9)):
            lines.append(g.pick(BODY_LINES))
        lines.append("")
        lines.append("-- ")
        lines.append(m.sender[0])
    text = "\n".join(lines) + "\n"
    # mboxrd-style escaping of body lines that look like separators
    hdr_end = text.index("\n\n")
    head, rest = text[:hdr_end + 2], text[hdr_end + 2:]
    rest = "\n".join((">" + x) if x.startswith("From ") or x.startswith(">From ") else x
                     for x in rest.split("\n"))
    lt = t + dt.timedelta(seconds=20)
    sep = "From %s %s %s %2d %02d:%02d:%02d %d\n" % (
        m.sender[1], DAYS[lt.weekday()], MONTHS[lt.month - 1], lt.day, lt.hour, lt.minute, lt.second, lt.year)
    return sep + head + rest + "\n", origin, m.profile, flags


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--messages", type=int, default=10000, help="number of messages (default 10000)")
    ap.add_argument("--seed", type=int, default=20240416, help="random seed (default 20240416)")
    ap.add_argument("-o", "--output", default="-", help="mbox path, '-' = stdout")
    ap.add_argument("--truth", help="write index/origin/profile/flags TSV here")
    ap.add_argument("--repeat-to-mb", type=int, default=0,
                    help="repeat the N messages until the mbox is at least this many MiB")
    ap.add_argument("--testnet-share", type=float, default=0.0,
                    help="share of external IPv4 hops drawn from TEST-NET (default 0)")
    ap.add_argument("--print-trust", action="store_true", help="print the site's trusted networks and exit")
    a = ap.parse_args(argv)
    if a.print_trust:
        print(SITE_TRUST)
        return 0
    if not 1 <= a.messages <= MAX_MESSAGES:
        ap.error("--messages must be 1..%d" % MAX_MESSAGES)
    if not 0 <= a.repeat_to_mb <= MAX_REPEAT_MB:
        ap.error("--repeat-to-mb must be 0..%d" % MAX_REPEAT_MB)
    g = Gen(a.seed, a.testnet_share)
    out = sys.stdout.buffer if a.output == "-" else open(a.output, "wb")
    truth = open(a.truth, "w") if a.truth else None
    chunk = []
    total = 0
    for i in range(a.messages):
        text, origin, prof, flags = build_message(g, i)
        data = text.encode("utf-8")
        chunk.append(data)
        total += len(data)
        if truth:
            truth.write("%d\t%s\t%s\t%s\n" % (i + 1, origin or "-", prof, ",".join(flags) or "-"))
    blob = b"".join(chunk)
    out.write(blob)
    written = len(blob)
    target = a.repeat_to_mb * 1024 * 1024
    while written < target:
        out.write(blob)
        written += len(blob)
    if out is not sys.stdout.buffer:
        out.close()
    if truth:
        truth.close()
    sys.stderr.write("gen-corpus: %d messages, %d bytes (%d copies)\n" % (
        a.messages, written, max(1, written // max(1, len(blob)))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
