/*
 * query.c - what the user asked about: an IP address, a CIDR prefix, an
 * AS number, a domain or a URL (wq_parse()).
 *
 * Accepted forms:
 *   IP      "192.0.2.1", "2001:db8::1", "[2001:db8::1]"; zone ids
 *           ("fe80::1%eth0") are refused: they mean nothing off-host.
 *   CIDR    "192.0.2.0/24", "2001:db8::/32"; host bits after the length
 *           are cleared ("192.0.2.7/24" is 192.0.2.0/24).
 *   AS      "AS64500", "as64500", "64500", asdot "AS1.10" (= 65546).
 *   domain  ASCII or UTF-8 (IDNA2008 via libidn2, UTS#46 non-transitional,
 *           STD3 rules), lower-cased, one trailing dot dropped, at least
 *           two labels, labels 1..63 bytes, name at most 253 bytes, the
 *           top label not all digits.  Mixed-script names (Cyrillic "р"
 *           in "раypal.com") are valid IDNs: they become their A-label
 *           (xn--ypal-43d9g.com), which is what a report must name.
 *   URL     http, https, ftp and the defanged hxxp/hxxps/fxp schemes;
 *           "host/path" without a scheme is read as http.  The host is
 *           what follows the LAST '@' of the authority (userinfo is
 *           dropped: "http://paypal.com@evil.example/" is evil.example),
 *           the authority ends at '/', '?', '#' or '\' as in browsers, a
 *           port is checked and dropped from host, %XX in the host is
 *           decoded, a bracketed IPv6 host or a browser-style IPv4 host
 *           ("0x7f.1", "3232235777") sets ip too.
 *   Defanging "[.]", "(.)", "{.}", "[dot]", "(dot)", "[:]", "[://]" and
 *           "[@]" are undone everywhere first.
 * Everything else is SQ_EINVAL with a one-line reason in d.
 *
 * Ownership: no allocation survives the call (libidn2's result is freed
 * here); *out is written only on success.
 * Limits: input up to WQ_INPUT_MAX bytes; canon is truncated in the
 * URL path only.
 */
#include "whois/whois_int.h"

#include <idn2.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    WQ_INPUT_MAX = 4096,
    WQ_NAME_MAX = 253,
    WQ_LABEL_MAX = 63,
    WQ_HOST_RAW_MAX = 1024 /* host text before IDN conversion */
};

static const char not_a_query[] = "not an IP address, AS number, domain or URL";

static void
reject(sq_diag *d, const char *why, const char *s, size_t n)
{
    char shown[SQ_SHOW_MAX + 4];

    sq_str_show(s, n, shown);
    sq_diag_addf(d, NULL, 0, "%s: '%s'", why, shown);
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char
lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

/* ------------------------------------------------------------------ */
/* Defanging                                                           */
/* ------------------------------------------------------------------ */

static const struct {
    const char *from, *to;
} defang[] = {
    {"[://]", "://"}, {"[.]", "."},   {"(.)", "."}, {"{.}", "."},
    {"[dot]", "."},   {"(dot)", "."}, {"[:]", ":"}, {"[@]", "@"},
};

/* Copy s to out undoing the defanging tokens; out never grows. */
static size_t
undefang(const char *s, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n;) {
        size_t k, fl = 0;

        for (k = 0; k < sizeof defang / sizeof defang[0]; k++) {
            fl = strlen(defang[k].from);
            if (fl <= n - i && sq_strncaseeq(s + i, fl, defang[k].from))
                break;
        }
        if (k < sizeof defang / sizeof defang[0]) {
            size_t tl = strlen(defang[k].to);

            memcpy(out + o, defang[k].to, tl);
            o += tl;
            i += fl;
        } else {
            out[o++] = s[i++];
        }
    }
    return o;
}

/* ------------------------------------------------------------------ */
/* AS numbers                                                          */
/* ------------------------------------------------------------------ */

/* Decimal digits [s, s+n) up to max; 0 when not a plain number. */
/* 1 parsed, 0 not an AS form, -1 an AS form that is out of range. */
static int
parse_asn(const char *s, size_t n, unsigned long *asn)
{
    unsigned long long v, hi, lo;
    int prefixed =
        n > 2 && (s[0] == 'a' || s[0] == 'A') && (s[1] == 's' || s[1] == 'S');
    const char *dot;

    if (prefixed)
        s += 2, n -= 2;
    if (n == 0 || !is_digit(s[0]))
        return 0;
    dot = memchr(s, '.', n);
    if (dot != NULL) {
        if (!prefixed)
            return 0; /* "1.10" alone is too easily something else */
        size_t hn = (size_t)(dot - s), ln = n - hn - 1;

        for (size_t i = 0; i < ln; i++)
            if (!is_digit(dot[1 + i]))
                return 0; /* "as1.example" is a domain */
        if (!sq_parse_dec(s, hn, 10, 65535, &hi) ||
            !sq_parse_dec(dot + 1, ln, 10, 65535, &lo))
            return -1;
        v = hi * 65536 + lo;
    } else if (!sq_parse_dec(s, n, 10, 4294967295ULL, &v)) {
        for (size_t i = 0; i < n; i++)
            if (!is_digit(s[i]))
                return 0;
        return -1;
    }
    if (v == 0)
        return -1; /* AS0 is reserved (RFC 7607) */
    *asn = (unsigned long)v;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Addresses and prefixes                                              */
/* ------------------------------------------------------------------ */

/* Strip one pair of brackets around an IPv6 literal. */
static void
unbracket(const char **s, size_t *n)
{
    if (*n >= 2 && (*s)[0] == '[' && (*s)[*n - 1] == ']')
        (*s)++, *n -= 2;
}

static void
set_ip(wq_query *q, const sq_ipaddr *ip)
{
    q->ip = *ip;
    q->prefix = 128;
}

/* "addr/len" → network; 1 ok, 0 not a prefix form, -1 bad (reason set). */
static int
parse_cidr(const char *s, size_t n, wq_query *q, const char **why)
{
    const char *slash = memchr(s, '/', n);
    unsigned long long len;
    sq_ipaddr ip;
    size_t an;
    unsigned bits;

    if (slash == NULL)
        return 0;
    an = (size_t)(slash - s);
    if (!sq_ipaddr_parse(s, an, &ip))
        return 0;
    if (!sq_parse_dec(slash + 1, n - an - 1, 10, 128, &len) ||
        (ip.v4 && len > 32)) {
        *why = "bad CIDR prefix length";
        return -1;
    }
    bits = (unsigned)len + (ip.v4 ? 96 : 0);
    for (unsigned b = bits; b < 128; b++)
        ip.b[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
    q->kind = SQ_WQ_CIDR;
    q->ip = ip;
    q->prefix = bits;
    {
        char txt[46];

        sq_ipaddr_format(&ip, txt);
        snprintf(q->canon, sizeof q->canon, "%s/%u", txt, (unsigned)len);
    }
    return 1;
}

/* WHATWG "ends in a number": the last label is all digits, or "0x"
 * followed by hex digits.  Such a host is an IPv4 address or invalid. */
static int
ends_in_number(const char *s, size_t n)
{
    size_t l = n;

    while (l > 0 && s[l - 1] != '.')
        l--;
    if (l == n)
        return 0;
    if (n - l >= 2 && s[l] == '0' && (s[l + 1] == 'x' || s[l + 1] == 'X')) {
        for (size_t i = l + 2; i < n; i++) {
            char c = lower(s[i]);

            if (!is_digit(c) && !(c >= 'a' && c <= 'f'))
                return 0;
        }
        return 1;
    }
    for (size_t i = l; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/*
 * A URL host as browsers read IPv4 (WHATWG URL standard): 1 to 4 dot
 * parts, each decimal, 0x-hex or 0-octal, the last one filling the rest
 * of the 32 bits ("3232235777", "0x7f.1", "127.0.0.1.").  Returns 1 for
 * an address, 0 when the host is not numeric (a name), -1 when it is
 * numeric but invalid.
 */
static int
whatwg_ipv4(const char *s, size_t n, sq_ipaddr *out)
{
    unsigned long long part[4];
    size_t np = 0, start = 0;
    uint32_t v = 0;

    if (n > 0 && s[n - 1] == '.')
        n--;
    if (n == 0)
        return 0;
    if (!ends_in_number(s, n))
        return 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned base = 10;
        const char *p;
        size_t pl;
        unsigned long long x = 0;

        if (i < n && s[i] != '.')
            continue;
        p = s + start;
        pl = i - start;
        start = i + 1;
        if (np == 4 || pl == 0)
            return -1;
        if (pl >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
            base = 16, p += 2, pl -= 2;
        else if (pl >= 2 && p[0] == '0')
            base = 8, p++, pl--;
        if (pl > 32)
            return -1;
        for (size_t k = 0; k < pl; k++) {
            unsigned dv;
            char c = lower(p[k]);

            if (is_digit(c))
                dv = (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                dv = (unsigned)(c - 'a' + 10);
            else
                return -1;
            if (dv >= base)
                return -1;
            x = x * base + dv;
            if (x > 0xffffffffULL)
                return -1;
        }
        part[np++] = x;
    }
    for (size_t i = 0; i + 1 < np; i++) {
        if (part[i] > 255)
            return -1;
        v |= (uint32_t)part[i] << (24 - 8 * i);
    }
    if (part[np - 1] >= (1ULL << (8 * (5 - np))))
        return -1;
    v |= (uint32_t)part[np - 1];
    memset(out, 0, sizeof *out);
    out->b[10] = out->b[11] = 0xff;
    out->b[12] = (uint8_t)(v >> 24);
    out->b[13] = (uint8_t)(v >> 16);
    out->b[14] = (uint8_t)(v >> 8);
    out->b[15] = (uint8_t)v;
    out->v4 = 1;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Host names                                                          */
/* ------------------------------------------------------------------ */

/* The A-label form must be LDH labels of 1..63 bytes, 2 or more of them,
 * at most 253 bytes, the last one not all digits. */
static const char *
check_alabel(const char *h)
{
    size_t n = strlen(h), lab = 0, labels = 0, digits = 0;

    if (n == 0 || n > WQ_NAME_MAX)
        return n ? "domain longer than 253 bytes" : "empty domain";
    for (size_t i = 0; i <= n; i++) {
        char c = h[i];

        if (c == '.' || c == '\0') {
            if (lab == 0)
                return "empty label in domain";
            if (lab > WQ_LABEL_MAX)
                return "domain label longer than 63 bytes";
            labels++;
            if (c == '\0' && digits == lab)
                return "top-level label is all digits";
            lab = digits = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-'))
            return "character not allowed in a domain";
        digits += is_digit(c);
        lab++;
    }
    return labels < 2 ? "a domain needs at least two labels" : NULL;
}

/*
 * [s, s+n) (UTF-8 or ASCII, no trailing dot) to lower-case ASCII (A-labels
 * for IDNs) in out[256]; to_alabel() then checks it is a domain.  libidn2 2.3
 * silently drops ASCII characters that STD3 forbids ("a_b" becomes "ab"), so
 * ASCII is checked here first and the result must equal the one without STD3
 * rules.
 */
static const char *
idn_ascii(const char *s, size_t n, char out[256])
{
    char in[WQ_HOST_RAW_MAX + 1];
    char *a = NULL, *b = NULL;
    const char *why = NULL;
    int rc;

    if (n == 0)
        return "empty domain";
    if (n > WQ_HOST_RAW_MAX)
        return "domain longer than 253 bytes";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          is_digit((char)c) || c == '-' || c == '.'))
            return "character not allowed in a domain";
        in[i] = lower((char)c);
    }
    in[n] = '\0';
    rc = idn2_to_ascii_8z(in, &a,
                          IDN2_NONTRANSITIONAL | IDN2_USE_STD3_ASCII_RULES);
    if (rc != IDN2_OK) {
        why = idn2_strerror(rc);
        goto out;
    }
    if (idn2_to_ascii_8z(in, &b, IDN2_NONTRANSITIONAL) != IDN2_OK ||
        strcmp(a, b) != 0) {
        why = "character not allowed in a domain";
        goto out;
    }
    if (strlen(a) > WQ_NAME_MAX)
        why = "domain longer than 253 bytes";
    else
        snprintf(out, 256, "%s", a);
out:
    idn2_free(a);
    idn2_free(b);
    return why;
}

static const char *
to_alabel(const char *s, size_t n, char out[256])
{
    const char *why = idn_ascii(s, n, out);

    return why != NULL ? why : check_alabel(out);
}

static void
set_registrable(wq_query *q)
{
    const psl_ctx_t *psl = psl_builtin();
    const char *r = psl ? psl_registrable_domain(psl, q->host) : NULL;

    q->registrable[0] = '\0';
    if (r != NULL)
        snprintf(q->registrable, sizeof q->registrable, "%s", r);
}

/* A domain query: [s, s+n) already undefanged. */
static const char *
parse_domain(const char *s, size_t n, wq_query *q)
{
    const char *why;

    if (n > 0 && s[n - 1] == '.')
        n--;
    if ((why = to_alabel(s, n, q->host)) != NULL)
        return why;
    q->kind = SQ_WQ_DOMAIN;
    set_registrable(q);
    snprintf(q->canon, sizeof q->canon, "%s", q->host);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* URLs                                                                */
/* ------------------------------------------------------------------ */

static const struct {
    const char *name, *canon;
} schemes[] = {
    {"http", "http"}, {"https", "https"}, {"ftp", "ftp"},
    {"hxxp", "http"}, {"hxxps", "https"}, {"fxp", "ftp"},
};

/* %XX-decode [s, s+n) into out (cap bytes); 0 on a bad escape. */
static int
pct_decode(const char *s, size_t n, char *out, size_t cap, size_t *outn)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char c = s[i];

        if (c == '%') {
            int v = 0;

            if (n - i < 3)
                return 0;
            for (int k = 1; k <= 2; k++) {
                char h = lower(s[i + (size_t)k]);

                if (is_digit(h))
                    v = v * 16 + (h - '0');
                else if (h >= 'a' && h <= 'f')
                    v = v * 16 + (h - 'a' + 10);
                else
                    return 0;
            }
            c = (char)v;
            i += 2;
        }
        if (o == cap || c == '\0')
            return 0;
        out[o++] = c;
    }
    *outn = o;
    return 1;
}

/* The host of a URL (userinfo and port already cut off) into q. */
static const char *
url_host(const char *h, size_t n, wq_query *q, char *text, size_t textlen)
{
    char dec[WQ_HOST_RAW_MAX];
    const char *why;
    size_t dn;
    sq_ipaddr ip;
    int r;

    if (n == 0)
        return "URL without a host";
    if (h[0] == '[') {
        if (n < 3 || h[n - 1] != ']' || memchr(h, '%', n) != NULL ||
            !sq_ipaddr_parse(h + 1, n - 2, &ip))
            return "bad IPv6 address in URL host";
        set_ip(q, &ip);
        sq_ipaddr_format(&ip, q->host);
        /* [::ffff:192.0.2.1] is the IPv4 host 192.0.2.1 */
        snprintf(text, textlen, ip.v4 ? "%s" : "[%s]", q->host);
        return NULL;
    }
    if (!pct_decode(h, n, dec, sizeof dec, &dn))
        return "bad %-escape in URL host";
    if (dn > 0 && dec[dn - 1] == '.')
        dn--;
    /* As browsers: IDNA mapping first ("１２７．０．０．１" is an
     * address), then a host ending in a number must be IPv4. */
    if ((why = idn_ascii(dec, dn, q->host)) != NULL)
        return why;
    if ((r = whatwg_ipv4(q->host, strlen(q->host), &ip)) < 0)
        return "bad IPv4 address in URL host";
    if (r > 0) {
        set_ip(q, &ip);
        sq_ipaddr_format(&ip, q->host);
    } else if ((why = check_alabel(q->host)) != NULL) {
        return why;
    } else {
        set_registrable(q);
    }
    snprintf(text, textlen, "%s", q->host);
    return NULL;
}

/* Split "[userinfo@]host[:port]" and check the port. */
static const char *
split_authority(const char *a, size_t n, const char **host, size_t *hn,
                const char **port, size_t *pn)
{
    const char *h = a, *colon = NULL;
    unsigned long long pv;

    for (size_t i = 0; i < n; i++)
        if (a[i] == '@')
            h = a + i + 1; /* the LAST '@' ends the userinfo */
    n -= (size_t)(h - a);
    if (n > 0 && h[0] == '[') {
        const char *rb = memchr(h, ']', n);

        if (rb == NULL)
            return "bad IPv6 address in URL host";
        if ((size_t)(rb - h) + 1 < n) {
            if (rb[1] != ':')
                return "bad IPv6 address in URL host";
            colon = rb + 1;
        }
    } else {
        for (size_t i = n; i > 0; i--)
            if (h[i - 1] == ':') {
                colon = h + i - 1;
                break;
            }
    }
    *host = h;
    *hn = colon ? (size_t)(colon - h) : n;
    *port = colon ? colon + 1 : "";
    *pn = colon ? n - *hn - 1 : 0;
    if (*pn > 0 && (!sq_parse_dec(*port, *pn, 10, 65535, &pv) || pv == 0))
        return "bad port in URL";
    return NULL;
}

static const char *
parse_url(const char *s, size_t n, wq_query *q)
{
    const char *sep = NULL, *scheme = "http", *auth, *end, *host, *port;
    size_t an, hn, pn;
    char text[300];
    const char *why;

    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            sep = s + i;
            break;
        }
    if (sep != NULL) {
        size_t k, sl = (size_t)(sep - s);

        for (k = 0; k < sizeof schemes / sizeof schemes[0]; k++)
            if (sq_strncaseeq(s, sl, schemes[k].name))
                break;
        if (k == sizeof schemes / sizeof schemes[0])
            return "unsupported URL scheme (http, https or ftp)";
        scheme = schemes[k].canon;
        auth = sep + 3;
    } else {
        auth = s;
    }
    for (end = auth; end < s + n; end++)
        if (*end == '/' || *end == '?' || *end == '#' || *end == '\\')
            break;
    an = (size_t)(end - auth);
    if ((why = split_authority(auth, an, &host, &hn, &port, &pn)) != NULL ||
        (why = url_host(host, hn, q, text, sizeof text)) != NULL)
        return why;
    q->kind = SQ_WQ_URL;
    {
        /* canon: scheme://host[:port] then as much of the rest as fits. */
        int w = snprintf(q->canon, sizeof q->canon, "%s://%s%s%.*s", scheme,
                         text, pn ? ":" : "", (int)pn, port);
        size_t used = w < 0 ? 0 : (size_t)w, rest = (size_t)(s + n - end);

        if (used < sizeof q->canon - 1) {
            size_t room = sizeof q->canon - 1 - used;

            if (rest > room)
                rest = room;
            memcpy(q->canon + used, end, rest);
            q->canon[used + rest] = '\0';
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* The entry point                                                     */
/* ------------------------------------------------------------------ */

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Everything that is not an AS number: IP, CIDR, URL, domain. */
static const char *
parse_rest(const char *s, size_t n, wq_query *q)
{
    const char *b = s, *pct;
    size_t bn = n;
    sq_ipaddr ip;
    int r;

    for (size_t i = 0; i + 2 < n; i++)
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/')
            return parse_url(s, n, q);
    unbracket(&b, &bn);
    if ((pct = memchr(b, '%', bn)) != NULL &&
        sq_ipaddr_parse(b, (size_t)(pct - b), &ip))
        return "zone ids are not accepted";
    if (sq_ipaddr_parse(b, bn, &ip)) {
        q->kind = SQ_WQ_IP;
        set_ip(q, &ip);
        sq_ipaddr_format(&ip, q->canon);
        return NULL;
    }
    {
        const char *why = NULL;

        if ((r = parse_cidr(s, n, q, &why)) != 0)
            return r > 0 ? NULL : why;
    }
    if (memchr(s, '/', n) != NULL)
        return parse_url(s, n, q);
    if (memchr(s, '@', n) != NULL)
        return "an e-mail address, not a domain";
    return parse_domain(s, n, q);
}

sq_status
wq_parse(const char *s, size_t len, wq_query *out, sq_diag *d)
{
    char buf[WQ_INPUT_MAX];
    wq_query q;
    const char *why;
    size_t n;
    int r;

    if (s == NULL || out == NULL)
        return SQ_EINVAL;
    while (len > 0 && is_space(s[0]))
        s++, len--;
    while (len > 0 && is_space(s[len - 1]))
        len--;
    if (len == 0) {
        sq_diag_addf(d, NULL, 0, "empty query");
        return SQ_EINVAL;
    }
    if (len > WQ_INPUT_MAX) {
        sq_diag_addf(d, NULL, 0, "query longer than %d bytes",
                     (int)WQ_INPUT_MAX);
        return SQ_EINVAL;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            reject(d, "control character in query", s, len);
            return SQ_EINVAL;
        }
    n = undefang(s, len, buf);
    memset(&q, 0, sizeof q);
    if ((r = parse_asn(buf, n, &q.asn)) != 0) {
        if (r < 0) {
            reject(d, "AS number out of range (1..4294967295)", s, len);
            return SQ_EINVAL;
        }
        q.kind = SQ_WQ_ASN;
        snprintf(q.canon, sizeof q.canon, "AS%lu", q.asn);
        *out = q;
        return SQ_OK;
    }
    if ((why = parse_rest(buf, n, &q)) != NULL) {
        char msg[160];

        snprintf(msg, sizeof msg, "%s (%s)", not_a_query, why);
        reject(d, msg, s, len);
        return SQ_EINVAL;
    }
    *out = q;
    return SQ_OK;
}
