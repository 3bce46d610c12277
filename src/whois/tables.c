/*
 * tables.c - registries (names, whois hosts, RDAP base URLs), the
 * delegation tables (which RIR holds an address or AS), the TLD RDAP
 * table and the placeholder-address list.
 *
 * The big tables are generated at build time from the data/ lists by
 * tools/gen-tables.c into generated/wt_tables.inc, included below as
 * sorted static arrays; lookups are binary searches.  The small registry
 * table lives here, by hand: one row per registry, in wt_registry order.
 *
 * Ownership: every returned string is a static constant.  No allocation,
 * no global mutable state; every function is thread-safe.
 * Limits: names and hosts longer than WT_NAME_MAX are never matched;
 * addresses longer than WA_EMAIL_MAX are never placeholders.
 */
#include "whois/whois_int.h"

#include <stdint.h>
#include <string.h>

enum { WT_NAME_MAX = 255 };

/* Row types of the generated tables (the generator writes initialisers
 * for exactly these fields, in this order). */
typedef struct wt_v4_row {
    uint32_t lo, hi;
    wt_registry reg;
} wt_v4_row;
typedef struct wt_v6_row {
    uint8_t lo[16], hi[16];
    wt_registry reg;
} wt_v6_row;
typedef struct wt_asn_row {
    uint32_t lo, hi;
    wt_registry reg;
} wt_asn_row;
typedef struct wt_dns_row {
    const char *tld;
    const char *url;
} wt_dns_row;

#include "wt_tables.inc"

/*
 * One row per registry, indexed by wt_registry.  RDAP bases of the five
 * RIRs are the first https URL of their service in IANA's bootstrap files
 * (the data/ lists headers say which).  NIR servers are the port-43 hosts the
 * RIRs refer to; NIRs reached over RDAP are found by the RIR's redirect,
 * so their rdap is "" unless the NIR publishes its own server.
 */
typedef struct wt_reg_info {
    const char *name;  /* keyword in the data/ lists, JSON and budgets */
    const char *alias; /* another accepted spelling, or NULL */
    const char *whois; /* default port-43 host, or "" */
    const char *rdap;  /* RDAP base URL with trailing '/', or "" */
} wt_reg_info;

static const wt_reg_info reg_info[WT_REGISTRY_COUNT] = {
    [WT_UNKNOWN] = {"unknown", NULL, "", ""},
    [WT_ARIN] = {"arin", NULL, "whois.arin.net",
                 "https://rdap.arin.net/registry/"},
    [WT_RIPENCC] = {"ripencc", "ripe", "whois.ripe.net",
                    "https://rdap.db.ripe.net/"},
    [WT_APNIC] = {"apnic", NULL, "whois.apnic.net", "https://rdap.apnic.net/"},
    [WT_LACNIC] = {"lacnic", NULL, "whois.lacnic.net",
                   "https://rdap.lacnic.net/rdap/"},
    [WT_AFRINIC] = {"afrinic", "afrnic", "whois.afrinic.net",
                    "https://rdap.afrinic.net/rdap/"},
    [WT_JPNIC] = {"jpnic", NULL, "whois.nic.ad.jp", ""},
    [WT_KRNIC] = {"krnic", "kisa", "whois.kisa.or.kr", ""},
    [WT_TWNIC] = {"twnic", NULL, "whois.twnic.net", ""},
    [WT_CNNIC] = {"cnnic", NULL, "whois.cnnic.cn", ""},
    [WT_IDNIC] = {"idnic", NULL, "whois.idnic.net", ""},
    [WT_VNNIC] = {"vnnic", NULL, "whois.vnnic.vn", ""},
    [WT_IRINN] = {"irinn", NULL, "whois.irinn.in", ""},
    [WT_NICBR] = {"nicbr", "registro.br", "whois.registro.br", ""},
    [WT_NICMX] = {"nicmx", NULL, "whois.nic.mx", ""},
    [WT_IANA] = {"iana", NULL, "whois.iana.org", ""},
};

/*
 * Host names that belong to a registry.  A host matches a row when it
 * equals the domain or ends in "." + domain; the longest matching domain
 * wins, so an NIR host under an RIR's domain can be listed separately.
 */
typedef struct wt_host_row {
    const char *domain;
    wt_registry reg;
} wt_host_row;

static const wt_host_row host_rows[] = {
    {"arin.net", WT_ARIN},       {"ripe.net", WT_RIPENCC},
    {"apnic.net", WT_APNIC},     {"lacnic.net", WT_LACNIC},
    {"afrinic.net", WT_AFRINIC}, {"nic.ad.jp", WT_JPNIC},
    {"jpnic.net", WT_JPNIC},     {"kisa.or.kr", WT_KRNIC},
    {"nic.or.kr", WT_KRNIC},     {"krnic.net", WT_KRNIC},
    {"twnic.net", WT_TWNIC},     {"twnic.net.tw", WT_TWNIC},
    {"twnic.tw", WT_TWNIC},      {"cnnic.cn", WT_CNNIC},
    {"cnnic.net.cn", WT_CNNIC},  {"idnic.net", WT_IDNIC},
    {"vnnic.vn", WT_VNNIC},      {"vnnic.net.vn", WT_VNNIC},
    {"irinn.in", WT_IRINN},      {"registro.br", WT_NICBR},
    {"nic.br", WT_NICBR},        {"nic.mx", WT_NICMX},
    {"iana.org", WT_IANA},
};

const char *
wt_registry_name(wt_registry r)
{
    if ((unsigned)r >= WT_REGISTRY_COUNT)
        r = WT_UNKNOWN;
    return reg_info[r].name;
}

wt_registry
wt_registry_from_name(const char *s, size_t n)
{
    if (s == NULL)
        return WT_UNKNOWN;
    for (int r = WT_UNKNOWN + 1; r < WT_REGISTRY_COUNT; r++) {
        const wt_reg_info *ri = &reg_info[r];

        if (sq_strncaseeq(s, n, ri->name) ||
            (ri->alias != NULL && sq_strncaseeq(s, n, ri->alias)))
            return (wt_registry)r;
    }
    /* "RIPE NCC" as some answers spell it. */
    if (sq_strncaseeq(s, n, "ripe ncc") || sq_strncaseeq(s, n, "ripe-ncc"))
        return WT_RIPENCC;
    return WT_UNKNOWN;
}

/* Cut "scheme://", a path, a port and a trailing dot off a host. */
static void
host_part(const char **s, size_t *n)
{
    const char *p = *s, *e = *s + *n;

    for (const char *q = p; q + 2 < e; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            p = q + 3;
            break;
        }
        if (q[0] == '/' || q[0] == '.')
            break;
    }
    for (const char *q = p; q < e; q++)
        if (*q == '/' || *q == ':' || *q == '?') {
            e = q;
            break;
        }
    if (e > p && e[-1] == '.')
        e--;
    *s = p;
    *n = (size_t)(e - p);
}

wt_registry
wt_registry_from_host(const char *host, size_t n)
{
    wt_registry best = WT_UNKNOWN;
    size_t bestlen = 0;

    if (host == NULL)
        return WT_UNKNOWN;
    host_part(&host, &n);
    if (n == 0 || n > WT_NAME_MAX)
        return WT_UNKNOWN;
    for (size_t i = 0; i < sizeof host_rows / sizeof host_rows[0]; i++) {
        const char *dom = host_rows[i].domain;
        size_t dl = strlen(dom);

        if (dl > n || dl <= bestlen)
            continue;
        if (!sq_strncaseeq(host + n - dl, dl, dom))
            continue;
        if (dl < n && host[n - dl - 1] != '.')
            continue;
        best = host_rows[i].reg;
        bestlen = dl;
    }
    return best;
}

const char *
wt_whois_host(wt_registry r)
{
    return (unsigned)r < WT_REGISTRY_COUNT ? reg_info[r].whois : "";
}

const char *
wt_rdap_base(wt_registry r)
{
    return (unsigned)r < WT_REGISTRY_COUNT ? reg_info[r].rdap : "";
}

wt_registry
wt_lookup_ip(const sq_ipaddr *a)
{
    size_t lo = 0, hi;

    if (a == NULL)
        return WT_UNKNOWN;
    if (a->v4) {
        uint32_t x = (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
                     (uint32_t)a->b[14] << 8 | a->b[15];

        hi = WT_V4_TAB_COUNT;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (x < wt_v4_tab[mid].lo)
                hi = mid;
            else if (x > wt_v4_tab[mid].hi)
                lo = mid + 1;
            else
                return wt_v4_tab[mid].reg;
        }
        return WT_UNKNOWN;
    }
    hi = WT_V6_TAB_COUNT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (memcmp(a->b, wt_v6_tab[mid].lo, 16) < 0)
            hi = mid;
        else if (memcmp(a->b, wt_v6_tab[mid].hi, 16) > 0)
            lo = mid + 1;
        else
            return wt_v6_tab[mid].reg;
    }
    return WT_UNKNOWN;
}

wt_registry
wt_lookup_asn(unsigned long asn)
{
    size_t lo = 0, hi = WT_ASN_TAB_COUNT;

    if (asn == 0 || asn > 0xffffffffUL)
        return WT_UNKNOWN;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (asn < wt_asn_tab[mid].lo)
            hi = mid;
        else if (asn > wt_asn_tab[mid].hi)
            lo = mid + 1;
        else
            return wt_asn_tab[mid].reg;
    }
    return WT_UNKNOWN;
}

/* Binary search of a sorted string table for [s, s+n). */
static int
in_sorted(const char *const *tab, size_t count, const char *s, size_t n)
{
    size_t lo = 0, hi = count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        size_t tl = strlen(tab[mid]);
        int c = memcmp(s, tab[mid], n < tl ? n : tl);

        if (c == 0)
            c = n < tl ? -1 : n > tl;
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/*
 * The RDAP base URL of a domain's TLD from data/rdap-dns.list, or NULL.
 * (Not in whois_int.h yet: lookup.c may declare it.)
 */
const char *wt_rdap_dns_base(const char *domain, size_t n);

const char *
wt_rdap_dns_base(const char *domain, size_t n)
{
    char buf[WT_NAME_MAX + 1];
    size_t lo = 0, hi = WT_DNS_COUNT, start;

    if (domain == NULL || n == 0)
        return NULL;
    if (domain[n - 1] == '.')
        n--;
    if (n == 0 || n > WT_NAME_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)domain[i];

        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    buf[n] = '\0';
    start = n;
    while (start > 0 && buf[start - 1] != '.')
        start--;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(buf + start, wt_dns_tab[mid].tld);

        if (c == 0)
            return wt_dns_tab[mid].url;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

int
wa_is_placeholder(const char *email, size_t len)
{
    char buf[WA_EMAIL_MAX + 1];
    size_t at = len;

    if (email == NULL)
        return 0;
    /* Tolerate the wrapping a caller may not have removed. */
    while (len > 0 && (email[0] == ' ' || email[0] == '<'))
        email++, len--;
    while (len > 0 && (email[len - 1] == ' ' || email[len - 1] == '>' ||
                       email[len - 1] == '.'))
        len--;
    if (len < 3 || len > WA_EMAIL_MAX)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)email[i];

        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        if (c == '@')
            at = i;
    }
    buf[len] = '\0';
    if (at == len || at == 0 || at + 1 == len)
        return 0;
    if (in_sorted(wt_ph_addr, WT_PH_ADDR_COUNT, buf, len) ||
        in_sorted(wt_ph_local, WT_PH_LOCAL_COUNT, buf, at))
        return 1;
    /* The domain and each of its parents. */
    for (size_t d = at + 1; d < len; d++) {
        if (d != at + 1 && buf[d - 1] != '.')
            continue;
        if (in_sorted(wt_ph_domain, WT_PH_DOMAIN_COUNT, buf + d, len - d))
            return 1;
    }
    return 0;
}
