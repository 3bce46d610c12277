/*
 * dnstxt.c - parsers for the DNS TXT answers the whois module asks for,
 * and the reversed names it asks them under.
 *
 * Team Cymru IP to ASN mapping (origin.asn.cymru.com, origin6.asn.cymru.com,
 * peer.asn.cymru.com, ASnnn.asn.cymru.com) answers one TXT record of
 * '|'-separated fields:
 *   origin/origin6  "ASN [ASN...] | prefix | CC | registry | allocated"
 *   peer            "PEER [PEER...] | prefix | CC | registry | allocated"
 *   AS name         "ASN | CC | registry | allocated | AS name"
 * The Abusix contact zone (abuse-contacts.abusix.zone) and abuse.net
 * (<domain>.contacts.abuse.net) answer TXT records holding addresses.
 *
 * Every function reads (bytes, length), never past it, never needs a
 * NUL, and writes only into the caller's fixed-size outputs: nothing is
 * allocated.  Out-params are written only on success.
 */
#include "whois/whois_int.h"

#include <stdio.h>
#include <string.h>

enum {
    DT_MAX_FIELDS = 8, /* fields of a Cymru record we look at */
    DT_MAX_EMAILS = 64 /* addresses taken from one Abusix record */
};

typedef struct dt_span {
    const char *p;
    size_t n;
} dt_span;

static int
dt_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static dt_span
dt_trim(const char *p, size_t n)
{
    dt_span s;

    while (n > 0 && dt_is_space((unsigned char)p[0])) {
        p++;
        n--;
    }
    while (n > 0 && dt_is_space((unsigned char)p[n - 1]))
        n--;
    s.p = p;
    s.n = n;
    return s;
}

/*
 * Split [txt, txt+len) on '|' into at most max trimmed fields; the last
 * field takes the rest of the text (an AS name may hold a '|').  Some
 * resolvers hand the record over with its quotes: one pair around the
 * whole text is dropped.  Returns the field count.
 */
static size_t
dt_split(const char *txt, size_t len, dt_span *f, size_t max)
{
    dt_span all = dt_trim(txt, len);
    const char *p = all.p, *end = all.p + all.n;
    size_t nf = 0;

    if (all.n >= 2 && p[0] == '"' && end[-1] == '"') {
        p++;
        end--;
    }
    while (nf < max) {
        const char *bar =
            nf + 1 == max ? NULL : memchr(p, '|', (size_t)(end - p));
        const char *stop = bar != NULL ? bar : end;

        f[nf++] = dt_trim(p, (size_t)(stop - p));
        if (bar == NULL)
            break;
        p = bar + 1;
    }
    return nf;
}

/* A decimal AS number, optionally "AS"-prefixed, 1..4294967295. */
static int
dt_asn(const char *p, size_t n, unsigned long *out)
{
    unsigned long v;

    if (!sq_parse_asn(p, n, &v) || v == 0)
        return 0;
    *out = v;
    return 1;
}

/* Space-separated AS numbers; 0 when none or one is malformed.  More
 * than max are counted as read but not stored. */
static size_t
dt_asn_list(dt_span f, unsigned long *asns, size_t max)
{
    size_t i = 0, n = 0;

    while (i < f.n) {
        size_t j;
        unsigned long v;

        while (i < f.n && dt_is_space((unsigned char)f.p[i]))
            i++;
        j = i;
        while (j < f.n && !dt_is_space((unsigned char)f.p[j]))
            j++;
        if (j == i)
            break;
        if (!dt_asn(f.p + i, j - i, &v))
            return 0;
        if (n < max)
            asns[n++] = v;
        i = j;
    }
    return n;
}

/* Copy a field made only of the bytes of set (plus alnum when alnum)
 * into out[outlen]; 0 when it does not fit or has another byte. */
static int
dt_copy_field(dt_span f, char *out, size_t outlen, const char *set)
{
    if (f.n >= outlen)
        return 0;
    for (size_t i = 0; i < f.n; i++) {
        unsigned char c = (unsigned char)f.p[i];
        int ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                 (c >= 'A' && c <= 'Z') || (c != 0 && strchr(set, c));

        if (!ok)
            return 0;
    }
    memcpy(out, f.p, f.n);
    out[f.n] = '\0';
    return 1;
}

/* Country code: two letters, upper-cased; "" stays "".  Cymru writes
 * other text ("EU", "ZZ") the same way, so only the shape is checked. */
static int
dt_country(dt_span f, char cc[3])
{
    if (f.n == 0) {
        cc[0] = '\0';
        return 1;
    }
    if (f.n != 2)
        return 0;
    for (size_t i = 0; i < 2; i++) {
        unsigned char c = (unsigned char)f.p[i];

        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 32);
        if (c < 'A' || c > 'Z')
            return 0;
        cc[i] = (char)c;
    }
    cc[2] = '\0';
    return 1;
}

/* Allocation date: "YYYY-MM-DD" or "" (peer records and some
 * registries leave it out); anything else leaves it "". */
static void
dt_date(dt_span f, char out[11])
{
    static const char shape[] = "dddd-dd-dd";

    out[0] = '\0';
    if (f.n != 10)
        return;
    for (size_t i = 0; i < 10; i++) {
        int digit = f.p[i] >= '0' && f.p[i] <= '9';

        if (shape[i] == 'd' ? !digit : f.p[i] != '-')
            return;
    }
    memcpy(out, f.p, 10);
    out[10] = '\0';
}

int
dnstxt_parse_origin(const char *txt, size_t len, dnstxt_origin *out)
{
    dt_span f[DT_MAX_FIELDS];
    dnstxt_origin o;
    size_t nf;

    if (txt == NULL || out == NULL)
        return 0;
    memset(&o, 0, sizeof(o));
    nf = dt_split(txt, len, f, DT_MAX_FIELDS);
    if (nf < 2)
        return 0;
    o.nasns = dt_asn_list(f[0], o.asns, sizeof(o.asns) / sizeof(o.asns[0]));
    if (o.nasns == 0 || f[1].n == 0 ||
        !dt_copy_field(f[1], o.prefix, sizeof(o.prefix), ".:/"))
        return 0;
    if (nf > 2 && !dt_country(f[2], o.country))
        return 0;
    if (nf > 3 && !dt_copy_field(f[3], o.registry, sizeof(o.registry), "-_"))
        return 0;
    if (nf > 4)
        dt_date(f[4], o.allocated);
    *out = o;
    return 1;
}

/* Copy an AS name: printable ASCII kept, every other byte (controls,
 * bytes of UTF-8 sequences) becomes '?', truncated to namelen-1. */
static void
dt_copy_name(dt_span f, char *name, size_t namelen)
{
    size_t n = f.n < namelen - 1 ? f.n : namelen - 1;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)f.p[i];

        name[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    name[n] = '\0';
}

int
dnstxt_parse_asname(const char *txt, size_t len, unsigned long *asn, char *name,
                    size_t namelen, char cc[3])
{
    dt_span f[5];
    unsigned long a;
    char c[3];
    size_t nf;

    if (txt == NULL)
        return 0;
    nf = dt_split(txt, len, f, 5);
    if (nf < 5 || !dt_asn(f[0].p, f[0].n, &a) || !dt_country(f[1], c))
        return 0;
    if (asn != NULL)
        *asn = a;
    if (cc != NULL)
        memcpy(cc, c, 3);
    if (name != NULL && namelen > 0)
        dt_copy_name(f[4], name, namelen);
    return 1;
}

/* A byte allowed in an address we hand on: RFC 5322 atext, '.', '@'. */
static int
dt_email_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
           (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-/=?^_`{|}~.@", c) != NULL);
}

/* local@domain with one '@', both parts non-empty, a dot-free local part
 * allowed, a domain without leading/trailing dots. */
static int
dt_email_shape(const char *p, size_t n)
{
    const char *at;
    size_t ln, dn;

    if (n < 3 || n > WA_EMAIL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!dt_email_byte((unsigned char)p[i]))
            return 0;
    at = memchr(p, '@', n);
    if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - p) - 1) != NULL)
        return 0;
    ln = (size_t)(at - p);
    dn = n - ln - 1;
    if (ln == 0 || ln > 64 || dn == 0)
        return 0;
    return at[1] != '.' && p[n - 1] != '.';
}

static int
dt_email_sep(unsigned char c)
{
    return dt_is_space(c) || c == ',' || c == ';' || c == '"';
}

size_t
dnstxt_parse_abusix(const char *txt, size_t len,
                    void (*add)(void *arg, const char *email, size_t n),
                    void *arg)
{
    size_t i = 0, count = 0;

    if (txt == NULL)
        return 0;
    while (i < len && count < DT_MAX_EMAILS) {
        size_t j;

        while (i < len && dt_email_sep((unsigned char)txt[i]))
            i++;
        j = i;
        while (j < len && !dt_email_sep((unsigned char)txt[j]))
            j++;
        if (j == i)
            break;
        {
            const char *p = txt + i;
            size_t n = j - i;

            if (n >= 7 && sq_strncaseeq(p, 7, "mailto:")) {
                p += 7;
                n -= 7;
            }
            if (n >= 2 && p[0] == '<' && p[n - 1] == '>') {
                p++;
                n -= 2;
            }
            if (dt_email_shape(p, n)) {
                if (add != NULL)
                    add(arg, p, n);
                count++;
            }
        }
        i = j;
    }
    return count;
}

int
dnstxt_revname(const sq_ipaddr *a, const char *zone, char *out, size_t outlen)
{
    static const char hex[] = "0123456789abcdef";
    char buf[128];
    size_t n = 0, zl;
    int w;

    if (a == NULL || out == NULL || outlen == 0)
        return 0;
    if (zone == NULL)
        zone = "";
    zl = strlen(zone);
    if (a->v4) {
        w = snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a->b[15], a->b[14],
                     a->b[13], a->b[12]);
        if (w < 0)
            return 0;
        n = (size_t)w;
    } else {
        for (int i = 15; i >= 0; i--) {
            buf[n++] = hex[a->b[i] & 15];
            buf[n++] = '.';
            buf[n++] = hex[a->b[i] >> 4];
            buf[n++] = '.';
        }
        n--; /* the last '.' comes back below when there is a zone */
    }
    if (zl > 0 && zone[0] == '.') {
        zone++;
        zl--;
    }
    if (n + (zl > 0 ? 1 + zl : 0) + 1 > outlen || n + 1 + zl > 255)
        return 0;
    memcpy(out, buf, n);
    if (zl > 0) {
        out[n++] = '.';
        memcpy(out + n, zone, zl);
        n += zl;
    }
    out[n] = '\0';
    return (int)n;
}
