/*
 * answer.c - the whois answer: the builder every parser fills (contacts
 * checked, de-duplicated and screened against the placeholder list;
 * ranges turned into minimal CIDR lists) and the public accessors.
 */
#include "whois_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char EMPTY[] = "";

sq_whois_answer *
wa_new(const char *query, sq_whois_kind kind)
{
    sq_whois_answer *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->arena = sq_arena_new(4096);
    if (a->arena == NULL) {
        free(a);
        return NULL;
    }
    a->kind = kind;
    a->query = wa_str(a, query);
    a->net.cidrs = a->cidrs;
    a->net.range = a->net.name = a->net.handle = a->net.org = EMPTY;
    a->net.country = a->net.registry = a->net.allocated = EMPTY;
    a->origin.name = a->origin.country = a->origin.registry = EMPTY;
    a->origin.relation = EMPTY;
    a->origin.contacts = a->origin_contacts;
    a->registrar = a->referral = EMPTY;
    return a;
}

SQ_API void
sq_whois_answer_free(sq_whois_answer *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->nhosts; i++)
        sq_whois_answer_free(a->hosts[i]);
    sq_arena_free(a->arena);
    free(a);
}

const char *
wa_strn(sq_whois_answer *a, const char *s, size_t n)
{
    const char *p;

    if (s == NULL || n == 0)
        return EMPTY;
    p = sq_arena_strndup(a->arena, s, n);
    return p != NULL ? p : EMPTY;
}

const char *
wa_str(sq_whois_answer *a, const char *s)
{
    return wa_strn(a, s, s != NULL ? strlen(s) : 0);
}

void
wa_warn(sq_whois_answer *a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    if (a->nwarnings >= WA_MAX_WARNINGS)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < a->nwarnings; i++)
        if (strcmp(a->warnings[i], buf) == 0)
            return;
    a->warnings[a->nwarnings++] = wa_str(a, buf);
}

/* ---- contacts ---- */

static int
is_trim(unsigned char c)
{
    return c <= ' ' || c == '<' || c == '>' || c == '"' || c == '\'' ||
           c == ',' || c == ';' || c == '(' || c == ')' || c == '[' ||
           c == ']' || c == 0x7f;
}

/* Trim and check local@domain; lower-cases the domain into out.
 * Returns the length, 0 when it is not an address. */
static size_t
clean_email(const char *s, size_t n, char out[WA_EMAIL_MAX + 1])
{
    size_t at = 0, nat = 0, len;

    while (n > 0 && is_trim((unsigned char)s[0]))
        s++, n--;
    while (n > 0 && (is_trim((unsigned char)s[n - 1]) || s[n - 1] == '.'))
        n--;
    if (n > 7 && sq_strncaseeq(s, 7, "mailto:"))
        s += 7, n -= 7;
    if (n < 3 || n > WA_EMAIL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' ||
            c == ',' || c == ';' || c == '\\')
            return 0;
        if (c == '@')
            at = i, nat++;
    }
    if (nat != 1 || at == 0 || at + 1 >= n)
        return 0;
    len = n;
    memcpy(out, s, len);
    out[len] = '\0';
    /* domain: needs a dot, no empty labels, lower case */
    if (memchr(out + at + 1, '.', len - at - 1) == NULL || out[at + 1] == '.' ||
        strstr(out + at, "..") != NULL)
        return 0;
    for (size_t i = at + 1; i < len; i++)
        if (out[i] >= 'A' && out[i] <= 'Z')
            out[i] = (char)(out[i] + 32);
    return len;
}

static int
contact_better(sq_contact_role r, sq_confidence c, int fb,
               const sq_contact *old)
{
    if ((r == SQ_ROLE_ABUSE) != (old->role == SQ_ROLE_ABUSE))
        return r == SQ_ROLE_ABUSE;
    if (fb != old->fallback)
        return !fb;
    return c > old->confidence;
}

int
wa_add_contact(sq_whois_answer *a, const char *email, size_t len,
               sq_contact_role role, sq_contact_source src, const char *where,
               const char *handle, sq_confidence conf, int fallback)
{
    char e[WA_EMAIL_MAX + 1];
    size_t n = email != NULL ? clean_email(email, len, e) : 0;
    sq_contact *c;

    if (n == 0)
        return 0;
    if (src != SQ_SRC_OVERRIDE && wa_is_placeholder(e, n)) {
        wa_warn(a, "ignored registry placeholder address %s", e);
        return 0;
    }
    fallback = fallback != 0;
    for (size_t i = 0; i < a->ncontacts; i++) {
        c = &a->contacts[i];
        if (strlen(c->email) != n || !sq_strncaseeq(c->email, n, e))
            continue;
        if (contact_better(role, conf, fallback, c)) {
            c->role = role == SQ_ROLE_ABUSE ? role : c->role;
            c->confidence = conf > c->confidence ? conf : c->confidence;
            c->fallback = c->fallback && fallback;
            c->source = src;
            c->where = wa_str(a, where);
            if (handle != NULL && handle[0] != '\0')
                c->handle = wa_str(a, handle);
        }
        return 1;
    }
    if (a->ncontacts >= WA_MAX_CONTACTS) {
        wa_warn(a, "more than %d contacts; the rest ignored", WA_MAX_CONTACTS);
        return 0;
    }
    c = &a->contacts[a->ncontacts++];
    c->email = wa_strn(a, e, n);
    c->role = role;
    c->source = src;
    c->where = wa_str(a, where);
    c->handle = wa_str(a, handle);
    c->confidence = conf;
    c->fallback = fallback;
    return 1;
}

static int
source_rank(sq_contact_source s)
{
    static const int rank[] = {
        [SQ_SRC_OVERRIDE] = 0, [SQ_SRC_RDAP] = 1,       [SQ_SRC_WHOIS] = 2,
        [SQ_SRC_OFFLINE] = 3,  [SQ_SRC_DNS_ABUSIX] = 4, [SQ_SRC_ABUSE_NET] = 5,
        [SQ_SRC_RFC2142] = 6,
    };

    return (unsigned)s < sizeof(rank) / sizeof(rank[0]) ? rank[s] : 9;
}

static int
contact_before(const sq_contact *x, const sq_contact *y)
{
    int xa = x->role == SQ_ROLE_ABUSE, ya = y->role == SQ_ROLE_ABUSE;

    if (xa != ya)
        return xa;
    if (x->fallback != y->fallback)
        return !x->fallback;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence;
    return source_rank(x->source) < source_rank(y->source);
}

void
wa_sort_contacts(sq_whois_answer *a)
{
    /* insertion sort: stable, n <= WA_MAX_CONTACTS */
    for (size_t i = 1; i < a->ncontacts; i++) {
        sq_contact t = a->contacts[i];
        size_t j = i;

        while (j > 0 && contact_before(&t, &a->contacts[j - 1])) {
            a->contacts[j] = a->contacts[j - 1];
            j--;
        }
        a->contacts[j] = t;
    }
}

/* ---- network fields and ranges ---- */

void
wa_set_net_field(sq_whois_answer *a, const char **field, const char *s,
                 size_t n)
{
    while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                     s[n - 1] == '\n'))
        n--;
    if (n == 0 || (*field != NULL && (*field)[0] != '\0'))
        return;
    *field = wa_strn(a, s, n);
    a->has_network = 1;
}

typedef unsigned __int128 u128;

static u128
ip_to_u128(const sq_ipaddr *a)
{
    u128 v = 0;

    for (int i = 0; i < 16; i++)
        v = (v << 8) | a->b[i];
    return v;
}

static void
u128_to_ip(u128 v, int v4, sq_ipaddr *out)
{
    for (int i = 15; i >= 0; i--) {
        out->b[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
    out->v4 = (uint8_t)v4;
}

/* 2^k - 1 without overflow for k == 128. */
static u128
low_mask(unsigned k)
{
    return k >= 128 ? ~(u128)0 : ((u128)1 << k) - 1;
}

size_t
wa_range_to_cidrs(const sq_ipaddr *lo, const sq_ipaddr *hi, char out[][48],
                  size_t max)
{
    u128 l = ip_to_u128(lo), h = ip_to_u128(hi);
    unsigned width = lo->v4 ? 32 : 128;
    size_t n = 0;

    if (lo->v4 != hi->v4 || l > h)
        return 0;
    while (n < max) {
        unsigned k = 0; /* block of 2^k addresses */
        sq_ipaddr net;
        char txt[46];

        while (k < width && (l & low_mask(k + 1)) == 0 &&
               h - l >= low_mask(k + 1))
            k++;
        u128_to_ip(l, lo->v4, &net);
        sq_ipaddr_format(&net, txt);
        snprintf(out[n++], 48, "%s/%u", txt, width - k);
        if (h - l <= low_mask(k))
            break;
        l += low_mask(k) + 1;
    }
    return n;
}

int
wa_set_range(sq_whois_answer *a, const sq_ipaddr *lo, const sq_ipaddr *hi)
{
    char cidrs[WA_MAX_CIDRS][48], f[46], l[46], range[100];
    size_t n = wa_range_to_cidrs(lo, hi, cidrs, WA_MAX_CIDRS);

    if (n == 0)
        return 0;
    a->lo = *lo;
    a->hi = *hi;
    a->has_range = 1;
    a->has_network = 1;
    a->net.ncidrs = 0;
    for (size_t i = 0; i < n; i++)
        a->cidrs[a->net.ncidrs++] = wa_str(a, cidrs[i]);
    sq_ipaddr_format(lo, f);
    sq_ipaddr_format(hi, l);
    snprintf(range, sizeof(range), "%s - %s", f, l);
    a->net.range = wa_str(a, range);
    return 1;
}

/*
 * Registry spellings of an address: zero-padded octets
 * ("074.125.000.000"), a "/n" suffix, abbreviated IPv4 ("200.57.128").
 * *plen gets the suffix (-1 when none).
 */
static int
parse_loose_ip(const char *s, size_t n, sq_ipaddr *ip, int *plen)
{
    char buf[64];
    size_t m = 0, slash = n;

    while (n > 0 && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/') {
            slash = i;
            break;
        }
    *plen = -1;
    if (slash < n) {
        char *end;
        char num[8];
        size_t k = n - slash - 1;
        long v;

        if (k == 0 || k >= sizeof(num))
            return 0;
        memcpy(num, s + slash + 1, k);
        num[k] = '\0';
        v = strtol(num, &end, 10);
        if (*end != '\0' || v < 0 || v > 128)
            return 0;
        *plen = (int)v;
    }
    if (slash == 0 || slash >= sizeof(buf))
        return 0;
    if (memchr(s, ':', slash) != NULL)
        return sq_ipaddr_parse(s, slash, ip);
    /* IPv4: strip leading zeros per octet, pad missing octets */
    {
        int octets = 0, digits = 0;

        for (size_t i = 0; i <= slash; i++) {
            if (i == slash || s[i] == '.') {
                if (digits == 0 || ++octets > 4)
                    return 0;
                digits = 0;
                if (i < slash)
                    buf[m++] = '.';
                continue;
            }
            if (s[i] < '0' || s[i] > '9')
                return 0;
            if (s[i] == '0' && digits == 0 && i + 1 < slash && s[i + 1] != '.')
                continue; /* a leading zero */
            if (++digits > 3 || m + 1 >= sizeof(buf))
                return 0;
            buf[m++] = s[i];
        }
        while (octets < 4 && m + 2 < sizeof(buf)) {
            buf[m++] = '.';
            buf[m++] = '0';
            octets++;
        }
    }
    return sq_ipaddr_parse(buf, m, ip);
}

/* Network and broadcast of ip/plen (plen on the family's width). */
static int
prefix_bounds(const sq_ipaddr *ip, int plen, sq_ipaddr *lo, sq_ipaddr *hi)
{
    unsigned width = ip->v4 ? 32 : 128, bits;
    u128 v = ip_to_u128(ip), mask;

    if (plen < 0 || (unsigned)plen > width)
        return 0;
    bits = (unsigned)plen + (128 - width);
    mask = bits == 0 ? 0 : ~(u128)0 << (128 - bits);
    u128_to_ip(v & mask, ip->v4, lo);
    u128_to_ip(v | ~mask, ip->v4, hi);
    return 1;
}

int
wa_set_cidr_text(sq_whois_answer *a, const char *cidr, size_t len)
{
    sq_ipaddr ip, lo, hi;
    int plen;

    if (!parse_loose_ip(cidr, len, &ip, &plen) || plen < 0 ||
        !prefix_bounds(&ip, plen, &lo, &hi))
        return 0;
    return wa_set_range(a, &lo, &hi);
}

int
wa_set_range_text(sq_whois_answer *a, const char *first, size_t flen,
                  const char *last, size_t llen)
{
    sq_ipaddr lo, hi;
    int p1, p2;

    if (!parse_loose_ip(first, flen, &lo, &p1) ||
        !parse_loose_ip(last, llen, &hi, &p2) || lo.v4 != hi.v4 ||
        memcmp(lo.b, hi.b, 16) > 0)
        return 0;
    return wa_set_range(a, &lo, &hi);
}

int
wa_add_cidr_text(sq_whois_answer *a, const char *cidr, size_t len)
{
    sq_ipaddr ip, lo, hi;
    char txt[46], out[64];
    int plen;

    if (a->net.ncidrs >= WA_MAX_CIDRS ||
        !parse_loose_ip(cidr, len, &ip, &plen) || plen < 0 ||
        !prefix_bounds(&ip, plen, &lo, &hi))
        return 0;
    sq_ipaddr_format(&lo, txt);
    snprintf(out, sizeof(out), "%s/%d", txt, plen);
    for (size_t i = 0; i < a->net.ncidrs; i++)
        if (strcmp(a->cidrs[i], out) == 0)
            return 1;
    a->cidrs[a->net.ncidrs++] = wa_str(a, out);
    a->has_network = 1;
    return 1;
}

int
wa_add_host(sq_whois_answer *a, sq_whois_answer *host)
{
    if (a->nhosts >= WA_MAX_HOSTS) {
        sq_whois_answer_free(host);
        return 0;
    }
    a->hosts[a->nhosts++] = host;
    return 1;
}

/* ---- public accessors ---- */

SQ_API const char *
sq_whois_answer_query(const sq_whois_answer *a)
{
    return a->query;
}

SQ_API sq_whois_kind
sq_whois_answer_kind(const sq_whois_answer *a)
{
    return a->kind;
}

SQ_API size_t
sq_whois_answer_ncontacts(const sq_whois_answer *a)
{
    return a->ncontacts;
}

SQ_API const sq_contact *
sq_whois_answer_contact(const sq_whois_answer *a, size_t i)
{
    return i < a->ncontacts ? &a->contacts[i] : NULL;
}

SQ_API const sq_network *
sq_whois_answer_network(const sq_whois_answer *a)
{
    return a->has_network ? &a->net : NULL;
}

SQ_API const sq_asinfo *
sq_whois_answer_origin(const sq_whois_answer *a)
{
    return a->has_origin ? &a->origin : NULL;
}

SQ_API size_t
sq_whois_answer_nupstreams(const sq_whois_answer *a)
{
    return a->nupstreams;
}

SQ_API const sq_asinfo *
sq_whois_answer_upstream(const sq_whois_answer *a, size_t i)
{
    return i < a->nupstreams ? &a->upstreams[i] : NULL;
}

SQ_API const char *
sq_whois_answer_registrar(const sq_whois_answer *a)
{
    return a->registrar;
}

SQ_API size_t
sq_whois_answer_nhosts(const sq_whois_answer *a)
{
    return a->nhosts;
}

SQ_API const sq_whois_answer *
sq_whois_answer_host(const sq_whois_answer *a, size_t i)
{
    return i < a->nhosts ? a->hosts[i] : NULL;
}

SQ_API const char *
sq_whois_answer_referral(const sq_whois_answer *a)
{
    return a->referral;
}

SQ_API int
sq_whois_answer_cached(const sq_whois_answer *a)
{
    return a->cached;
}

SQ_API size_t
sq_whois_answer_nwarnings(const sq_whois_answer *a)
{
    return a->nwarnings;
}

SQ_API const char *
sq_whois_answer_warning(const sq_whois_answer *a, size_t i)
{
    return i < a->nwarnings ? a->warnings[i] : NULL;
}

/* ---- names ---- */

#define NAME_OF(tab, i)                                                        \
    ((unsigned)(i) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[i] : "unknown")

SQ_API const char *
sq_contact_role_name(sq_contact_role r)
{
    static const char *const tab[] = {"abuse", "tech", "admin", "registrant",
                                      "noc"};
    return NAME_OF(tab, r);
}

SQ_API const char *
sq_contact_source_name(sq_contact_source s)
{
    static const char *const tab[] = {"rdap",      "whois",   "dns-abusix",
                                      "abuse.net", "offline", "override",
                                      "rfc2142"};
    return NAME_OF(tab, s);
}

SQ_API const char *
sq_whois_kind_name(sq_whois_kind k)
{
    static const char *const tab[] = {"ip", "cidr", "asn", "domain", "url"};
    return NAME_OF(tab, k);
}
