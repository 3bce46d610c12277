/*
 * scan_fw.c - firewall logs: netfilter kernel LOG lines (iptables,
 * nftables, ufw), pf filterlog CSV (pfSense, OPNsense), Windows
 * Firewall pfirewall.log and Cisco ASA/FTD deny messages.
 *
 * Every scanner here gives kind port_scan, service "firewall".  Lines
 * that record an accepted packet (ufw ALLOW, filterlog pass, Windows
 * ALLOW, ASA "permitted") or an outbound one give no event.
 */
#include "scan_int.h"

#include <string.h>

static void
fw_event(sq_scan_event *ev)
{
    ev->kind = SQ_KIND_PORT_SCAN;
    ev->service = "firewall";
}

/* ---- netfilter ---- */

/* Walk KEY=VALUE tokens; needs IN= (CrowdSec rejects lines without
 * it), SRC= and PROTO=. */
static int
netfilter_kv(sq_scanner *s, const char *m, size_t n)
{
    sq_scan_event *ev = &s->ev;
    size_t i = 0, t;
    int in = 0, proto = 0;

    while (i < n) {
        const char *p = m + i;

        t = scan_token(p, n - i);
        if (SCAN_HAS(p, t, "IN="))
            in = 1;
        else if (SCAN_HAS(p, t, "SRC=")) {
            if (!scan_ip(p + 4, t - 4, ev->src))
                return 0;
        } else if (SCAN_HAS(p, t, "DST=")) {
            if (!scan_ip(p + 4, t - 4, ev->dst))
                return 0;
        } else if (SCAN_HAS(p, t, "PROTO=")) {
            scan_proto(ev, p + 6, t - 6);
            proto = 1;
        } else if (SCAN_HAS(p, t, "SPT=")) {
            ev->sport = scan_port(p + 4, t - 4);
        } else if (SCAN_HAS(p, t, "DPT=")) {
            ev->dport = scan_port(p + 4, t - 4);
        }
        i += t + 1;
    }
    if (!in || !proto || ev->src[0] == '\0')
        return 0;
    fw_event(ev);
    return 1;
}

int
scan_netfilter_msg(sq_scanner *s, const sl_line *sl, int ufw_only)
{
    const char *u = scan_find(sl->msg, sl->msglen, SCAN_LIT("[UFW "));

    if (u != NULL) {
        size_t rest = sl->msglen - (size_t)(u - sl->msg);

        if (!SCAN_HAS(u, rest, "[UFW BLOCK]") &&
            !SCAN_HAS(u, rest, "[UFW LIMIT BLOCK]"))
            return 0; /* ALLOW, AUDIT: accepted packets */
        s->ev.format = "ufw";
    } else if (ufw_only) {
        return 0;
    }
    return netfilter_kv(s, sl->msg, sl->msglen);
}

static int
netfilter_line(sq_scanner *s, const char *l, size_t n, int ufw_only)
{
    sl_line sl;

    if (!scan_syslog_split(s, l, n, &sl)) {
        /* dmesg / journal -k without a syslog prefix */
        sl.msg = l;
        sl.msglen = n;
    }
    return scan_netfilter_msg(s, &sl, ufw_only);
}

int
scan_netfilter(sq_scanner *s, const char *l, size_t n)
{
    return netfilter_line(s, l, n, 0);
}

int
scan_ufw(sq_scanner *s, const char *l, size_t n)
{
    return netfilter_line(s, l, n, 1);
}

/* ---- pf filterlog ---- */

enum { CSV_MAX = 24 };

/* Split [p, p+n) on ',' into at most CSV_MAX fields; field count. */
static size_t
csv_split(const char *p, size_t n, const char **f, size_t *fl)
{
    size_t k = 0, i = 0;

    while (k < CSV_MAX) {
        const char *c = memchr(p + i, ',', n - i);
        size_t e = c ? (size_t)(c - p) : n;

        f[k] = p + i;
        fl[k++] = e - i;
        if (c == NULL)
            break;
        i = e + 1;
    }
    return k;
}

int
scan_filterlog(sq_scanner *s, const char *l, size_t n)
{
    const char *f[CSV_MAX], *sp;
    size_t fl[CSV_MAX], k, src;
    sq_scan_event *ev = &s->ev;
    sl_line sl;

    if (!scan_syslog_split(s, l, n, &sl) ||
        !SCAN_HAS(sl.tag, sl.taglen, "filterlog"))
        return 0;
    /* The CSV is the last token (its fields hold no spaces). */
    while (l + n > sl.msg && l[n - 1] == ' ')
        n--;
    if (l + n <= sl.msg)
        return 0;
    sp = scan_rfind(sl.msg, (size_t)(l + n - sl.msg), SCAN_LIT(" "));
    if (sp == NULL)
        sp = sl.msg - 1;
    k = csv_split(sp + 1, (size_t)(l + n - sp - 1), f, fl);
    if (k < 17 ||
        !(SCAN_HAS(f[6], fl[6], "block") || SCAN_HAS(f[6], fl[6], "reject")) ||
        !(fl[7] == 2 && memcmp(f[7], "in", 2) == 0))
        return 0;
    if (fl[8] == 1 && f[8][0] == '4' && k >= 20) {
        scan_proto(ev, f[16], fl[16]);
        src = 18;
    } else if (fl[8] == 1 && f[8][0] == '6') {
        scan_proto(ev, f[12], fl[12]);
        src = 15;
    } else {
        return 0;
    }
    if (!scan_ip(f[src], fl[src], ev->src))
        return 0;
    scan_ip(f[src + 1], fl[src + 1], ev->dst);
    if (k > src + 3 &&
        (strcmp(ev->proto, "tcp") == 0 || strcmp(ev->proto, "udp") == 0)) {
        ev->sport = scan_port(f[src + 2], fl[src + 2]);
        ev->dport = scan_port(f[src + 3], fl[src + 3]);
    }
    fw_event(ev);
    return 1;
}

/* ---- Windows Firewall ---- */

/* "date time action protocol src-ip dst-ip src-port dst-port size
 * tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path" (the
 * default #Fields order; other orders are not read). */
int
scan_winfw(sq_scanner *s, const char *l, size_t n)
{
    const char *f[17];
    size_t fl[17], k = 0, i;
    sq_scan_event *ev = &s->ev;

    if (l[0] == '#')
        return 0;
    i = scan_time_into(s, l, n);
    if (i < 19 || l[4] != '-' || l[10] != ' ')
        return 0; /* "YYYY-MM-DD HH:MM:SS" only */
    f[k] = l;
    fl[k++] = 10;
    f[k] = l + 11;
    fl[k++] = i - 11;
    while (i < n && k < 17) {
        i++;
        f[k] = l + i;
        fl[k] = scan_token(l + i, n - i);
        i += fl[k++];
    }
    if (k < 8 || !SCAN_HAS(f[2], fl[2], "DROP"))
        return 0;
    if (k == 17 && SCAN_HAS(f[16], fl[16], "SEND"))
        return 0; /* an outbound packet */
    if (!scan_ip(f[4], fl[4], ev->src))
        return 0;
    scan_ip(f[5], fl[5], ev->dst);
    scan_proto(ev, f[3], fl[3]);
    ev->sport = scan_port(f[6], fl[6]);
    ev->dport = scan_port(f[7], fl[7]);
    fw_event(ev);
    return 1;
}

/* ---- Cisco ASA / FTD ---- */

/* "IFACE:ADDR/PORT", "IFACE/ADDR(PORT)" or "ADDR/PORT": the address
 * into dst, the port into *port. */
static int
asa_endpoint(const char *p, size_t n, char *dst, unsigned *port)
{
    const char *c, *sl;

    if (n > 2 && p[n - 1] == ')' && (c = scan_rfind(p, n, SCAN_LIT("("))) &&
        c > p) {
        *port = scan_port(c + 1, (size_t)(p + n - c) - 2);
        n = (size_t)(c - p);
        sl = scan_rfind(p, n, SCAN_LIT("/"));
        if (sl != NULL) {
            n -= (size_t)(sl - p) + 1;
            p = sl + 1;
        }
        return scan_ip(p, n, dst);
    }
    sl = scan_rfind(p, n, SCAN_LIT("/"));
    if (sl != NULL) {
        *port = scan_port(sl + 1, n - (size_t)(sl - p) - 1);
        n = (size_t)(sl - p);
    }
    if (scan_ip(p, n, dst))
        return 1;
    c = memchr(p, ':', n); /* an interface name first */
    return c != NULL && scan_ip(c + 1, n - (size_t)(c - p) - 1, dst);
}

/* The token after anchor lit in [m, m+n): *tok, length. */
static size_t
after(const char *m, size_t n, const char *lit, size_t ln, const char **tok)
{
    const char *a = scan_find(m, n, lit, ln);

    if (a == NULL)
        return 0;
    *tok = a + ln;
    return scan_token(*tok, n - (size_t)(*tok - m));
}

int
scan_asa_msg(sq_scanner *s, const char *m, size_t n)
{
    sq_scan_event *ev = &s->ev;
    const char *a = NULL, *b = NULL;
    size_t al = 0, bl = 0;

    if (SCAN_HAS(m, n, "Deny ") && scan_find(m, n, SCAN_LIT(" src "))) {
        al = after(m, n, SCAN_LIT(" src "), &a); /* 106023 */
        bl = after(m, n, SCAN_LIT(" dst "), &b);
        scan_proto(ev, m + 5, scan_token(m + 5, n - 5));
        if (SCAN_HAS(m + 5, n - 5, "protocol "))
            scan_proto(ev, m + 14, scan_token(m + 14, n - 14));
    } else if (SCAN_HAS(m, n, "Deny ") || SCAN_HAS(m, n, "Inbound ")) {
        al = after(m, n, SCAN_LIT(" from "), &a); /* 106001/6/7/14/15 */
        bl = after(m, n, SCAN_LIT(" to "), &b);
        size_t o = m[0] == 'D' ? 5 : 8;

        if (n > o)
            scan_proto(ev, m + o, scan_token(m + o, n - o));
        if (SCAN_HAS(m, n, "Deny inbound "))
            scan_proto(ev, m + 13, scan_token(m + 13, n - 13));
    } else if (SCAN_HAS(m, n, "access-list ") &&
               scan_find(m, n, SCAN_LIT(" denied "))) {
        const char *d = scan_find(m, n, SCAN_LIT(" denied ")) + 8;
        size_t dl = scan_token(d, n - (size_t)(d - m));

        scan_proto(ev, d, dl); /* 106100 */
        a = d + dl + 1;
        al = a < m + n ? scan_token(a, n - (size_t)(a - m)) : 0;
        bl = after(m, n, SCAN_LIT(" -> "), &b);
    } else {
        return 0;
    }
    if (al == 0 || !asa_endpoint(a, al, ev->src, &ev->sport))
        return 0;
    if (bl > 0)
        asa_endpoint(b, bl, ev->dst, &ev->dport);
    fw_event(ev);
    return 1;
}

int
scan_asa(sq_scanner *s, const char *l, size_t n)
{
    const char *a = scan_find(l, n, SCAN_LIT("%ASA-"));
    size_t i, k = 0;

    if (a == NULL)
        a = scan_find(l, n, SCAN_LIT("%FTD-"));
    if (a == NULL)
        a = scan_find(l, n, SCAN_LIT("%PIX-"));
    if (a == NULL) /* a bare message body */
        return scan_asa_msg(s, l, n);
    /* the time: at the start, or after "<pri>" */
    if (l[0] == '<')
        while (k < n && l[k] != '>')
            k++;
    if (k < n &&
        scan_time_into(s, l + k + (l[0] == '<'), n - k - (l[0] == '<')) == 0)
        s->ev.flags = 0;
    i = (size_t)(a - l);
    a = memchr(a, ':', n - i);
    if (a == NULL)
        return 0;
    i = (size_t)(a - l) + 1;
    while (i < n && l[i] == ' ')
        i++;
    return scan_asa_msg(s, l + i, n - i);
}
